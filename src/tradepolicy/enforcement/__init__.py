"""The enforcement desk's transcribed, cited records (``data/*.yaml``).

WTO disputes after DS538, USMCA Chapter 31 and RRM cases, the 2026 joint review, Appellate Body reform
and the MPIA.

Pure: YAML in, validated frozen models out (``registry.py``). Services store them.
"""

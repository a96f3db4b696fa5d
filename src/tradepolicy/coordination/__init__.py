"""Pure workflow rules of the coordination domain (dockets, exclusions, clearance, Congress, committees).

Engines only: no FastAPI, SQLAlchemy or Jinja here. ``services/dockets.py`` and its siblings meet
storage; these modules decide (BCI/public-version check, form-letter signatures, clearance
escalation, docket windows, file sniffing).
"""

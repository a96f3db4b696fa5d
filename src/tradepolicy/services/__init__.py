"""Use cases: the only place where engines meet storage.

The CLI, the API and the web pages call these functions, so the three never disagree.
"""

"""Law as code: dated, cited rules, calendars, clocks and procedures (a pure engine)."""

"""Tariff engines: pure functions over tariff lines, rates and dated measures.

Modules: ``hts_code`` (code forms), ``rate_text`` (rate-text parser and AVEs),
``hierarchy`` (HTS tree rebuilt from ``Indent``), ``dated_measures`` (dated Ch. 99 measures,
preferences), ``duty_stack`` (one line x origin x date), ``batch`` (all lines x origins),
``formulas`` (negotiation offers and staging), ``indicators`` (averages by section/chapter).
Measures live as cited YAML in ``tariffs/measures/``; services load them.
"""

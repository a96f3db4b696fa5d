"""Promoting US interests abroad: pure rules of the barrier registry, the NTE, Special 301 and TFA.

Engines only (no storage, no web): the barrier lifecycle and taxonomy crosswalk, text similarity
for duplicate detection, trade coverage and estimated value from given trade tables, Special 301
list codes, and the TFA implementation rate per Member. ``services/`` joins them to storage.
"""

"""Cited YAML measures of the tariff engine (see README.md); a package so that they ship in wheels."""

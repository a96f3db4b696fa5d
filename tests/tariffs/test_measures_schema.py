"""The pydantic schema of the tariff measures YAML: the shipped files pass, broken ones fail clearly."""

from __future__ import annotations

import copy

import pytest

from tradepolicy.errors import RegistryError
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.schema import validate_measures


def test_shipped_measures_validate() -> None:
    validate_measures(svc.measures())  # raises on the first invalid entry


def test_missing_citation_names_file_entry_and_field() -> None:
    m = copy.deepcopy(svc.measures())
    del m["section232"]["programs"]["steel_articles"]["rates"][0]["citation"]
    with pytest.raises(RegistryError) as e:
        validate_measures(m)
    assert "section232.yaml" in (e.value.where or "") and "steel_articles" in (e.value.where or "")
    assert e.value.field == "citation"


def test_malformed_date_and_unknown_quota_kind() -> None:
    m = copy.deepcopy(svc.measures())
    m["country_actions"]["actions"]["section122"]["default"][0]["from"] = "2026-02-30"
    with pytest.raises(RegistryError) as e:
        validate_measures(m)
    assert e.value.field == "from" and "date" in (e.value.expected or "")
    m = copy.deepcopy(svc.measures())
    m["section232"]["programs"]["steel_articles"]["country_rates"]["JPN"][0]["quota"] = "soft"
    with pytest.raises(RegistryError) as e2:
        validate_measures(m)
    assert e2.value.field == "quota"


def test_utilisation_rate_must_be_a_share() -> None:
    m = copy.deepcopy(svc.measures())
    m["utilisation"]["published"]["rates"][0]["rate"] = 1.5
    with pytest.raises(RegistryError):
        validate_measures(m)

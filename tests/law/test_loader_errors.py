"""One bad YAML fixture per loader error: each error names the file, the key, the form and an example.

Fixtures are small invented files under tests/law/fixtures (no shared data).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tradepolicy.errors import RegistryError
from tradepolicy.law.calendars import load_calendars
from tradepolicy.law.procedures import load_procedure_file
from tradepolicy.law.rules import load_rule_file, load_rules
from tradepolicy.law.seeds import load_seed_file

FIX = Path(__file__).parent / "fixtures"

# (fixture, loader, expected field (substring, or None), message substring)
CASES = [
    ("rules_bad_yaml.yaml", "rules", None, "Not valid YAML"),
    ("rules_no_rules_key.yaml", "rules", "rules", "Expected a mapping with the key"),
    ("rules_not_a_list.yaml", "rules", "rules", "Expected a list"),
    ("rules_missing_citation.yaml", "rules", "citation", "Field required"),
    ("rules_unknown_key.yaml", "rules", "colour", "Extra inputs"),
    ("rules_bad_enum.yaml", "rules", "basis", "Input should be"),
    ("rules_bad_date.yaml", "rules", "date", "Invalid date"),
    ("rules_duplicate_id.yaml", "rules", "id", "Duplicate id"),
    ("rules_clock_not_integer.yaml", "rules", None, "integer"),
    ("rules_threshold_without_comparison.yaml", "rules", None, "comparison"),
    ("rules_overlapping_periods.yaml", "rules", None, "overlap"),
    ("rules_missing_valid_from.yaml", "rules", None, "valid_from"),
    ("rules_rests_on_unknown_rule.yaml", "rulebook", "rests_on", "unknown rule"),
    ("procedure_stage_without_rules.yaml", "procedure", "rules", "at least 1 item"),
    ("procedure_unknown_rule.yaml", "procedure", "clocks[0].rule", "unknown rule"),
    ("procedure_unknown_stage.yaml", "procedure", "events[1]", "unknown stage"),
    ("procedure_unknown_event_reference.yaml", "procedure", "events[1].requires", "unknown event"),
    ("procedure_bad_initial_stage.yaml", "procedure", "initial_stage", "not a stage"),
    ("procedure_clock_not_a_clock_rule.yaml", "procedure", "clocks[0].rule", "of kind"),
    ("procedure_clock_without_start.yaml", "procedure", None, "'from'"),
    ("procedure_extended_by_unknown_event.yaml", "procedure", "clocks[0]", "unknown event"),
    ("calendar_closure_unknown_calendar.yaml", "calendar", "calendars", "unknown calendar"),
    ("calendar_tolling_end_before_start.yaml", "calendar", None, "'end' must not be before"),
    ("calendar_tolling_missing_days.yaml", "calendar", "days", "Field required"),
    ("sessions_day_outside_coverage.yaml", "sessions", None, "outside"),
    ("sessions_unknown_chamber.yaml", "sessions", "id", "Input should be"),
    ("seed_event_without_source.yaml", "seed", "source", "Field required"),
]


def _load(kind: str, path: Path) -> object:
    if kind == "rules":
        return load_rule_file(path)
    if kind == "rulebook":  # checks across files (ids, references)
        return load_rules([path])
    if kind == "procedure":
        return load_procedure_file(path)
    if kind == "calendar":
        return load_calendars(calendar_file=path)
    if kind == "sessions":
        return load_calendars(session_file=path)
    return load_seed_file(path)


@pytest.mark.parametrize(("fixture", "kind", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_loader_error_names_file_key_form_example(fixture: str, kind: str, field: str | None, message: str) -> None:
    with pytest.raises(RegistryError) as info:
        _load(kind, FIX / fixture)
    err = info.value
    assert fixture in (err.where or ""), err.where
    assert message.lower() in str(err).lower(), str(err)
    if field is not None:
        assert field in (err.field or ""), err.field
    assert err.expected, "the error must say what form was expected"
    assert err.example, "the error must give an example"


def test_every_fixture_is_used() -> None:
    used = {c[0] for c in CASES} | {"procedure_good.yaml"}
    assert used == {p.name for p in FIX.glob("*.yaml")}


def test_good_procedure_fixture_loads() -> None:
    proc = load_procedure_file(FIX / "procedure_good.yaml")
    assert proc.id == "test_proc"

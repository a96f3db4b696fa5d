"""Section 301 exclusions through the CLI and the API: a grant enters the duty stack only inside its window."""

from __future__ import annotations

import json
from typing import Any

from tests.coordination.conftest import ANON, ATTORNEY, STAFF, with_grant
from tests.helpers import requires_dataset

pytestmark = [requires_dataset("us-hts"), requires_dataset("section301-china")]
DOCKET = "USTR-2026-0201"
LINE = "8481801020"  # HTS 8481.80.10.20, covered by List 3 (9903.88.03, 25 % from 2019-05-10)


def _s301(date: str) -> tuple[float, str]:
    from tradepolicy.services.tariffs import stack

    layer = next(ly for ly in stack(LINE, "CHN", date).layers if ly.authority == "Section 301")
    return layer.ave or 0.0, layer.citation


def test_exclusion_granted_then_stacked_only_inside_its_window(fresh_db: str, cli: Any, api: Any) -> None:
    r = cli("docket", "open", DOCKET, "--title", "List 3 exclusions", "--procedure", "s301_exclusions",
            "--opens", "2019-06-30")
    assert r.exit_code == 0, r.output
    # request (CLI) with BCI data
    r = cli("exclusions", "request", DOCKET, "--requester", "Acme Valves LLC", "--hts10", "8481.80.10.20",
            "--product", "Brass ball valves, 1/2 inch", "--rationale", "No U.S. source at scale",
            "--bci-data", "2023 imports 1.2 million units", "--on", "2019-07-01", "--json")
    assert r.exit_code == 0, r.output
    req = json.loads(r.stdout)
    rid = req["id"]
    # responses due 14 days after posting (s301.exclusion_response, 84 FR 29576)
    assert req["response_due"] == "2019-07-15"
    # BCI data is not shown without a grant (the CLI operator has none), shown and logged with one
    assert req["bci_data"] is None and req["redacted_fields"] == ["bci_data"]
    assert api(ANON).get(f"/api/exclusions/{rid}").json()["item"]["bci_data"] is None
    seen = api(with_grant(ATTORNEY, "bci", f"docket:{DOCKET}")).get(f"/api/exclusions/{rid}").json()["item"]
    assert seen["bci_data"] == "2023 imports 1.2 million units"
    # an objection through the API; a late one refused naming the field
    staff = api(STAFF)
    ok = staff.post(f"/api/exclusions/{rid}/responses", json={"party": "Domestic Valve Co", "position": "object",
                                                             "text": "We make these valves in Ohio.", "filed_on": "2019-07-10"})
    assert ok.status_code == 200 and ok.json()["item"]["responses"][0]["position"] == "object"
    late = staff.post(f"/api/exclusions/{rid}/responses", json={"party": "X", "position": "support", "text": "y",
                                                               "filed_on": "2019-07-16"})
    assert late.status_code == 400 and late.json()["error"]["field"] == "filed_on"
    # only the attorney decides; granted, published 2020-08-01, retroactive to 2019-09-24, one year of validity
    assert staff.post(f"/api/exclusions/{rid}/decision", json={"decision": "granted", "published": "2020-08-01",
                                                               "notice": "x"}).status_code == 403
    before = _s301("2020-01-15")
    assert before[0] == 0.25
    r = cli("exclusions", "decide", rid, "--decision", "granted", "--published", "2020-08-01",
            "--notice", "85 FR 46000 (2020-08-01), EXAMPLE notice", "--from", "2019-09-24", "--json")
    assert r.exit_code == 0, r.output
    dec = json.loads(r.stdout)["decision"]
    # s301.exclusion_validity: 1 year from publication -> the last day is 2021-07-31
    assert (dec["start"], dec["end"], dec["retroactive"]) == ("2019-09-24", "2021-07-31", True)
    rate_in, cite_in = _s301("2020-01-15")
    assert rate_in == 0.0 and rid in cite_in and DOCKET in cite_in and "85 FR 46000" in cite_in
    assert _s301("2019-09-23")[0] == 0.25   # the day before the window
    assert _s301("2019-09-24")[0] == 0.0    # first day
    assert _s301("2021-07-31")[0] == 0.0    # last day
    assert _s301("2021-08-01")[0] == 0.25   # the day after
    # listed; a second decision is a conflict
    lst = api(ANON).get("/api/exclusions").json()
    assert lst["count"] == 1 and lst["items"][0]["status"] == "granted"
    again = cli("exclusions", "decide", rid, "--decision", "denied", "--published", "2020-08-02", "--notice", "n")
    assert again.exit_code == 2 and "already granted" in again.stderr


def test_decision_on_a_nonexistent_request_changes_nothing(fresh_db: str, cli: Any) -> None:
    r = cli("exclusions", "decide", "EXCL-2020-09999", "--decision", "granted", "--published", "2020-08-01",
            "--notice", "n")
    assert r.exit_code == 2 and "No exclusion request" in r.stderr and "field: request_id" in r.stderr
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_coordination import ExclusionGrant

    with read_session() as s:
        assert s.query(ExclusionGrant).count() == 0


def test_a_line_outside_section_301_cannot_be_excluded(fresh_db: str, cli: Any) -> None:
    cli("docket", "open", DOCKET, "--title", "x", "--procedure", "s301_exclusions", "--opens", "2019-06-30")
    r = cli("exclusions", "request", DOCKET, "--requester", "A", "--hts10", "0303.69.00.00", "--product", "frozen fish",
            "--rationale", "r")
    assert r.exit_code == 2 and "field: hts10" in r.stderr


def test_history_lists_the_real_china_exclusions(cli: Any) -> None:
    r = cli("exclusions", "list", "--history", "--json")
    rows = json.loads(r.stdout)
    assert r.exit_code == 0 and len(rows) > 100 and all(len(x["hts10"]) == 10 for x in rows)


def test_granted_exclusion_applies_in_the_batch_and_effective_stacks_only_inside_its_window(fresh_db: str) -> None:
    """The batch stack (``tariff batch``) and the effective-rate stack (``tariff effective``) apply a
    granted exclusion exactly as the single-line stack does (the peer: ``services.tariffs.stack``):
    on HTS 8481.80.10.20 from China, no Section 301 duty inside the window (2025-06-01 to
    2026-05-31), the stack's rate outside it; the next statistical suffix of the same HTS8, not
    excluded, keeps its rate throughout. HTS10 lines: the 2024+ schedules (the 2017 database's
    lines are HTS8, where an HTS10 grant is noted as not applied)."""
    import datetime as dt

    import pandas as pd

    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import exclusions as ex
    from tradepolicy.services.dockets import open_docket
    from tradepolicy.services.tariff_effective import effective, effective_on
    from tradepolicy.services.tariffs import batch_matrices
    from tradepolicy.store.db import transaction

    other = "8481801030"  # covered by List 3 as well, not excluded
    imports = pd.DataFrame({"hts10": [LINE, other], "partner": ["CHN", "CHN"], "value": [1000.0, 1000.0]})

    def batch301(date: str) -> tuple[float, float]:
        bm = batch_matrices(date, ["CHN"])
        return (float(bm.result.add301[bm.codes.index(LINE), 0]), float(bm.result.add301[bm.codes.index(other), 0]))

    def eff301(date: str) -> tuple[float, float]:
        lines = effective_on(imports, date)
        return (float(lines["duty_section301"].iloc[0]), float(lines["duty_section301"].iloc[1]))

    dates = {"2025-05-31": False, "2025-06-01": True, "2025-12-01": True, "2026-05-31": True, "2026-06-01": False}
    rate = {d: _s301(d)[0] for d in dates}
    assert all(r >= 0.25 for r in rate.values()), rate  # List 3 (and any later increase) applies before the grant
    for d in dates:
        assert batch301(d) == (rate[d], rate[d]) and eff301(d) == (1000 * rate[d], 1000 * rate[d]), d
    op = local_operator()
    with transaction() as s:
        open_docket(s, op, docket_id=DOCKET, title="Exclusions", procedure="s301_exclusions", opens=dt.date(2025, 3, 1))
        rid = ex.request_exclusion(s, op, docket_id=DOCKET, requester="Acme Valves LLC", hts10="8481.80.10.20",
                                   product="Brass ball valves", rationale="No U.S. source",
                                   requested_on=dt.date(2025, 3, 2)).id
        dec = ex.decide(s, op, rid, decision="granted", published=dt.date(2025, 6, 1),
                        notice="90 FR 99999 (2025-06-01), EXAMPLE notice")
    assert (dec.decision or {}).get("end") == "2026-05-31", dec.decision  # s301.exclusion_validity: one year
    for d, inside in dates.items():
        single = _s301(d)[0]
        assert single == (0.0 if inside else rate[d]), d
        assert batch301(d) == (single, rate[d]), d                      # the batch equals the single-line stack
        assert eff301(d) == (1000 * single, 1000 * rate[d]), d          # so does the effective-rate stack
    cited = [n for n in effective(imports, date="2025-12-01").notes if LINE in n]
    assert cited and rid in cited[0] and DOCKET in cited[0] and "90 FR 99999" in cited[0], cited
    assert not [n for n in effective(imports, date="2026-06-01").notes if LINE in n]

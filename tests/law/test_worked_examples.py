"""Fact sheet worked examples E1-E5 and E9-E16 (law-factsheet.md s.10), as parametrized tests.

Source of every expected date: the fact sheet's tables (recomputed there with a script).
Tolerance: exact dates (0 days). E6-E8 are margin/subsidy calculations (remedies engine);
here only their thresholds are checked (tests/law/test_rules_data.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tradepolicy.law.annual import annual_calendar
from tradepolicy.law.calendars import bundled_calendars
from tradepolicy.law.clocks import due_date
from tradepolicy.law.procedures import CaseState, get_procedure, timeline
from tradepolicy.law.rules import rule_value

D = dt.date.fromisoformat


def run(pid: str, events: list[tuple[str, str] | tuple[str, str, dict[str, Any]]], as_of: str = "2030-01-01") -> CaseState:
    evs = [(e[0], D(e[1]), e[2] if len(e) > 2 else {}) for e in events]  # type: ignore[misc]
    return timeline(get_procedure(pid), evs, as_of=D(as_of))


def due(state: CaseState, clock: str, instance: str | None = None) -> dt.date | None:
    hits = [d for d in state.deadlines if d.clock_id == clock and d.instance == instance]
    assert hits, f"no deadline {clock} ({instance}); have {[d.clock_id for d in state.deadlines]}"
    return hits[0].due_date


def status(state: CaseState, clock: str, instance: str | None = None) -> str:
    return next(d.status for d in state.deadlines if d.clock_id == clock and d.instance == instance)


# --------------------------------------------------------------------------- E1, E2, E3 (TPA)
USMCA = [("negotiation_notice_sent", "2017-05-18"), ("objectives_published", "2017-07-17"),
         ("negotiations_started", "2017-08-16"), ("trade_remedy_report_sent", "2017-09-22"),
         ("intent_to_sign_notified", "2018-08-31"), ("text_published", "2018-09-30"),
         ("agreement_signed", "2018-11-30"), ("changes_to_law_submitted", "2019-01-29")]


@pytest.mark.parametrize(("clock", "expected", "expected_status"), [
    ("earliest_signing", "2018-11-29", "met"),          # E1: earliest S = N + 90; signed 11-30 OK
    ("text_publication_due", "2018-10-01", "met"),      # E1: S - 60; published 09-30
    ("advisory_reports_due", "2018-09-30", "not_recorded"),  # E1: N + 30
    ("trade_remedy_report_due", "2018-06-03", "met"),   # E1: S - 180; reported 2017-09-22
    ("changes_to_law_due", "2019-01-29", "met"),        # E1: S + 60; met 2019-01-29
    ("itc_report_due", "2019-04-19", "overdue"),        # E1: S + 105 = 03-15, tolled +35 (84 FR 4853)
    ("earliest_negotiation_start", "2017-08-16", "met"),  # E2: notice + 90 = Round 1
    ("objectives_due", "2017-07-17", "met"),            # E2: N0 - 30 = actual publication
])
def test_e1_e2_usmca_tpa_timeline(clock: str, expected: str, expected_status: str) -> None:
    st = run("tpa_negotiation", USMCA)
    assert due(st, clock) == D(expected)
    assert status(st, clock) == expected_status


def test_e1_itc_report_raw_date_before_tolling() -> None:
    st = run("tpa_negotiation", USMCA)
    d = next(x for x in st.deadlines if x.clock_id == "itc_report_due")
    assert (d.raw_date, d.tolled_days) == (D("2019-03-15"), 35)


def test_e3_tpp_earliest_signing() -> None:
    st = run("tpa_negotiation", [("negotiation_notice_sent", "2015-07-01"), ("negotiations_started", "2015-09-29"),
                                 ("intent_to_sign_notified", "2015-11-05")], as_of="2015-11-05")
    assert due(st, "earliest_signing") == D("2016-02-03")  # E3


# --------------------------------------------------------------------------- E4 (s.307 windows)
@pytest.mark.parametrize(("action", "effective", "opens", "closes", "termination"), [
    ("list1", "2018-07-06", "2022-05-07", "2022-07-05", "2022-07-06"),
    ("list2", "2018-08-23", "2022-06-24", "2022-08-22", "2022-08-23"),
])
def test_e4_continuation_windows(action: str, effective: str, opens: str, closes: str, termination: str) -> None:
    st = run("section301", [("initiated", "2017-08-18"), ("determination", "2018-03-22"),
                            ("action_taken", effective, {"action": action})])
    assert due(st, "action_termination", action) == D(termination)
    assert due(st, "continuation_window_opens", action) == D(opens)
    assert due(st, "continuation_window_closes", action) == D(closes)
    assert (D(closes) - D(opens)).days + 1 == 60  # exactly 60 calendar days inclusive


@pytest.mark.parametrize(("request_date", "opens_status", "closes_status"), [
    ("2022-05-06", "early", "met"),   # E4: one day early -> invalid
    ("2022-05-07", "met", "met"),     # first valid day
    ("2022-07-05", "met", "met"),     # last valid day
    ("2022-07-06", "met", "missed"),  # the termination day: too late
])
def test_e4_window_endpoints(request_date: str, opens_status: str, closes_status: str) -> None:
    st = run("section301", [("initiated", "2017-08-18"), ("determination", "2018-03-22"),
                            ("action_taken", "2018-07-06", {"action": "list1"}),
                            ("continuation_requested", request_date, {"action": "list1"})])
    assert status(st, "continuation_window_opens", "list1") == opens_status
    assert status(st, "continuation_window_closes", "list1") == closes_status


# --------------------------------------------------------------------------- E5 (s.301 petition)
def test_e5_petition_case() -> None:
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("determination", "2026-04-17"), ("implementation_delayed", "2026-05-01")],
             as_of="2026-05-01")
    assert due(st, "initiation_decision_due") == D("2025-04-17")
    assert due(st, "determination_due") == D("2026-04-17")
    assert due(st, "implementation_due") == D("2026-05-17")
    assert due(st, "implementation_delayed_due") == D("2026-11-13")


def test_e5_pfc_variant() -> None:
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("pfc_case", "2025-04-17")], as_of="2025-04-18")
    assert due(st, "determination_due_pfc") == D("2025-10-17")
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("pfc_case", "2025-04-17"), ("determination_extended", "2025-09-01"),
                            ("determination", "2026-01-17"), ("implementation_delayed", "2026-01-20")],
             as_of="2026-01-20")
    assert due(st, "determination_due_pfc_extended") == D("2026-01-17")
    assert status(st, "determination_due_pfc") == "cancelled"
    # Delay capped at 90 days for PFC cases (2415(a)(2)): 2026-02-16 + 90.
    assert due(st, "implementation_delayed_due_pfc") == D("2026-02-16") + dt.timedelta(days=90)
    assert status(st, "implementation_delayed_due") == "cancelled"  # the 180-day delay does not apply


def test_e5_trade_agreement_variant() -> None:
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("trade_agreement_case", "2025-04-17")], as_of="2025-04-18")
    assert due(st, "determination_due_trade_agreement") == D("2026-10-17")
    # DS concluding early makes the earlier prong (conclusion + 30) govern.
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("trade_agreement_case", "2025-04-17"), ("formal_ds_requested", "2025-06-01"),
                            ("ds_concluded", "2026-01-10")], as_of="2026-01-11")
    assert due(st, "determination_due_trade_agreement") == D("2026-02-09")


# --------------------------------------------------------------------------- E9 (AD/CVD investigation)
@pytest.mark.parametrize(("pid", "clock", "expected"), [
    ("ad_investigation", "initiation_due", "2025-02-03"),
    ("ad_investigation", "itc_prelim_due", "2025-02-28"),
    ("cvd_investigation", "prelim_due", "2025-04-09"),
    ("cvd_investigation", "prelim_postponed_due", "2025-06-13"),
    ("ad_investigation", "prelim_due", "2025-06-23"),
    ("ad_investigation", "prelim_postponed_due", "2025-08-12"),
    ("ad_investigation", "final_due", "2025-09-08"),           # raw Sat 09-06 rolls to Mon
    ("ad_investigation", "final_postponed_due", "2025-11-05"),
    ("ad_investigation", "itc_final_due", "2025-10-23"),       # later of 10-21 and 10-23
])
def test_e9_investigation_schedule(pid: str, clock: str, expected: str) -> None:
    st = run(pid, [("petition_filed", "2025-01-14")], as_of="2025-01-14")
    assert due(st, clock) == D(expected)


def test_e9_final_roll_and_itc_prongs() -> None:
    st = run("ad_investigation", [("petition_filed", "2025-01-14")], as_of="2025-01-14")
    final = next(d for d in st.deadlines if d.clock_id == "final_due")
    assert (final.raw_date, final.due_date, final.rolled) == (D("2025-09-06"), D("2025-09-08"), True)
    assert due(st, "itc_final_prong_prelim") == D("2025-10-21")
    assert due(st, "itc_final_prong_final") == D("2025-10-23")


# --------------------------------------------------------------------------- E10, E11 (reviews, rolls)
def test_e10_admin_review() -> None:
    ev = [("anniversary_month_opened", "2025-06-02"), ("review_requested", "2025-06-30"),
          ("initiated", "2025-07-30")]
    st = run("ad_admin_review", ev, as_of="2025-08-01")
    assert due(st, "prelim_due") == D("2026-03-02")
    st = run("ad_admin_review", [*ev, ("prelim_extended", "2025-12-01")], as_of="2025-12-02")
    assert due(st, "prelim_extended_due") == D("2026-06-30")
    st = run("ad_admin_review", [*ev, ("prelim_published", "2026-03-02")], as_of="2026-03-03")
    assert due(st, "final_due") == D("2026-06-30")
    st = run("ad_admin_review", [*ev, ("prelim_published", "2026-03-02"), ("final_extended", "2026-05-01")],
             as_of="2026-05-02")
    # Extension cap: +300 when the prelim was not extended (E10); 2026-03-02 + 300 = Sun 12-27 -> Mon.
    assert due(st, "final_extended_max_due") == D("2026-12-28")


def test_e11_dofasco_roll_across_month_and_labor_day() -> None:
    st = run("ad_admin_review", [("anniversary_month_opened", "2003-08-01")], as_of="2003-08-01")
    d = next(x for x in st.deadlines if x.clock_id == "request_due")
    assert (d.raw_date, d.due_date, d.rolled) == (D("2003-08-31"), D("2003-09-02"), True)


@pytest.mark.parametrize(("day", "business", "rolls_to"), [
    ("2021-06-18", False, "2021-06-21"),  # Juneteenth 2021 observed Fri 06-18
    ("2026-07-03", False, "2026-07-06"),  # Independence Day 2026 observed Fri 07-03 -> Mon
    ("2027-12-24", False, "2027-12-27"),  # Christmas 2027 observed Fri 12-24
    ("2003-09-02", True, "2003-09-02"),
])
def test_e11_observed_holidays(day: str, business: bool, rolls_to: str) -> None:
    cals = bundled_calendars()
    assert cals.is_business_day(D(day), "commerce") is business
    assert cals.next_business_day(D(day), "commerce") == D(rolls_to)


# --------------------------------------------------------------------------- E12, E13 (DSU)
DS543 = [("consultations_requested", "2018-04-04"), ("panel_established", "2019-01-28"),
         ("report_circulated", "2020-09-15"), ("appealed", "2020-10-26")]


@pytest.mark.parametrize(("events", "clock", "expected"), [
    (DS543[:1], "reply_due", "2018-04-16"),              # Sat 04-14 rolls to Mon (WTO practice)
    (DS543[:1], "consultations_due", "2018-05-04"),
    # An earliest date never rolls (issue 12, found on DS2): Sun 2018-06-03 stays, although fact
    # sheet E12 rolled it to Mon 06-04 as if it were a deadline.
    (DS543[:1], "panel_request_earliest", "2018-06-03"),
    (DS543, "dg_request_possible", "2019-02-17"),
    (DS543, "circulation_target", "2019-10-28"),
    (DS543, "adoption_not_before", "2020-10-05"),
    (DS543, "adoption_or_appeal_by", "2020-11-14"),
    (DS543, "ab_report_due", "2020-12-25"),
    (DS543, "ab_report_max", "2021-01-24"),
])
def test_e12_ds543(events: list[tuple[str, str]], clock: str, expected: str) -> None:
    assert due(run("wto_dsu", events, as_of="2018-04-05"), clock) == D(expected)


def test_e12_ds543_appeal_into_the_void() -> None:
    st = run("wto_dsu", DS543)
    assert st.stage == "appeal_into_void"
    assert status(st, "ab_report_due") == "moot"
    circ = next(d for d in st.deadlines if d.clock_id == "circulation_target")
    assert circ.status == "missed"
    # 596 days after establishment and 895 days after the consultation request (E12).
    assert (D("2020-09-15") - D("2019-01-28")).days == 596
    assert (D("2020-09-15") - D("2018-04-04")).days == 895
    assert status(st, "adoption_or_appeal_by") == "met"  # appeal on day 41 < 60


def test_e13_compliance_phase() -> None:
    st = run("wto_dsu", [("consultations_requested", "2024-01-04"), ("panel_established", "2024-03-01"),
                         ("report_circulated", "2025-01-15"), ("reports_adopted", "2025-03-03"),
                         ("rpt_expired", "2026-06-03"), ("retaliation_requested", "2026-06-24")],
             as_of="2026-06-24")
    assert due(st, "intentions_due") == D("2025-04-02")
    assert due(st, "rpt_agreed_due") == D("2025-04-17")
    assert due(st, "rpt_award_due") == D("2025-06-01")
    assert due(st, "rpt_guideline") == D("2026-06-03")
    assert due(st, "compensation_period_ends") == D("2026-06-23")
    assert due(st, "authorization_due") == D("2026-07-03")
    assert due(st, "arbitration_22_6_due") == D("2026-08-02")


# --------------------------------------------------------------------------- E14 (TFA)
@pytest.mark.parametrize(("member", "warning", "automatic"), [
    ("developing_member", "2024-10-25", "2026-08-22"),
    ("ldc_member", "2024-11-24", "2028-02-22"),
])
def test_e14_tfa_early_warning(member: str, warning: str, automatic: str) -> None:
    st = run("tfa_notification", [(member, "2017-02-22"), ("categories_notified", "2017-02-22"),
                                   ("definitive_date_notified", "2018-02-22"),
                                   ("definitive_date", "2025-02-22")], as_of="2024-01-01")
    kind = "developing" if member.startswith("developing") else "ldc"
    assert due(st, f"early_warning_due_{kind}") == D(warning)
    assert due(st, f"automatic_extension_limit_{kind}") == D(automatic)


def test_e14_request_beyond_automatic_needs_committee() -> None:
    st = run("tfa_notification", [("developing_member", "2017-02-22"), ("categories_notified", "2017-02-22"),
                                   ("definitive_date_notified", "2018-02-22"), ("definitive_date", "2025-02-22"),
                                   ("extension_requested", "2024-10-20"), ("new_date_requested", "2026-09-22")])
    # 2026-09-22 is past the automatic limit 2026-08-22: flagged (needs a Committee decision).
    assert status(st, "automatic_extension_limit_developing") == "missed"


# --------------------------------------------------------------------------- E15 (USMCA)
def test_e15_joint_review_and_term() -> None:
    cals = bundled_calendars()
    eif = D("2020-07-01")
    review = due_date(eif, rule_value("usmca.joint_review", eif), cals).due
    assert review == D("2026-07-01")
    assert due_date(review, rule_value("usmca.review_recommendations", eif), cals).due == D("2026-06-01")
    assert due_date(eif, rule_value("usmca.term", eif), cals).due == D("2036-07-01")
    assert due_date(review, rule_value("usmca.term_renewed", eif), cals).due == D("2042-07-01")
    assert due_date(review, rule_value("usmca.next_review_after_confirmation", eif), cals).due == D("2032-07-01")
    assert due_date(review, rule_value("usmca.annual_review", eif), cals).due == D("2027-07-01")


def test_e15_chapter31() -> None:
    st = run("usmca_ch31", [("consultations_requested", "2025-01-06")], as_of="2025-01-07")
    assert due(st, "panel_request_earliest") == D("2025-03-22")
    st = run("usmca_ch31", [("consultations_requested", "2025-01-06"), ("perishable_goods", "2025-01-06")],
             as_of="2025-01-07")
    assert due(st, "panel_request_earliest_perishable") == D("2025-02-05")
    st = run("usmca_ch31", [("consultations_requested", "2025-01-06"), ("panel_requested", "2025-03-22"),
                            ("panel_composed", "2025-04-20"), ("initial_report", "2025-09-01"),
                            ("final_report", "2025-10-01")], as_of="2025-10-02")
    assert due(st, "suspension_possible_from") == D("2025-11-15")


# --------------------------------------------------------------------------- E16 (USTR calendar)
@pytest.mark.parametrize(("rule_id", "expected", "flagged"), [
    ("ustr.trade_policy_agenda", "2026-03-01", True),   # Sunday: no statutory roll, flagged
    ("ustr.nte", "2026-03-31", False),
    ("ustr.special301", "2026-04-30", False),
    ("ustr.enforcement_priorities", "2026-05-31", True),  # Sunday: flagged
])
def test_e16_annual_calendar(rule_id: str, expected: str, flagged: bool) -> None:
    a = next(x for x in annual_calendar(2026) if x.rule_id == rule_id)
    assert (a.due, a.non_business_day) == (D(expected), flagged)


def test_e16_pfc_initiation_and_determination() -> None:
    st = run("section301", [("pfc_identified", "2026-04-30")], as_of="2026-05-01")
    assert due(st, "pfc_initiation_due") == D("2026-05-30")
    st = run("section301", [("pfc_identified", "2026-04-30"), ("initiated", "2026-05-30"),
                            ("pfc_case", "2026-05-30")], as_of="2026-05-31")
    assert due(st, "determination_due_pfc") == D("2026-11-30")  # 6 months after initiation


# --------------------------------------------------------------------------- E14 (TFA rate metric)
@pytest.mark.parametrize(("on", "committed", "rate"), [
    ("2017-02-22", 338, 0.710),  # E14: 338/476 = 71.0%
    ("2023-02-22", 438, 0.920),  # E14: 438/476 = 92.0%
    ("2030-02-22", 468, 0.983),  # E14: 468/476 = 98.3%
    ("2017-02-21", 0, 0.0),      # before entry into force nothing counts (fact sheet s.6)
])
def test_e14_tfa_rate_of_implementation(on: str, committed: int, rate: float) -> None:
    from tradepolicy.law.tfa_metric import MemberCommitments, implementation_rate

    members = [MemberCommitments("M1", "developed"),
               MemberCommitments("M2", "developing", category_a=100,
                                 dated=((100, D("2023-02-22")), (30, D("2030-02-22"))))]
    r = implementation_rate(members, D(on))
    assert (r.committed_items, r.total_items, r.not_designated_items) == (committed, 476, 8)
    assert round(r.rate, 3) == rate  # the fact sheet prints one decimal of a percent: exact at 0.1%


def test_e10_final_cap_180_when_prelim_extended() -> None:
    # E10: final-results extension cap is +180 from the prelim when the prelim was extended
    # (+300 only when it was not). Prelim 2026-06-30 + 180 = Sun 2026-12-27 -> Mon 12-28 (Commerce roll).
    ev = [("anniversary_month_opened", "2025-06-02"), ("review_requested", "2025-06-30"),
          ("initiated", "2025-07-30"), ("prelim_extended", "2025-12-01"), ("prelim_published", "2026-06-30"),
          ("final_extended", "2026-08-01")]
    st = run("ad_admin_review", ev, as_of="2026-08-02")
    assert due(st, "final_extended_due") == D("2026-12-28")
    assert status(st, "final_extended_max_due") == "cancelled"


def test_e13_compliance_panel_90_days_after_referral() -> None:
    # E13 / DSU 21.5: compliance panel report within 90 days after referral (invented referral).
    st = run("wto_dsu", [("consultations_requested", "2024-01-04"), ("panel_established", "2024-03-01"),
                         ("report_circulated", "2025-01-15"), ("reports_adopted", "2025-03-03"),
                         ("rpt_expired", "2026-06-03"), ("compliance_referred", "2026-07-01")],
             as_of="2026-07-02")
    assert due(st, "compliance_panel_due") == D("2026-09-29")


def test_s301_delayed_consultation_request_extends_the_determination() -> None:
    # Fact sheet s.2.1 (2413(b)(1), confirmed): a consultation request delayed up to 90 days to
    # verify the petition extends the s.304 deadlines by the same delay. E5 dates, invented delay:
    # initiated 2025-04-17, consultations requested 2025-06-16 (60 days) -> 2026-04-17 + 60.
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("consultation_request_delayed", "2025-04-17"),
                            ("consultations_requested", "2025-06-16")], as_of="2025-06-17")
    assert due(st, "determination_due") == D("2026-06-16")
    assert due(st, "consultation_delay_max") == D("2025-07-16")  # the delay may not exceed 90 days
    # Without the delay event the same consultations date extends nothing (E5: 2026-04-17).
    st = run("section301", [("petition_filed", "2025-03-03"), ("initiated", "2025-04-17"),
                            ("consultations_requested", "2025-06-16")], as_of="2025-06-17")
    assert due(st, "determination_due") == D("2026-04-17")


@pytest.mark.parametrize("pid", ["ad_investigation", "cvd_investigation"])
def test_e9_extended_initiation_and_itc_prelim(pid: str) -> None:
    # Fact sheet s.4.1 (confirmed): initiation extendable to at most 40 days after the petition;
    # then the USITC preliminary is due 25 days after it is notified of the initiation.
    # E9 petition Tue 2025-01-14 + 40 = Sun 02-23 -> Mon 2025-02-24 (Commerce roll);
    # initiated (invented) Fri 2025-02-21 + 25 = Tue 2025-03-18 (was wrongly counted from the
    # extension event: 2025-03-17, and the 45-day ITC clock stayed live).
    st = run(pid, [("petition_filed", "2025-01-14"), ("initiation_extended", "2025-02-03"),
                   ("initiated", "2025-02-21")], as_of="2025-02-22")
    assert due(st, "initiation_extended_due") == D("2025-02-24")
    assert status(st, "initiation_extended_due") == "met"
    assert due(st, "itc_prelim_extended_due") == D("2025-03-18")
    assert status(st, "itc_prelim_due") == "cancelled"


def test_e15_chapter31_compliance_review_and_urgency() -> None:
    # Fact sheet s.5.2: compliance/excessiveness determination <= 90 days for one ground, 120 for
    # both (31.19.3, confirmed); initial report <= 150 days after the last panelist, 120 if urgent
    # (31.17, unconfirmed). E15 dates (invented): final report 2025-10-01; review requested 2025-12-01.
    base = [("consultations_requested", "2025-01-06"), ("panel_requested", "2025-03-22"),
            ("panel_composed", "2025-04-20")]
    st = run("usmca_ch31", base, as_of="2025-04-21")
    assert due(st, "initial_report_due") == D("2025-09-17")  # 04-20 + 150
    st = run("usmca_ch31", [*base, ("urgent_case", "2025-04-20")], as_of="2025-04-21")
    assert due(st, "initial_report_due_urgent") == D("2025-08-18")  # 04-20 + 120
    assert status(st, "initial_report_due_urgent") == "pending"
    after = [*base, ("initial_report", "2025-09-01"), ("final_report", "2025-10-01"),
             ("compliance_review_requested", "2025-12-01")]
    assert due(run("usmca_ch31", after, as_of="2025-12-02"), "compliance_determination_due") == D("2026-03-01")
    st = run("usmca_ch31", [*after, ("both_grounds", "2025-12-01")], as_of="2025-12-02")
    assert due(st, "compliance_determination_due_both") == D("2026-03-31")  # 12-01 + 120


def test_e12_urgency_branch_of_the_dsu() -> None:
    # Fact sheet s.3 (DSU 4.8, 12.8; confirmed): in urgency consultations within 10 days, a panel
    # may be requested after 20 days; report to the parties within 3 months of composition.
    # DS543 request date Wed 2018-04-04 (invented urgency): +10 = Sat 04-14 -> Mon 04-16 (WTO
    # practice, unconfirmed); +20 = Tue 2018-04-24.
    st = run("wto_dsu", [("consultations_requested", "2018-04-04"), ("urgent_case", "2018-04-04")],
             as_of="2018-04-05")
    assert due(st, "urgent_consultations_due") == D("2018-04-16")
    assert due(st, "urgent_panel_request_earliest") == D("2018-04-24")
    assert status(st, "consultations_due") == status(st, "panel_request_earliest") == "cancelled"
    st = run("wto_dsu", [("consultations_requested", "2018-04-04"), ("urgent_case", "2018-04-04"),
                         ("panel_established", "2018-05-01"), ("panel_composed", "2018-05-15")],
             as_of="2018-05-16")
    assert due(st, "report_to_parties_due_urgent") == D("2018-08-15")  # 05-15 + 3 months


def test_e9_provisional_measures_up_to_six_months_on_request() -> None:
    # Fact sheet s.4.1 (1673b(d), confirmed): AD provisional measures 4 months, up to 6 on
    # exporter request. E9 AD prelim Mon 2025-06-23: 4 months = 2025-10-23; 6 months = 2025-12-23.
    ev = [("petition_filed", "2025-01-14"), ("initiated", "2025-02-03"), ("itc_prelim_affirmative", "2025-02-28"),
          ("prelim_published", "2025-06-23")]
    st = run("ad_investigation", ev, as_of="2025-06-24")
    assert due(st, "provisional_measures_end") == D("2025-10-23")
    st = run("ad_investigation", [*ev, ("provisional_extension_requested", "2025-07-01")], as_of="2025-07-02")
    assert due(st, "provisional_measures_extended_end") == D("2025-12-23")
    assert status(st, "provisional_measures_end") == "cancelled"

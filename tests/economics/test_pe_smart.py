"""SMART (Laird & Yeats closed forms): invariants of economics-methods.md §4.1, the worked
example there, the four tariff formulas, and runs on baci-shrimp-2018 checked by hand.

Tolerances: identities (sums, zero shocks, proportionality) hold to floating-point
rounding, so they are checked to 1e-9 relative; the published worked example is given to
2 decimals, so it is checked to 0.005.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.pe import TariffChange, apply_changes, apply_formula, smart
from tradepolicy.errors import InputError

ID_TOL = 1e-9     # identities: floating-point rounding only
PUB_TOL = 0.005   # published figures rounded to 2 decimals

RNG = np.random.default_rng(20260601)


def _random_market(k: int = 12, p: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m0 = RNG.lognormal(3, 1.5, size=(p, k))
    t0 = RNG.uniform(0, 0.3, size=(p, k))
    t1 = np.where(RNG.uniform(size=(p, k)) < 0.4, RNG.uniform(0, 0.3, size=(p, k)), t0)
    return m0, t0, t1


def test_worked_example_of_the_methods_note() -> None:
    # Source: economics-methods.md §4.1 example run (M0 = 100, 50, 300, 25; 10% -> 0% for the
    # first two; ε = 1.2, σ = 1.5, η = 99): TC = (10.78, 5.39, 0, 0), TD = (9.80, 4.90, -13.57,
    # -1.13), ΔTR = -16.47, W = 0.81. Tolerance: 2 published decimals.
    r = smart([100, 50, 300, 25], 0.1, [0, 0, 0.1, 0.1], import_demand_elasticity=1.2,
              substitution_elasticity=1.5, export_supply_elasticity=99)
    np.testing.assert_allclose(r.trade_creation[0], [10.78, 5.39, 0, 0], atol=PUB_TOL)
    np.testing.assert_allclose(r.trade_diversion[0], [9.80, 4.90, -13.57, -1.13], atol=PUB_TOL)
    # The note's ΔTR ignores the tiny world-price effect (TC/M/η = 0.1%) on the cut lines,
    # which pay t1 = 0 anyway, so it is exact here.
    assert r.summary()["revenue_change"] == pytest.approx(-16.47, abs=PUB_TOL)
    assert r.summary()["welfare"] == pytest.approx(0.81, abs=PUB_TOL)


def test_diversion_sums_to_zero_in_each_market() -> None:
    # Invariant 1 (§4.1): Σ TD = 0 ("market side, trade diversion is equal to zero").
    m0, t0, t1 = _random_market()
    r = smart(m0, t0, t1, import_demand_elasticity=1.3, substitution_elasticity=2.0)
    np.testing.assert_allclose(r.trade_diversion.sum(axis=1), 0, atol=ID_TOL * m0.sum())


def test_no_substitution_means_no_diversion() -> None:
    # Invariant 2: σ = 0 gives TD = 0 exactly.
    m0, t0, t1 = _random_market()
    r = smart(m0, t0, t1, import_demand_elasticity=1.3, substitution_elasticity=0.0)
    assert np.abs(r.trade_diversion).max() == 0.0


def test_infinite_supply_no_price_effect_and_creation_proportional_to_epsilon() -> None:
    # Invariant 3: η = ∞ gives no price effect and TC exactly proportional to ε; with η = 99
    # the (1 + ε/η) term makes it slightly less than proportional (WITS help).
    m0, t0, t1 = _random_market()
    a = smart(m0, t0, t1, import_demand_elasticity=0.8)
    b = smart(m0, t0, t1, import_demand_elasticity=1.6)
    assert np.abs(a.price_effect).max() == 0.0
    np.testing.assert_allclose(b.trade_creation, 2 * a.trade_creation, rtol=ID_TOL)
    c = smart(m0, t0, t1, import_demand_elasticity=0.8, export_supply_elasticity=99)
    d = smart(m0, t0, t1, import_demand_elasticity=1.6, export_supply_elasticity=99)
    changed = np.abs(c.trade_creation) > 0
    assert np.all(np.abs(d.trade_creation[changed]) < 2 * np.abs(c.trade_creation[changed]))
    assert np.abs(c.price_effect).max() > 0


def test_diversion_bounded_by_rest_imports_and_ceiling() -> None:
    # Invariant 4: TD_k <= M_K; as σ -> ∞ the preferred group's TD -> M_K (note: 324.99 vs 325).
    r = smart([100, 50, 300, 25], 0.1, [0, 0, 0.1, 0.1], import_demand_elasticity=1.2,
              substitution_elasticity=1e6)
    td_pref = r.trade_diversion[0, :2].sum()
    assert td_pref <= 325 + ID_TOL
    assert td_pref == pytest.approx(325, abs=0.05)


def test_zero_change_gives_zero_effects() -> None:
    # Invariant 5: Δt = 0 gives every effect exactly 0.
    m0, t0, _ = _random_market()
    r = smart(m0, t0, t0, import_demand_elasticity=1.3, substitution_elasticity=2.0,
              export_supply_elasticity=5.0)
    for a in (r.trade_creation, r.trade_diversion, r.price_effect, r.welfare):
        assert np.abs(a).max() == 0.0


def test_revenue_identity_from_new_imports() -> None:
    # Invariant 6: ΔTR = Σ t1 M1 P*1 − Σ t0 M0 (M1 is valued at new world prices).
    m0, t0, t1 = _random_market()
    r = smart(m0, t0, t1, import_demand_elasticity=1.3, substitution_elasticity=2.0,
              export_supply_elasticity=4.0)
    q1 = m0 + r.trade_creation + r.trade_diversion
    expected = (t1 * q1 * (1 + r.world_price_change)).sum() - (t0 * m0).sum()
    assert r.summary()["revenue_change"] == pytest.approx(expected, rel=ID_TOL)
    np.testing.assert_allclose(r.imports_new, m0 + r.total_effect, rtol=ID_TOL)


def test_tariff_increase_signs() -> None:
    # Invariant 7: a tariff increase (Section 301 style) gives TC < 0 for the tariffed source
    # and diverts trade away from it to the others; welfare is a loss.
    r = smart([400, 300, 200], 0.02, [0.27, 0.02, 0.02], import_demand_elasticity=1.5,
              substitution_elasticity=3.0)
    assert r.trade_creation[0, 0] < 0
    assert r.trade_diversion[0, 0] < 0 and (r.trade_diversion[0, 1:] > 0).all()
    assert r.summary()["welfare"] < 0


@pytest.mark.parametrize(("formula", "value", "expected"), [
    # Hand computations: new rate; cap min(t, 0.1); linear cut t(1-0.5); Swiss a t/(a+t) with
    # a = 0.25: 0.25*0.4/0.65 = 0.153846..., 0.25*0.05/0.30 = 0.041666...; increase t + 0.25.
    ("new_rate", 0.0, [0.0, 0.0, 0.0]),
    ("cap", 0.1, [0.05, 0.1, 0.1]),
    ("linear_cut", 0.5, [0.025, 0.1, 0.2]),
    ("swiss", 0.25, [0.25 * 0.05 / 0.30, 0.25 * 0.2 / 0.45, 0.25 * 0.4 / 0.65]),
    ("increase", 0.25, [0.30, 0.45, 0.65]),
])
def test_four_formulas(formula: str, value: float, expected: list[float]) -> None:
    np.testing.assert_allclose(apply_formula([0.05, 0.2, 0.4], formula, value), expected, rtol=1e-12)  # type: ignore[arg-type]


def test_formulas_by_product_and_partner() -> None:
    t0 = np.array([[0.10, 0.10, 0.10], [0.30, 0.30, 0.30]])
    t1 = apply_changes(t0, products=["030617", "160521"], partners=["IND", "VNM", "ECU"],
                       changes=[TariffChange("swiss", 0.1, products=("160521",)),
                                TariffChange("new_rate", 0.0, partners=("ECU",))])
    # Swiss a=0.1 on 0.30 -> 0.075 for 160521 only; then ECU gets 0 on both lines.
    np.testing.assert_allclose(t1, [[0.10, 0.10, 0.0], [0.075, 0.075, 0.0]], rtol=1e-12)


def test_monte_carlo_draws_vectorised_match_single_runs() -> None:
    # Draws broadcast along a leading axis: each draw equals its own scalar run (exact).
    m0, t0, t1 = _random_market(k=6, p=2)
    eps = np.array([0.5, 1.0, 2.5]).reshape(3, 1, 1)
    many = smart(m0, t0, t1, import_demand_elasticity=eps, substitution_elasticity=1.5,
                 export_supply_elasticity=10.0)
    for d in range(3):
        one = smart(m0, t0, t1, import_demand_elasticity=float(eps[d, 0, 0]),
                    substitution_elasticity=1.5, export_supply_elasticity=10.0)
        np.testing.assert_allclose(many.imports_new[d], one.imports_new, rtol=1e-14)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"imports": [100, -5, 3]}, "imports"),
    ({"imports": [100, np.nan, 3]}, "imports"),
    ({"import_demand_elasticity": -1.2}, "import_demand_elasticity"),
    ({"substitution_elasticity": -0.5}, "substitution_elasticity"),
    ({"export_supply_elasticity": 0.0}, "export_supply_elasticity"),
    ({"tariff_new": [0.1, 80.0, 0.1]}, "tariff_new"),
])
def test_bad_input_is_rejected(kwargs: dict, field: str) -> None:
    args = {"imports": [100, 50, 3], "tariff_base": 0.1, "tariff_new": 0.0,
            "import_demand_elasticity": 1.2} | kwargs
    with pytest.raises(InputError) as e:
        smart(args.pop("imports"), args.pop("tariff_base"), args.pop("tariff_new"), **args)
    assert e.value.field == field


def test_negative_imports_are_refused() -> None:
    # Hand computation: M = (100, 1000), t 0 -> (1.0, 0) on the first, ε = 2, σ = 0, η = ∞:
    # TC_0 = 100 * 2 * (0 - 1) / 1 = -200 < -M_0, so the linear form would give M1_0 = -100.
    with pytest.raises(InputError) as e:
        smart([100, 1000], 0.0, [1.0, 0.0], import_demand_elasticity=2.0, substitution_elasticity=0.0,
              partners=("CHN", "MEX"))
    assert e.value.field == "tariff_new" and "CHN" in str(e.value)
    # Section 301-like: +25% on a small supplier with σ = 10: x = 0.25, the others' weight
    # 1 + σx = 3.5, so TD_0 ≈ M_0 (1·ΣM − 3.5·ΣM)/(3.5·ΣM) ≈ -0.71 M_0 and TC_0 = -0.375 M_0:
    # together below -M_0, refused.
    with pytest.raises(InputError):
        smart([10, 1000], 0.0, [0.25, 0.0], import_demand_elasticity=1.5, substitution_elasticity=10.0)
    # Same change with σ = 1.5: TD_0 ≈ -0.27 M_0, TC_0 = -0.375 M_0, imports stay positive.
    ok = smart([10, 1000], 0.0, [0.25, 0.0], import_demand_elasticity=1.5, substitution_elasticity=1.5)
    assert 0 < ok.imports_new[0, 0] < 10


def test_swiss_formula_rejects_nonpositive_coefficient() -> None:
    with pytest.raises(InputError):
        TariffChange("swiss", 0.0)


@requires_dataset("baci-shrimp-2018")
def test_shrimp_duty_on_one_supplier_matches_closed_forms_by_hand() -> None:
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_market

    mk = read_baci_shrimp_market("USA", "030617")
    m = mk["value_kusd"].to_numpy()
    partners = tuple(mk["partner"])
    i = partners.index("IND")
    # Scenario: +25% duty on India, others stay free (HTS 0306.17 is free); ε=1.2, σ=1.5, η=∞.
    t1 = np.where(np.array(partners) == "IND", 0.25, 0.0)
    r = smart(m, 0.0, t1, import_demand_elasticity=1.2, substitution_elasticity=1.5,
              partners=partners)
    # Hand check (Laird-Yeats §4.1, preferred group = the rest K, India is the other group):
    m_ind = m[i]
    m_rest = m.sum() - m_ind
    tc_ind = m_ind * 1.2 * (0.0 - 0.25) / (1.0 + 0.0)           # η = ∞
    # The rest is the (relatively) preferred group k; India is the group K whose relative
    # price rises: x = [(1+t1_IND)/(1+t1_rest)] / [(1+t0_IND)/(1+t0_rest)] - 1 = 0.25.
    x_k = (1.25 / 1.0) / (1.0 / 1.0) - 1.0
    td_rest = m_rest * m_ind * 1.5 * x_k / (m_rest + m_ind + m_rest * 1.5 * x_k)
    assert x_k == pytest.approx(0.25)
    assert r.trade_creation[0, i] == pytest.approx(tc_ind, rel=ID_TOL)
    assert r.trade_diversion[0, i] == pytest.approx(-td_rest, rel=ID_TOL)
    others = np.arange(len(m)) != i
    # Within K, diversion is allocated pro rata to base imports.
    np.testing.assert_allclose(r.trade_diversion[0, others], td_rest * m[others] / m_rest, rtol=ID_TOL)
    assert r.summary()["revenue_change"] == pytest.approx(0.25 * (m_ind + tc_ind - td_rest), rel=ID_TOL)


@requires_dataset("baci-shrimp-2018")
def test_shrimp_preference_for_one_supplier_matches_closed_forms_by_hand() -> None:
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_market

    mk = read_baci_shrimp_market("ESP", "030617")
    m = mk["value_kusd"].to_numpy()
    partners = tuple(mk["partner"])
    i = partners.index("ECU")
    # Scenario: a 12% applied rate for all, Ecuador gets 0 (a preference); ε=1.2, σ=1.5, η=99.
    t1 = np.where(np.array(partners) == "ECU", 0.0, 0.12)
    r = smart(m, 0.12, t1, import_demand_elasticity=1.2, substitution_elasticity=1.5,
              export_supply_elasticity=99.0, partners=partners)
    m_k = m[i]
    m_rest = m.sum() - m_k
    tc = m_k * 1.2 * 0.12 / (1.12 * (1 + 1.2 / 99))
    x = (1.12 / 1.0) / (1.12 / 1.12) - 1.0                         # 0.12
    td = m_k * m_rest * 1.5 * x / (m_k + m_rest + m_k * 1.5 * x)
    assert r.trade_creation[0, i] == pytest.approx(tc, rel=ID_TOL)
    assert r.trade_diversion[0, i] == pytest.approx(td, rel=ID_TOL)
    assert r.trade_diversion[0].sum() == pytest.approx(0.0, abs=ID_TOL * m.sum())
    assert r.world_price_change[0, i] == pytest.approx(tc / m_k / 99, rel=ID_TOL)
    assert r.summary()["welfare"] == pytest.approx(0.5 * 0.12 * tc, rel=ID_TOL)


try:
    from hypothesis import given, reject, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    given = None

if given is not None:
    _k = st.integers(2, 8)

    @settings(max_examples=60, deadline=None)
    @given(data=st.data(), k=_k, eps=st.floats(0.1, 5.0), sig=st.floats(0.0, 20.0),
           eta=st.one_of(st.just(float("inf")), st.floats(0.5, 200.0)))
    def test_invariants_hold_for_random_markets(data: st.DataObject, k: int, eps: float, sig: float,
                                                eta: float) -> None:
        # Invariants 1, 4, 5, 6 of §4.1 on random markets (identities; 1e-9 relative).
        m = data.draw(arrays(np.float64, (1, k), elements=st.floats(0.0, 1e6)))
        t0 = data.draw(arrays(np.float64, (1, k), elements=st.floats(0.0, 0.5)))
        t1 = data.draw(arrays(np.float64, (1, k), elements=st.floats(0.0, 0.5)))
        try:
            r = smart(m, t0, t1, import_demand_elasticity=eps, substitution_elasticity=sig,
                      export_supply_elasticity=eta)
        except InputError as e:
            # Large increases push the linear TC + TD below zero trade: refused (checked by hand
            # in test_negative_imports_are_refused); nothing else may raise here.
            assert e.field == "tariff_new" and "negative imports" in str(e)
            reject()
        scale = max(float(m.sum()), 1.0)
        assert abs(r.trade_diversion.sum()) <= 1e-9 * scale
        assert np.all(r.trade_diversion <= m.sum() - m + 1e-9 * scale)         # TD_k <= M_K
        assert np.all(m + r.trade_diversion >= -1e-9 * scale)                    # never below zero trade
        q1 = m + r.trade_creation + r.trade_diversion
        rev = (t1 * q1 * (1 + r.world_price_change)).sum() - (t0 * m).sum()
        assert r.summary()["revenue_change"] == pytest.approx(rev, rel=1e-9, abs=1e-9 * scale)
        z = smart(m, t0, t0, import_demand_elasticity=eps, substitution_elasticity=sig,
                  export_supply_elasticity=eta)
        assert np.abs(z.total_effect).max() == 0.0

"""Thresholds used by the engine tests: fact sheet §4.3-4.6 values, given explicitly.

The engines never hold these numbers; the service resolves them from law YAML. Tests that
check the YAML wiring live in test_service.py.
"""

from tradepolicy.remedies import ADParameters, CVDParameters

# Fact sheet §4.3 (de minimis 2 % / 0.5 %, cost test 20 %, arm's length 98-102 %, DIFMER 20 %,
# viability 5 %) and §4.5 (|d| >= 0.8, >= 2 obs, base share >= 5 %, ratio 33/66, change 25 %).
AD = ADParameters(
    de_minimis_investigation=0.02, de_minimis_review=0.005, cohens_d_threshold=0.8,
    min_group_obs=2, base_qty_share_min=0.05, ratio_lower=0.33, ratio_upper=0.66,
    relative_change_min=0.25, below_cost_share=0.20, arms_length_low=0.98,
    arms_length_high=1.02, difmer_cap=0.20, viability_share=0.05,
)
# Fact sheet §4.3 and §4.6 (expensing 0.5 %, de minimis 1 % / 2 % / 0.5 %, negligibility 3/7, 4/9).
CVD = CVDParameters(
    expensing_threshold=0.005, de_minimis_investigation=0.01, de_minimis_developing=0.02,
    de_minimis_review=0.005, negligibility_individual=0.03, negligibility_aggregate=0.07,
    negligibility_individual_developing=0.04, negligibility_aggregate_developing=0.09,
)

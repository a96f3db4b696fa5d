"""Reference unit values (issue 13): the cost of converting specific rates at product prices by year.

``python -m bench.tariff_reference_prices``

1. Building the aggregate AVE table of the HTS 2024 edition (``_specific_ave_table``: 2017
   AVE, value bracket, product reference price of the year, unit-only value, ad valorem part)
   once per year 2018-2026, cold (the parsed schedule and the 2017 database warm), CPU and wall.
2. ``tariff effective`` over the Census duties file on 2024-07-01 (when the dataset is present),
   first call and warm, with the share of value converted at a reference price.

No target of its own: it bounds what the per-year tables add to the issue-13 targets measured
by ``bench.tariff_effective`` (one date <= 1 s, 100 dates <= 30 s). Figures go to
``bench/results/tariff_reference_prices.md``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _timed(fn):  # type: ignore[no-untyped-def]
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - w


def main() -> None:
    os.environ.setdefault("TRADEPOLICY_DATA_MIRROR", str(HERE.parent.parent / "shared" / "data"))
    from bench.tariffs import _machine
    from tradepolicy.services import tariffs as svc
    from tradepolicy.services.tariffs.schedules import _specific_ave_table

    svc.measures()
    svc.db2017()
    svc._parsed_source_cached("hts2024")
    svc.source("hts2024")
    load0 = os.getloadavg()
    rows = []
    for year in range(2018, 2027):
        tab, cpu, wall = _timed(lambda y=year: _specific_ave_table("hts2024", y))
        n_ref = sum(1 for _v, m, _r in tab.values() if m == "reference_unit_value")
        rows.append(f"| {year} | {len(tab):,} | {n_ref:,} | {cpu:.3f} | {wall:.3f} |")
    eff_rows: list[str] = []
    try:
        from tradepolicy.datasets.readers.customs import read_census_hs10_duties_2024
        from tradepolicy.services import tariff_effective as eff

        frame, layout = eff.normalise_imports(read_census_hs10_duties_2024())
        for label in ("first call", "warm"):
            r, cpu, wall = _timed(lambda: eff.effective(frame, layout=layout, date="2024-07-01"))
            eff_rows.append(f"| {label} | {len(frame):,} | {r.coverage['reference_unit_value_ave']:.2%} | "
                            f"{r.coverage['not_statable']:.2%} | {cpu:.2f} | {wall:.2f} |")
    except Exception as exc:  # the dataset may be absent
        eff_rows.append(f"| skipped: {type(exc).__name__}: {exc} | | | | | |")
    load1 = os.getloadavg()
    text = "\n".join([
        "# Reference unit values (issue 13)", "",
        f"Machine: {', '.join(f'{k} {v}' for k, v in _machine().items())}. Load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end "
        "(2 cores shared): wall times are inflated by the load; CPU times are the process's.", "",
        "## Aggregate AVE table of HTS 2024, one build per year (cold)", "",
        "| year | lines with an aggregate AVE | of which at a reference price | CPU s | wall s |",
        "|---|---|---|---|---|", *rows, "",
        "## tariff effective, Census duties file, 2024-07-01", "",
        "| run | rows | value at a reference price | not statable | CPU s | wall s |",
        "|---|---|---|---|---|---|", *eff_rows, "",
    ])
    out = HERE / "results" / "tariff_reference_prices.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

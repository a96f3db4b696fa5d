"""Load the process-wide tables before the server accepts requests (``serve``; TRADEPOLICY_WARMUP).

The tariff loaders (HTS sources, the 2017 database, AD/CVD orders, measures) take a few
seconds on first use. ``serve`` calls :func:`warm_up` once, before it listens, so the first
requests after startup do not each wait for them (they are cached process-wide with
:func:`tradepolicy.once.once`). A dataset that is absent is skipped: its routes answer with
their own "dataset missing" error later.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from tradepolicy.errors import TradePolicyError

log = logging.getLogger("tradepolicy.warmup")
_WARM = {"tariffs": False}


def tables_warm() -> bool:
    """Return True once :func:`warm_up` loaded the tariff tables of every schedule source in this process."""
    return _WARM["tariffs"]


def warm_up() -> dict[str, float | str]:
    """Run one representative call per cached domain; return seconds (or the skip reason) per step."""
    out: dict[str, float | str] = {}
    t0 = time.perf_counter()
    from tradepolicy.law.procedures import bundled_procedures
    from tradepolicy.law.rules import bundled_rules

    bundled_rules()
    bundled_procedures()
    out["law"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    try:
        from tradepolicy.services import tariffs
        from tradepolicy.tariffs.dated_measures import as_date

        # One stack per schedule source (each loads its own table), and today's.
        dates = [as_date(s["from"]) for s in tariffs.sources_in_order()] + [dt.date.today()]
        for d in dates:
            tariffs.stack_entry("8471.30.01.00", "CHN", d + dt.timedelta(days=40))
        out["tariffs.stack"] = round(time.perf_counter() - t0, 3)
        _WARM["tariffs"] = True
    except TradePolicyError as exc:  # e.g. a dataset absent from mirror and cache
        out["tariffs.stack"] = f"skipped: {exc.message}"
    log.debug("warm-up: %s", out)
    return out

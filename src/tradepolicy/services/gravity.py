"""Gravity estimation service: run a named PPML preset on its registered dataset.

Loads the dataset through the registry (sha256-verified), runs the preset, compares with
the published figures and, on request, stores the result as a run (``kind="gravity_ppml"``)
with a manifest of dataset hashes, code version and parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from tradepolicy import __version__
from tradepolicy.config import get_settings
from tradepolicy.datasets.readers.gravity import (
    read_agtpa,
    read_gegravity_sample,
    read_wiod_zylkin,
)
from tradepolicy.datasets.registry import get_dataset
from tradepolicy.economics.gravity import PRESETS, PPMLResult, get_preset, run_preset
from tradepolicy.store.audit import record
from tradepolicy.store.db import transaction
from tradepolicy.store.models import Run

__all__ = [
    "READERS",
    "RUN_KIND",
    "list_presets",
    "load_preset_data",
    "run_gravity_preset",
    "run_monte_carlo_ge",
]

RUN_KIND = "gravity_ppml"

# dataset id -> (reader, files it reads)
READERS: dict[str, tuple[Callable[[], pd.DataFrame], tuple[str, ...]]] = {
    "agtpa": (read_agtpa, ("agtpa_applications.parquet",)),
    "gegravity-sample": (read_gegravity_sample, ("sample_data_set.dlm",)),
    "wiod-zylkin": (read_wiod_zylkin, ("GE_gravity_example_data.dta",)),
}


def list_presets() -> list[dict[str, Any]]:
    """Return every preset: name, dataset, title, formula, cluster, sample, published."""
    return [
        {
            "name": p.name, "dataset": p.dataset, "title": p.title, "formula": p.formula,
            "cluster": p.cluster, "sample": p.sample, "source": p.source,
            "published": dict(p.published), "published_se": dict(p.published_se),
            "published_n": p.published_n,
        }
        for p in PRESETS.values()
    ]


def load_preset_data(name: str) -> pd.DataFrame:
    """Return the reader frame of the dataset a preset runs on."""
    preset = get_preset(name)
    reader, _files = READERS[preset.dataset]
    return reader()


def _inputs(dataset: str) -> dict[str, str]:
    ds = get_dataset(dataset)
    wanted = set(READERS[dataset][1])
    return {f"{dataset}/{f.path}": f.sha256 for f in ds.files if f.path in wanted}


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def result_dict(name: str, res: PPMLResult) -> dict[str, Any]:
    """Return a JSON-ready result with the published comparison."""
    preset = get_preset(name)
    rows = []
    for var in res.coefficients.index:
        pub = preset.published.get(var)
        pub_se = preset.published_se.get(var)
        rows.append({
            "variable": var,
            "estimate": _num(res.coefficients[var]),
            "std_error": _num(res.std_errors[var]),
            "published": pub,
            "published_se": pub_se,
            "difference": None if pub is None else _num(res.coefficients[var] - pub),
        })
    return {
        "preset": name,
        "formula": res.formula,
        "coefficients": rows,
        "n_obs": res.n_obs,
        "n_input": res.n_input,
        "published_n": preset.published_n,
        "dropped": [{"reason": d.reason, "count": d.count, "detail": d.detail}
                    for d in res.dropped],
        "vcov": res.vcov_type,
        "ssc": res.ssc,
        "deviance": _num(res.deviance),
        "source": preset.source,
        "sample": preset.sample,
    }


def run_gravity_preset(
    name: str, *, store: bool = False, actor: str | None = None
) -> dict[str, Any]:
    """Estimate the preset ``name``; optionally store it as a run.

    Returns the result dict (see :func:`result_dict`) plus ``manifest`` and, when stored,
    ``run_id``.
    """
    preset = get_preset(name)
    res = run_preset(name, load_preset_data(name))
    out = result_dict(name, res)
    manifest = {
        "inputs": _inputs(preset.dataset),
        "parameters": {"preset": name, "formula": preset.formula, "cluster": preset.cluster},
        "code_version": __version__,
    }
    out["manifest"] = manifest
    if store:
        who = actor or get_settings().user
        with transaction() as s:
            run = Run(kind=RUN_KIND, created_by=who, inputs=manifest["inputs"],
                      parameters=manifest["parameters"], law_version="n/a",
                      code_version=__version__,
                      results={k: v for k, v in out.items() if k != "manifest"})
            s.add(run)
            s.flush()
            record(s, actor=who, action="create", entity="run", entity_id=str(run.id),
                   before=None, after={"id": run.id, "kind": RUN_KIND, "preset": name})
            out["run_id"] = run.id
    return out


def run_monte_carlo_ge(executor: str | None = None, **kwargs: Any) -> Any:
    """Run :func:`tradepolicy.economics.montecarlo.monte_carlo_ge` on an executor.

    ``executor`` is ``serial | process | dask`` (default: ``TRADEPOLICY_EXECUTOR``); with
    ``dask`` the blocks of draws go to ``TRADEPOLICY_DASK_ADDRESS`` or a LocalCluster.
    Other keyword arguments are those of ``monte_carlo_ge``.
    """
    from tradepolicy.economics.montecarlo import monte_carlo_ge
    from tradepolicy.services.executor import get_executor

    with get_executor(executor) as ex:
        return monte_carlo_ge(map_fn=ex.map, **kwargs)

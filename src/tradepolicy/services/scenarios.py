"""Run, store and compare scenarios (YAML files): the use case behind CLI, API and pages.

``run_scenario`` reads a scenario file (or an example by name), loads its data through the
dataset registry (sha256-verified), evaluates it with the engines, attaches a manifest
(dataset hashes, law version, code version, parameters, seed, as-of date) and stores the
run in the append-only ``runs`` table with an audit entry.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import select

from tradepolicy import __version__
from tradepolicy.datasets.registry import get_dataset
from tradepolicy.economics.scenarios import Scenario, ScenarioResult, evaluate, load_scenario_text
from tradepolicy.economics.scenarios.result import clean
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.platform.principal import acting_name
from tradepolicy.services.runs import add_run
from tradepolicy.services.scenarios_types import (
    CountryDiff,
    DatasetFile,
    ExampleInfo,
    ParameterDiff,
    RunManifest,
    RunRef,
    ScenarioComparison,
    ScenarioRun,
    ScenarioRunSummary,
    StatisticDiff,
    StoredScenarioRun,
)
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import Run

RUN_KIND = "scenario"
REPO = Path(__file__).resolve().parents[3]

# Which registered files each dataset id contributes to a scenario (for the manifest).
DATASET_FILES: dict[str, tuple[str, ...]] = {
    "baci-shrimp-2018": ("standardized_baci_seafood_hs12_y2018_including_value.csv",),
    "gsim-4x4-example": ("gsim_4x4_inputs.csv", "gsim_4x4_elasticities.csv"),
    "us-trade-by-partner": ("usitc_dataweb_us_trade_by_country_1989-2025.csv",),
    "wiod-zylkin": ("TradeData0014.csv",),
    "agtpa": ("agtpa_applications.parquet",),
}
SUPPORTED = {
    "smart": ("baci-shrimp-2018",),
    "gsim": ("gsim-4x4-example", "baci-shrimp-2018"),
    "enforcement": ("baci-shrimp-2018", "us-trade-by-partner"),
    "ge": ("wiod-zylkin", "agtpa"),
    "ge_ppml": ("agtpa",),
}


def examples_dir() -> Path:
    """Return the folder of example scenarios (``TRADEPOLICY_EXAMPLES_DIR`` or the repo's)."""
    env = os.environ.get("TRADEPOLICY_EXAMPLES_DIR")
    return Path(env) if env else REPO / "examples" / "scenarios"


def list_examples() -> list[ExampleInfo]:
    """List the example scenarios with name, title, model and file."""
    out = []
    for p in sorted(examples_dir().glob("*.yaml")):
        sc = load_scenario_text(p.read_text(encoding="utf-8"), source=str(p))
        ds = sc.data.get("dataset")
        out.append(ExampleInfo(name=sc.name, title=sc.title, model=sc.model, dataset=None if ds is None else str(ds),
                               description=sc.description, file=p.name))
    return out


def resolve(source: str | Path) -> Path:
    """Return the path of a scenario file, or of the example whose name is ``source``."""
    p = Path(source)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise NotFoundError(f"No scenario file {str(p)!r}.", where=str(p), field="file",
                                expected="a readable .yaml file", example="examples/scenarios/shrimp-preference-smart.yaml")
        return p
    for cand in (examples_dir() / f"{source}.yaml",):
        if cand.is_file():
            return cand
    names = [e.name for e in list_examples()]
    raise NotFoundError(f"No scenario file or example named {str(source)!r}.", where=str(source), field="scenario",
                        expected="a .yaml path or one of: " + ", ".join(names), example=names[0] if names else "")


EXAMPLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$")


def example_path(name: str) -> Path:
    """Return the file of the example scenario called ``name`` (a bare name, never a path).

    This is the entry point for the API and the web pages: a client names an example, the
    server never opens a path a client gives. Anything but a known example name is refused
    without reading any file.
    """
    names = sorted(p.stem for p in examples_dir().glob("*.yaml"))
    if not isinstance(name, str) or not EXAMPLE_NAME.match(name) or name not in names:
        raise NotFoundError("No example scenario of that name.", field="example",
                            expected="one of: " + ", ".join(names), example=names[0] if names else "")
    return examples_dir() / f"{name}.yaml"


def run_example(name: str, *, store: bool = True, actor: str | None = None) -> ScenarioRun:
    """Run the example scenario called ``name`` (API and web form; see :func:`example_path`)."""
    return run_scenario(example_path(name), store=store, actor=actor)


def load_scenario(source: str | Path) -> Scenario:
    """Read and validate a scenario file (or example name)."""
    p = resolve(source)
    return load_scenario_text(p.read_text(encoding="utf-8"), source=str(p))


# ------------------------------------------------------------------ data
def _dataset_manifest(dataset_id: str) -> list[DatasetFile]:
    ds = get_dataset(dataset_id)
    files = DATASET_FILES.get(dataset_id, ())
    return [DatasetFile(dataset=dataset_id, file=f.path, sha256=f.sha256, citation=ds.citation)
            for f in ds.files if f.path in files]


def _check_dataset(sc: Scenario) -> str:
    ds = str(sc.data["dataset"])
    allowed = SUPPORTED[sc.model]
    if ds not in allowed:
        raise InputError(f"Model {sc.model!r} cannot read dataset {ds!r}.", where=sc.source, field="data.dataset",
                         expected=" | ".join(allowed), example=allowed[0])
    return ds


# data keys that a dataset cannot honour (refused rather than ignored)
_UNUSED_DATA_KEYS = {
    "us-trade-by-partner": {"products": "US aggregate trade has no product detail",
                            "importer": "the data are US imports; the importer is USA"},
    "baci-shrimp-2018": {"year": "the extract is 2018 only"},
    "gsim-4x4-example": {"product": "the example has one product"},
}


def _check_data_keys(sc: Scenario, ds: str) -> None:
    for key, why in _UNUSED_DATA_KEYS.get(ds, {}).items():
        if key in sc.data and not (key == "importer" and sc.data[key] == "USA") and not (
                key == "year" and sc.data[key] == 2018):
            raise InputError(f"data.{key} cannot be used with {ds}: {why}.", where=sc.source, field=f"data.{key}",
                             expected=f"no data.{key} for {ds}", example=f"dataset: {ds}")


def load_inputs(sc: Scenario) -> dict[str, pd.DataFrame | str]:
    """Load the frames a scenario needs through the dataset registry (sha256-verified)."""
    ds = _check_dataset(sc)
    _check_data_keys(sc, ds)
    if sc.model == "smart" or (sc.model == "enforcement" and ds == "baci-shrimp-2018"):
        from tradepolicy.datasets.readers.baci import read_baci_shrimp_market

        mk = read_baci_shrimp_market(str(sc.data.get("importer", "")))
        if mk.empty:
            raise InputError(f"Importer {sc.data.get('importer')!r} has no shrimp imports in BACI 2018.",
                             where=sc.source, field="data.importer", expected="an ISO3 importer in the data",
                             example="USA")
        if sc.model == "enforcement" and sc.data.get("products"):
            mk = mk[mk["hs6"].isin([str(p) for p in sc.data["products"]])]
        mk = mk.rename(columns={"value_kusd": "value"})
        if sc.model == "enforcement":
            mk = mk.groupby("partner", as_index=False).agg(value=("value", "sum"))
        return {"market": mk, "unit": "thousand US$"}
    if sc.model == "enforcement":
        from tradepolicy.datasets.readers.trade import read_us_trade_by_partner

        t = read_us_trade_by_partner()
        year = int(sc.data.get("year", 2017))
        t = t[(t["flow"] == "general_imports_customs_value") & (t["year"] == year) & (t["value_usd"] > 0)]
        if t.empty:
            raise InputError(f"No US general imports in us-trade-by-partner for year {year}.", where=sc.source,
                             field="data.year", expected="a year from 1989 to 2025", example="2017")
        # DataWeb names have no ISO3 upstream: readers.trade.dataweb_iso3 maps them. Names that
        # share a code (Gaza Strip + West Bank = PSE; a state and its "prior to" row in the split
        # year) are added up; the few non-country rows (Transshipment...) keep iso3 None.
        key = t["iso3"].fillna("name:" + t["country"])
        mk = (t.assign(key=key).groupby("key", sort=False)
              .agg(partner=("country", " + ".join), iso3=("iso3", "first"), value=("value_usd", "sum"))
              .reset_index(drop=True))
        mk["value"] = mk["value"] / 1e6
        return {"market": mk, "unit": "million US$"}
    if sc.model == "gsim":
        if ds == "gsim-4x4-example":
            from tradepolicy.datasets.readers.gsim import read_gsim_4x4

            inputs, _ = read_gsim_4x4()
            return {"flows": inputs.rename(columns={"trade_value": "value"}), "unit": "value units of the example"}
        from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

        df = read_baci_shrimp_2018()
        prod = str(sc.data.get("product", "030617"))
        lines = sorted(df["hs6"].astype(str).unique())
        df = df[df["hs6"] == prod]
        if df.empty:
            raise InputError(f"No BACI 2018 shrimp trade for product {prod!r}.", where=sc.source, field="data.product",
                             expected="one of " + ", ".join(lines) + " (quoted, so YAML keeps the leading 0)",
                             example='"030617"')
        out = pd.DataFrame({"exporter": df["exporter"].fillna("TWN").replace("N/A", "TWN"),
                            "importer": df["importer"].fillna("TWN").replace("N/A", "TWN"),
                            "value": df["value_kusd"].astype(float)})
        flows = cast(pd.DataFrame, out.groupby(["exporter", "importer"], as_index=False)["value"].sum())
        return {"flows": flows, "unit": "thousand US$"}
    if sc.model == "ge":
        from tradepolicy.datasets.readers.gravity import read_agtpa, read_wiod_zylkin

        return {"flows": read_wiod_zylkin() if ds == "wiod-zylkin" else read_agtpa(), "unit": "percent"}
    from tradepolicy.datasets.readers.gravity import read_agtpa

    return {"flows": read_agtpa(), "unit": "percent"}


# ------------------------------------------------------------------ manifest
@cache
def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@cache
def _src_dirty() -> bool:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "diff", "--quiet", "HEAD", "--", "src"], capture_output=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 1


def code_version() -> str:
    """Return the package version plus the git commit (``.dirty`` if src/ differs) from a checkout."""
    commit = _git_commit()
    if not commit:
        return __version__
    return f"{__version__}+g{commit}" + (".dirty" if _src_dirty() else "")


def law_version() -> str:
    """Return the version of the bundled law rule book."""
    try:
        from tradepolicy.law.rules import bundled_rules

        return str(bundled_rules().version)
    except Exception:  # the rule book is optional for analysis; say so rather than fail
        return "unavailable"


def manifest(sc: Scenario) -> RunManifest:
    """Return the provenance manifest of a scenario run."""
    return RunManifest(
        scenario=sc.name, source_file=Path(sc.source).name, model=sc.model,
        datasets=_dataset_manifest(str(sc.data["dataset"])),
        law_version=law_version(), code_version=code_version(),
        parameters=clean(sc.to_dict()), seed=sc.seed,
        as_of=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        python=platform.python_version(), numpy=np.__version__,
    )


# ------------------------------------------------------------------ runs
def _run_view(r: Run) -> StoredScenarioRun:
    res = r.results or {}
    return StoredScenarioRun(id=r.id, kind=r.kind, created_at=r.created_at.isoformat() if r.created_at else None,
                             created_by=r.created_by, inputs=r.inputs, parameters=r.parameters,
                             law_version=r.law_version, code_version=r.code_version, results=res,
                             parent_id=r.parent_id, name=res.get("name"), title=res.get("title"),
                             model=res.get("model"))


def evaluate_scenario(sc: Scenario) -> tuple[ScenarioResult, RunManifest]:
    """Load inputs, evaluate, and return (result, manifest) without storing anything."""
    inputs = load_inputs(sc)
    result = evaluate(sc, inputs)
    return result, manifest(sc)


def run_scenario(source: str | Path | Scenario, *, store: bool = True, actor: str | None = None) -> ScenarioRun:
    """Run a scenario file (or example name, or parsed scenario); store it unless ``store=False``.

    Returns a :class:`ScenarioRun` (id, results, manifest); ``id`` is None when not stored
    (``results`` is the payload name of every run, as in ``services.runs``).
    """
    sc = source if isinstance(source, Scenario) else load_scenario(source)
    result, man = evaluate_scenario(sc)
    results = result.to_dict()
    run_id = _store(sc, results, man, actor=actor) if store else None
    return ScenarioRun(id=run_id, results=results, manifest=man)


def run_scenario_text(text: str, *, store: bool = True, actor: str | None = None,
                      source: str = "<request>") -> ScenarioRun:
    """Run a scenario given as YAML text (API / web form); same result as :func:`run_scenario`."""
    if len(text) > 200_000:
        raise InputError("The scenario text is too long (over 200,000 characters).", where=source, field="yaml",
                         expected="a scenario file of a few kB", example="name: my-scenario")
    return run_scenario(load_scenario_text(text, source=source), store=store, actor=actor)


def _store(sc: Scenario, result: dict[str, Any], man_: RunManifest, *, actor: str | None) -> int:
    man = man_.to_dict()
    actor = actor or acting_name()
    with transaction() as s:
        parent = s.execute(select(Run.id).where(Run.kind == RUN_KIND).where(Run.parent_id.is_(None))
                           .where(Run.inputs["scenario"].as_string() == sc.name).order_by(Run.id)).first()
        run = add_run(s, kind=RUN_KIND, actor=actor,
                      inputs={"scenario": sc.name, "source_file": man["source_file"],
                              "datasets": man["datasets"]},
                      parameters=man["parameters"], results={**result, "manifest": man},
                      law_version=man["law_version"], code_version=man["code_version"],
                      parent_id=parent[0] if parent else None)
        return int(run.id)


def get_run(run_id: int) -> StoredScenarioRun:
    """Return one stored scenario run."""
    from tradepolicy.services.runs import get_run_row

    with read_session() as s:
        return _run_view(get_run_row(s, int(run_id), (RUN_KIND,), "scenario"))


def list_runs(limit: int = 50) -> list[ScenarioRunSummary]:
    """List the newest scenario runs (without their full results)."""
    from tradepolicy.services.runs import list_run_rows

    with read_session() as s:
        out = []
        for r in list_run_rows(s, (RUN_KIND,), limit=limit):
            v = _run_view(r)
            out.append(ScenarioRunSummary(
                id=v.id, kind=v.kind, created_at=v.created_at, created_by=v.created_by, inputs=v.inputs,
                parameters=v.parameters, law_version=v.law_version, code_version=v.code_version,
                parent_id=v.parent_id, name=v.name, title=v.title, model=v.model))
        return out


def _is_id(ref: str | int | Path) -> bool:
    return isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit())


def _as_results(refs: tuple[str | int | Path, ...]) -> list[StoredScenarioRun]:
    """Return stored runs (by id) or run files / examples for comparison.

    Every reference is resolved and every file evaluated before anything is stored, so a
    comparison that fails on B stores no run of A.
    """
    stored = {i: get_run(int(str(r))) for i, r in enumerate(refs) if _is_id(r)}
    pending: dict[int, tuple[Scenario, ScenarioResult, RunManifest]] = {}
    for i, r in enumerate(refs):
        if i not in stored:
            sc = load_scenario(r if isinstance(r, Path) else str(r))
            res, man = evaluate_scenario(sc)
            pending[i] = (sc, res, man)
    for i, (sc, res, man) in pending.items():
        stored[i] = get_run(_store(sc, res.to_dict(), man, actor=None))
    return [stored[i] for i in range(len(refs))]


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def compare(a: str | int | Path, b: str | int | Path) -> ScenarioComparison:
    """Compare two runs side by side: summaries, parameter differences and rows by ISO3.

    Each of ``a`` and ``b`` is a stored run id or a scenario file / example name (which is
    run and stored first). Numeric differences are B minus A.
    """
    ra, rb = _as_results((a, b))
    res_a, res_b = ra.results, rb.results
    # Differences only between like quantities: same model (so the same statistics mean the
    # same thing) and the same unit. Otherwise the values are shown side by side, undiffed.
    comparable = res_a.get("model") == res_b.get("model") and res_a.get("unit") == res_b.get("unit")
    sa, sb = res_a.get("summary", {}), res_b.get("summary", {})
    summary = []
    for k in list(dict.fromkeys([*sa, *sb])):
        va, vb = sa.get(k), sb.get(k)
        diff = (vb - va if comparable and isinstance(va, int | float) and isinstance(vb, int | float)
                and not isinstance(va, bool) and not isinstance(vb, bool) else None)
        summary.append({"statistic": k, "a": va, "b": vb, "b_minus_a": diff})
    pa, pb = _flatten(ra.parameters or {}), _flatten(rb.parameters or {})
    params = [{"parameter": k, "a": pa.get(k), "b": pb.get(k)} for k in sorted(set(pa) | set(pb))
              if pa.get(k) != pb.get(k)]
    cols_a = [c for c in res_a.get("columns", []) if c != "iso3"]
    cols_b = [c for c in res_b.get("columns", []) if c != "iso3"]
    metric_a = res_a.get("chart", {}).get("metric")
    metric_b = res_b.get("chart", {}).get("metric")
    # Rows are keyed by ISO3; the rare row without one (DataWeb "Transshipment") by its name.
    by_a = {r.get("iso3") or r.get("partner"): r for r in res_a.get("rows", [])}
    by_b = {r.get("iso3") or r.get("partner"): r for r in res_b.get("rows", [])}
    rows = []
    for iso in list(dict.fromkeys([*by_a, *by_b])):
        va = by_a.get(iso, {}).get(metric_a) if metric_a in cols_a else None
        vb = by_b.get(iso, {}).get(metric_b) if metric_b in cols_b else None
        diff = (vb - va if comparable and metric_a == metric_b and isinstance(va, int | float)
                and isinstance(vb, int | float) else None)
        rows.append({"iso3": iso, "a": va, "b": vb, "b_minus_a": diff})
    note = None if comparable and metric_a == metric_b else (
        f"A is {res_a.get('model')} ({metric_a}, {res_a.get('unit')}) and B is {res_b.get('model')} "
        f"({metric_b}, {res_b.get('unit')}): different quantities, shown side by side without differences.")
    out = clean({
        "comparable": note is None, "note": note,
        "a": {"id": ra.id, "name": res_a.get("name"), "model": res_a.get("model"), "metric": metric_a,
              "unit": res_a.get("unit"), "sign_convention": res_a.get("sign_convention")},
        "b": {"id": rb.id, "name": res_b.get("name"), "model": res_b.get("model"), "metric": metric_b,
              "unit": res_b.get("unit"), "sign_convention": res_b.get("sign_convention")},
        "summary": summary, "parameter_diff": params, "rows": rows,
    })
    return ScenarioComparison(comparable=out["comparable"], note=out["note"], a=RunRef(**out["a"]),
                              b=RunRef(**out["b"]), summary=[StatisticDiff(**x) for x in out["summary"]],
                              parameter_diff=[ParameterDiff(**x) for x in out["parameter_diff"]],
                              rows=[CountryDiff(**x) for x in out["rows"]])

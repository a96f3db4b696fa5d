"""Executors: serial, process and Dask (LocalCluster) run the same sweep to the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tests.economics.test_montecarlo import make_world
from tradepolicy.config import reset_settings
from tradepolicy.economics.montecarlo import monte_carlo_ge
from tradepolicy.errors import InputError
from tradepolicy.services.executor import DaskExecutor, Executor, get_executor


def square(x: int) -> int:
    return x * x


def mc_kwargs() -> dict:
    data, z, cf, coefs = make_world(n=12)
    return dict(data=data, cost_variables=z, counterfactual=cf, coefficients=coefs,
                covariance=np.diag([0.03, 0.1, 0.1]) ** 2, sigma=5, reference="C00",
                draws=12, block=3, seed=5)


def test_serial_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    with get_executor("serial") as ex:
        assert isinstance(ex, Executor)
        assert ex.map(square, [1, 2, 3]) == [1, 4, 9]
    monkeypatch.setenv("TRADEPOLICY_EXECUTOR", "serial")
    reset_settings()
    try:
        assert get_executor().kind == "serial"
    finally:
        reset_settings()
    with pytest.raises(InputError, match="Expecting one of"):
        get_executor("spark")


def test_dask_local_cluster_threads_gives_identical_monte_carlo() -> None:
    # Oracle: the serial run of the same seeded sweep; blocks are independent, so the
    # numbers must be bit-identical whichever executor maps them.
    kw = mc_kwargs()
    serial = monte_carlo_ge(**kw)  # type: ignore[arg-type]
    with get_executor("dask", processes=False, dashboard_address=None, n_workers=1,
                      threads_per_worker=2) as ex:
        assert isinstance(ex, DaskExecutor)
        assert ex.map(square, range(5)) == [0, 1, 4, 9, 16]
        assert ex.map(square, []) == []
        dask_run = monte_carlo_ge(**kw, map_fn=ex.map)  # type: ignore[arg-type]
    np.testing.assert_array_equal(serial.samples["full_real_gdp"],
                                  dask_run.samples["full_real_gdp"])


@pytest.mark.slow
def test_dask_local_cluster_processes_smoke() -> None:
    with DaskExecutor(processes=True, n_workers=2, threads_per_worker=1,
                      dashboard_address=None) as ex:
        assert ex.map(square, [3, 4]) == [9, 16]


def test_process_pool_gives_identical_monte_carlo() -> None:
    kw = mc_kwargs()
    serial = monte_carlo_ge(**kw)  # type: ignore[arg-type]
    with get_executor("process", max_workers=2) as ex:
        par = monte_carlo_ge(**kw, map_fn=ex.map)  # type: ignore[arg-type]
    np.testing.assert_array_equal(serial.samples["full_welfare"], par.samples["full_welfare"])


def test_monte_carlo_service_uses_the_named_executor() -> None:
    # The service opens the executor named by the caller and hands it the blocks.
    from tradepolicy.services.gravity import run_monte_carlo_ge

    kw = mc_kwargs()
    serial = monte_carlo_ge(**kw)  # type: ignore[arg-type]
    via = run_monte_carlo_ge("serial", **kw)
    np.testing.assert_array_equal(serial.samples["full_exports"], via.samples["full_exports"])


def test_dask_executor_connects_to_tradepolicy_dask_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A user pointing the sweep at a running scheduler: TRADEPOLICY_DASK_ADDRESS.
    from distributed import LocalCluster

    with LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        monkeypatch.setenv("TRADEPOLICY_DASK_ADDRESS", cluster.scheduler_address)
        reset_settings()
        try:
            with get_executor("dask") as ex:
                assert ex.client.scheduler.address == cluster.scheduler_address
                assert ex.map(square, [5]) == [25]
        finally:
            monkeypatch.delenv("TRADEPOLICY_DASK_ADDRESS")
            reset_settings()

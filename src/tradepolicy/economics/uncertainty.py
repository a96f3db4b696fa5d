"""One uncertainty loop for every model: seeded draws, a runner over blocks, the band.

``monte_carlo(runner, draw, draws=D, seed=s)`` seeds ``np.random.default_rng(s)``, asks
``draw(rng, D)`` for the model's parameter draws (arrays with a leading draw axis), hands them
to ``runner`` in blocks of draws (through any ``map``, e.g. an executor's) and joins the
runner's outputs along the draw axis into a :class:`DrawBand`. The PE scenario models
(SMART, GSIM, enforcement; triangular elasticity draws) and the GE Monte Carlo
(``economics.montecarlo.monte_carlo_ge``; normal coefficient and σ draws) all go through it,
so a band is reproducible from its seed and draw count alone.

``one_at_a_time(bands, run)`` is the companion sensitivity loop: each banded parameter at its
low, central and high value, the others at their central values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from tradepolicy.errors import InputError

__all__ = ["DrawBand", "MapFn", "monte_carlo", "one_at_a_time"]

MapFn = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]
Runner = Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]]
Draw = Callable[[np.random.Generator, int], Mapping[str, np.ndarray]]


class _Band(Protocol):
    def values(self) -> dict[str, float]: ...


@dataclass(frozen=True, eq=False)
class DrawBand:
    """The draws of one Monte Carlo and what the runner made of them.

    ``parameters``: name -> (D, ...) drawn values; ``samples``: name -> (D, ...) the runner's
    outputs, blocks joined along the first axis; ``block``: draws per runner call.
    """

    draws: int
    seed: int
    block: int
    parameters: dict[str, np.ndarray]
    samples: dict[str, np.ndarray]

    def percentile(self, name: str, q: float) -> np.ndarray:
        """Return the ``q``-th percentile of ``samples[name]`` over draws."""
        return np.asarray(np.percentile(self.samples[name], q, axis=0))


def _serial(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    return [fn(x) for x in items]


def monte_carlo(runner: Runner, draw: Draw, *, draws: int, seed: int, block: int | None = None,
                map_fn: MapFn | None = None) -> DrawBand:
    """Draw parameters with ``np.random.default_rng(seed)`` and run the model on every draw.

    Parameters
    ----------
    runner
        ``runner(params) -> {name: (d, ...) array}`` for a block of ``d`` draws (``params``
        also carries ``draw``, the indices of the block's draws, so its size is known even
        when nothing is drawn); must be picklable when ``map_fn`` sends it to other processes.
    draw
        ``draw(rng, D) -> {name: (D, ...) array}``: the model's parameter draws.
    draws, seed
        Number of draws D and the seed of the generator.
    block
        Draws per runner call (default: all at once).
    map_fn
        ``map(fn, items) -> list`` used to run the blocks; default in-process.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not 1 <= draws <= 10_000_000:
        raise InputError(f"draws must be between 1 and 10,000,000; got {draws!r}.", field="draws",
                         expected="1 <= draws <= 10000000", example="1000")
    size = int(block or draws)
    if size < 1:
        raise InputError(f"block must be an integer >= 1; got {block!r}", field="block",
                         expected="an integer >= 1", example="10")
    rng = np.random.default_rng(seed)
    params = {k: np.asarray(v) for k, v in draw(rng, int(draws)).items()}
    params["draw"] = np.arange(int(draws))
    tasks = [{k: v[s:s + size] for k, v in params.items()} for s in range(0, int(draws), size)]
    outs = (map_fn or _serial)(runner, tasks)
    samples = {k: np.concatenate([np.asarray(o[k]) for o in outs]) for k in outs[0]}
    return DrawBand(draws=int(draws), seed=seed, block=size, parameters=params, samples=samples)


def one_at_a_time(bands: Mapping[str, _Band], run: Callable[[str, float], Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run each banded parameter at its low, central and high value (the others central).

    ``run(name, value)`` returns the model's summary at that setting; each row is
    ``{parameter, setting, value, **summary}``.
    """
    rows = []
    for name, b in bands.items():
        for setting, v in b.values().items():
            rows.append({"parameter": name, "setting": setting, "value": v, **run(name, v)})
    return rows

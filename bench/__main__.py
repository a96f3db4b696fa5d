"""Run every benchmark module (or those named): ``python -m bench [name ...]``.

Each module ``bench/<name>.py`` has a ``main()`` that prints its figures and writes
``bench/results/<name>.md``; this runner then merges those files into ``bench/RESULTS.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo (or "unknown CPU")."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def machine() -> str:
    """Describe the machine the figures were measured on."""
    import os

    import numpy

    cpu = cpu_model()

    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}; {platform.system()} {platform.release()}")


def merge_results() -> Path:
    """Merge bench/results/*.md into bench/RESULTS.md."""
    parts = ["# Benchmark results\n",
             "Each section is written by its benchmark (`make bench`, or `python -m bench NAME`).",
             "Timings on a shared 2-core machine are noisy: peers are compared by ratio in the same run.\n",
             f"Last merged on: {machine()}\n"]
    for f in sorted((HERE / "results").glob("*.md")):
        parts.append(f.read_text().strip() + "\n")
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts))
    return out


def main(argv: list[str]) -> int:
    """Run the named benchmark modules, or all of them."""
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(HERE)])
                           if not m.name.startswith("_") and not m.name.endswith("_data"))
    failed = []
    for name in names:
        mod = importlib.import_module(f"bench.{name}")
        if not hasattr(mod, "main"):
            continue
        print(f"== bench.{name}", flush=True)
        t0 = time.perf_counter()
        try:
            mod.main()
        except Exception as exc:  # report and go on with the others
            failed.append(name)
            print(f"bench.{name} failed: {type(exc).__name__}: {exc}", flush=True)
        print(f"== bench.{name} done in {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"merged into {merge_results()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

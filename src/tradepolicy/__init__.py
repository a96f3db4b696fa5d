"""tradepolicy: the work of a trade representative's office, as open-source software."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tradepolicy")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

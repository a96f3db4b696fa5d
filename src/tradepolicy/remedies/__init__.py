"""Trade remedies engines: anti-dumping margins and countervailing-duty rates.

Pure functions over pandas frames, numpy arrays and frozen dataclasses. Thresholds
(de minimis, Cohen's d, cost test, arm's length, DIFMER, viability, negligibility...) are
never constants here: every engine takes them as a frozen parameter object
(:class:`ADParameters`, :class:`CVDParameters`) that the service resolves from cited law
YAML. The methodology follows Commerce's generic market-economy SAS program
(``me-macros.sas``) as summarised in the law fact sheet §4.3-4.6.
"""

from tradepolicy.remedies.parameters import ADParameters, CVDParameters

__all__ = ["ADParameters", "CVDParameters"]

"""The partner-screening report (``screen partners --format html|pdf --out FILE``).

Moved here from ``web/pages/economics.py``: the screening itself is computed by
``services.screening.screen``; this module only renders its result.
"""

from __future__ import annotations

from tradepolicy.reports.render import ReportFormat, build_manifest, render_report
from tradepolicy.services.screening import ScreeningReport


def render_screening_report(report: ScreeningReport, *, fmt: ReportFormat | str = "html",
                            label: str = "public") -> bytes:
    """Return the screening ``report`` (from ``services.screening.screen``) as HTML or PDF bytes."""
    top = report.rows[:25]
    series = {r.iso3: r.home_welfare for r in top if r.home_welfare is not None}
    manifest = build_manifest(
        law_version=False,
        parameters={"home": report.home, "dataset": report.dataset, "year": report.year, "beta": report.beta,
                    "sigma": report.sigma, "rank_by": report.rank_by},
        extra={"method": report.method},
    )
    return render_report("economics/screening_report.html", {"rep": report, "series": series},
                         title=f"Partner screening: {report.home}",
                         subtitle=f"{report.dataset} {report.year}",
                         label=label, fmt=fmt, manifest=manifest)

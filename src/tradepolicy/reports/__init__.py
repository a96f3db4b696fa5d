"""Reports: HTML and PDF from the same Jinja templates, offline charts, banners, manifests.

A shell layer (like ``cli/`` and ``web/``): it renders what services return and stores
nothing. See ``docs/platform.md`` (Reports) for the contract.

- :func:`render_report` renders a template under ``reports/templates/`` (or any web template)
  into a stand-alone HTML page or a PDF (WeasyPrint), with a confidentiality banner on every
  page of a non-public report, a table of contents (with page numbers in the PDF), page
  numbers, the citations and the run manifest.
- :func:`chart` draws a line or bar chart with matplotlib (Agg backend) as inline SVG.
- :mod:`tradepolicy.reports.ics` writes iCalendar files; :mod:`tradepolicy.reports.screening`
  the partner-screening report.
"""

from tradepolicy.reports.charts import chart
from tradepolicy.reports.render import (
    BANNERS,
    ReportFormat,
    build_manifest,
    check_format,
    download_headers,
    media_type,
    render_report,
    write_report,
)

__all__ = ["BANNERS", "ReportFormat", "build_manifest", "chart", "check_format", "download_headers", "media_type",
           "render_report", "write_report"]

"""Reports on the command line: ``tradepolicy report ... --format html|pdf --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradepolicy.cli._output import console

report_app = typer.Typer(help="Reports as HTML or PDF (--format html|pdf --out FILE).", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="html | pdf")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the report here (default: stdout for HTML).")]


def _deliver(data: bytes, out: Path | None, fmt: str) -> None:
    import sys

    from tradepolicy.errors import InputError
    from tradepolicy.reports import write_report

    if out is None:
        if fmt == "pdf":
            raise InputError("A PDF report needs --out FILE.", field="--out", expected="a file path",
                             example="--out report.pdf")
        sys.stdout.write(data.decode("utf-8"))
        return
    write_report(data, out)
    console.print(f"wrote {out} ({len(data):,} bytes)", highlight=False, markup=False)


@report_app.command("case")
def report_case(
    case_id: str,
    report_format: FormatOpt = "html",
    out: OutOpt = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD for overdue checks.")] = None,
) -> None:
    """Write the case report: stage, timeline, deadlines beside actual dates, documents, citations."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.reports import check_format
    from tradepolicy.reports.cases import render_case_report

    fmt = check_format(report_format)
    _deliver(render_case_report(case_id, local_operator(), fmt=fmt, as_of=as_of, where="cli"), out, fmt)


@report_app.command("screening")
def report_screening(
    home: Annotated[str, typer.Option(help="ISO3 of the home country.")] = "USA",
    dataset: Annotated[str, typer.Option(help="agtpa | wiod-zylkin")] = "agtpa",
    candidates: Annotated[str | None, typer.Option(help="Comma-separated ISO3 candidates.")] = None,
    rank_by: Annotated[str, typer.Option(help="home | partner | joint")] = "home",
    report_format: FormatOpt = "html",
    out: OutOpt = None,
) -> None:
    """Write the partner-screening report (same as ``screen partners --out FILE --format ...``)."""
    from tradepolicy.reports import check_format
    from tradepolicy.reports.screening import render_screening_report
    from tradepolicy.services.screening import screen

    fmt = check_format(report_format)
    cands = [c.strip().upper() for c in candidates.split(",")] if candidates else None
    rep = screen(home=home, dataset=dataset, candidates=cands, rank_by=rank_by)
    _deliver(render_screening_report(rep, fmt=fmt), out, fmt)


def register(app: typer.Typer) -> None:
    """Add the ``report`` group."""
    app.add_typer(report_app, name="report")

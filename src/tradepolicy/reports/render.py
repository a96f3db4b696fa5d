"""Render a report: one Jinja template, two outputs (stand-alone HTML, PDF by WeasyPrint).

A report template renders the report's *body*: sections under ``<h2>`` headings, tables,
charts (``{{ chart("bar", series) }}``). :func:`render_report` wraps it in the layout
(``reports/templates/_layout.html``): title block, confidentiality banner, table of contents,
the body, the citations and the manifest. In the PDF the banner sits in the top and bottom
margin boxes of *every* page, pages are numbered "Page N of M", and the table of contents
carries each section's page number (CSS ``target-counter``).

The PDF renderer fetches nothing: images must be inline (SVG, ``data:`` URIs); any other URL a
template names is refused, so no report can make the server read a file or a URL.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tradepolicy import __version__
from tradepolicy.errors import InputError, OptionalDependencyError
from tradepolicy.platform.labels import check_label, is_confidential
from tradepolicy.reports.charts import chart

ReportFormat = Literal["html", "pdf"]
FORMATS: tuple[str, ...] = ("html", "pdf")

BANNERS: dict[str, str] = {
    "bci": "BUSINESS CONFIDENTIAL INFORMATION (BCI) - do not release",
    "apo": "APO MATERIAL - administrative protective order: authorised applicants only",
    "restricted": "RESTRICTED - government internal, not for public release",
}
"""The banner printed on every page of a report with that label (public reports carry none)."""

_env: Environment | None = None


def env() -> Environment:
    """Return the report Jinja environment: ``reports/templates`` first, then ``web/templates``."""
    global _env
    if _env is None:
        own = str(resources.files("tradepolicy.reports").joinpath("templates"))
        web = str(resources.files("tradepolicy.web").joinpath("templates"))
        _env = Environment(loader=ChoiceLoader([FileSystemLoader(own), FileSystemLoader(web)]),
                           autoescape=select_autoescape(["html"]))
        _env.globals.update(version=__version__, chart=chart)
    return _env


def check_format(fmt: str) -> ReportFormat:
    """Return ``fmt`` (``html`` or ``pdf``) or raise an ``InputError`` naming both."""
    value = str(fmt).strip().lower()
    if value not in FORMATS:
        raise InputError(f"Unknown report format {fmt!r}.", field="format", expected="html | pdf", example="--format pdf")
    return cast(ReportFormat, value)


def media_type(fmt: str) -> str:
    """Return the media type of a report format."""
    return "application/pdf" if check_format(fmt) == "pdf" else "text/html; charset=utf-8"


def build_manifest(
    *,
    datasets: Sequence[str] = (),
    parameters: Mapping[str, Any] | None = None,
    as_of: dt.date | str | None = None,
    law_version: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a report manifest: dataset sha256s (from the registry), law version, code version, parameters, as-of.

    A dataset's files are named with the sha256 the registry records for them (the figures a
    report shows can be traced to exactly those bytes).
    """
    out: dict[str, Any] = {"code_version": f"tradepolicy {__version__}"}
    if law_version:
        from tradepolicy.services.law import law_version as _law_version

        out["law_version"] = _law_version()
    if datasets:
        from tradepolicy.datasets.registry import get_dataset

        shas: dict[str, str] = {}
        for ds_id in datasets:
            ds = get_dataset(ds_id)
            for f in ds.files:
                shas[f"{ds_id}/{f.path}"] = f.sha256
        out["datasets"] = shas
    if parameters:
        out["parameters"] = dict(parameters)
    out["as_of"] = (as_of.isoformat() if isinstance(as_of, dt.date) else as_of) or dt.date.today().isoformat()
    if extra:
        out.update(extra)
    return out


_H2 = re.compile(r"<h2(\s[^>]*)?>(.*?)</h2>", re.S | re.I)
_ID = re.compile(r'\sid="([^"]+)"')


def _with_toc(body: str) -> tuple[str, list[dict[str, str]]]:
    """Give every ``<h2>`` an id and return (body, [{id, title}]) for the table of contents."""
    toc: list[dict[str, str]] = []
    used: set[str] = set()

    def repl(m: re.Match[str]) -> str:
        attrs, inner = m.group(1) or "", m.group(2)
        found = _ID.search(attrs)
        plain = html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        if found:
            ident = found.group(1)
        else:
            base = "s-" + (re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40] or "section")
            ident, n = base, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            attrs = f' id="{ident}"' + attrs
        used.add(ident)
        toc.append({"id": ident, "title": plain})
        return f"<h2{attrs}>{inner}</h2>"

    return _H2.sub(repl, body), toc


def _citations(items: Any) -> list[dict[str, str]]:
    out = []
    for c in items or ():
        if isinstance(c, str):
            out.append({"title": c, "href": ""})
        elif isinstance(c, Mapping):
            out.append({"title": str(c.get("title") or c.get("text") or c.get("href") or ""),
                        "href": str(c.get("href") or c.get("url") or ""),
                        "note": str(c.get("note") or c.get("page") or "")})
        else:
            out.append({"title": str(c), "href": ""})
    return out


def _no_fetch_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher that allows ``data:`` URIs only (no file, no network)."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 67
    except ImportError:  # older WeasyPrint: a plain function
        def refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            if url.startswith("data:"):
                from weasyprint.urls import default_url_fetcher  # type: ignore[attr-defined]

                return cast(dict[str, Any], default_url_fetcher(url))
            raise ValueError(f"reports fetch nothing: {url[:80]!r} refused")

        return refuse
    return URLFetcher(allowed_protocols=("data",), timeout=1, allow_redirects=False)


def render_report(
    template: str,
    context: Mapping[str, Any],
    *,
    title: str,
    label: str = "public",
    fmt: ReportFormat | str = "html",
    manifest: Mapping[str, Any] | None = None,
    citations: Sequence[Any] | None = None,
    subtitle: str = "",
    toc: bool = True,
) -> bytes:
    """Render ``template`` with ``context`` into a stand-alone HTML page or a PDF; return its bytes.

    ``label`` (public | bci | apo | restricted) puts the matching banner on every page of a
    non-public report. ``citations`` (strings or ``{title, href, note}``; default
    ``context["citations"]``) are listed under "Sources"; ``manifest`` (see
    :func:`build_manifest`) under "Manifest". The table of contents lists the body's ``<h2>``
    sections (with page numbers in the PDF).
    """
    lab = check_label(label)
    form = check_format(fmt)
    e = env()
    ctx = {**context, "report_format": form, "report_label": lab}
    body = e.get_template(template).render(**ctx)
    body, entries = _with_toc(body)
    cites = _citations(citations if citations is not None else context.get("citations"))
    page = e.get_template("_layout.html").render(
        title=title, subtitle=subtitle, label=lab, confidential=is_confidential(lab),
        banner=BANNERS.get(lab, ""), body=Markup(body),
        toc=entries if toc else [], citations=cites, manifest=dict(manifest or {}), fmt=form,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    if form == "html":
        return page.encode("utf-8")
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        raise OptionalDependencyError(
            f"PDF reports need WeasyPrint and the pango libraries ({exc}).", field="format",
            expected="pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0 (make install does both)",
            example="--format html",
        ) from exc
    return cast(bytes, HTML(string=page, url_fetcher=_no_fetch_fetcher()).write_pdf())


def download_headers(filename: str) -> dict[str, str]:
    """Return the headers of a report download: ``attachment`` (ASCII and UTF-8 names) and ``nosniff``."""
    from urllib.parse import quote

    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "report"
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Content-Type-Options": "nosniff"}


def write_report(data: bytes, out: Path | str | None) -> Path | None:
    """Write report bytes to ``out`` (creating its folder); return the path, or None for no path."""
    if out is None:
        return None
    path = Path(out)
    if path.is_dir():
        raise InputError(f"{path} is a folder.", where=str(path), field="--out", expected="a file path",
                         example="report.pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path

"""The case report: stage, timeline, deadlines beside actual dates, the documents, citations."""

from __future__ import annotations

from typing import Any

from tradepolicy.platform.labels import is_confidential
from tradepolicy.platform.principal import Principal
from tradepolicy.reports.render import ReportFormat, build_manifest, render_report

LABEL_ORDER = ("apo", "bci", "restricted")
"""When a report lists documents of several confidential labels, its banner is the first of these."""


def report_label(labels: list[str]) -> str:
    """Return the label a report must carry when it shows items with ``labels``.

    >>> report_label(["public", "bci"])
    'bci'
    """
    for lab in LABEL_ORDER:
        if lab in labels:
            return lab
    return "public"


def render_case_report(case_id: str, principal: Principal, *, fmt: ReportFormat | str = "html",
                       as_of: str | None = None, include_confidential: bool = False,
                       where: str = "") -> bytes:
    """Return the case report as HTML or PDF bytes.

    Documents are those ``principal`` may read; confidential ones only with
    ``include_confidential=True``, and then the report carries their label's banner.
    """
    from tradepolicy.services import documents as docs_svc
    from tradepolicy.services import proceedings as cases_svc

    c = cases_svc.get_case(case_id, as_of=as_of)
    docs = [d for d in docs_svc.case_documents(case_id, principal, where=where)
            if include_confidential or not is_confidential(d.label)]
    label = report_label([d.label for d in docs])
    context: dict[str, Any] = {"c": c, "documents": docs}
    cites = c.data.get("citations")
    manifest = build_manifest(parameters={"case": case_id, "procedure": c.procedure}, as_of=c.as_of)
    return render_report("law/case_report.html", context, title=f"{c.id}: {c.title}",
                         subtitle=f"{c.procedure_title} · stage {c.stage_title} · as of {c.as_of}",
                         label=label, fmt=fmt, manifest=manifest,
                         citations=cites if isinstance(cites, list) else [])

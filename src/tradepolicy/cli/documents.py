"""Documents on the command line: ``case attach`` and the ``documents`` group.

The CLI acts as the local operator (``TRADEPOLICY_USER``); reading a confidential document
needs a grant like anywhere else, and every such read is logged with ``where="cli"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json

docs_app = typer.Typer(help="Documents: show, download, list and search filed documents.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
COLUMNS = ["id", "kind", "size", "label", "public_version_id", "filename", "title", "created_by"]


def _read_file(path: Path, *, option: str) -> bytes:
    """Read a local file the operator named, refusing it before reading when it is over the limit."""
    from tradepolicy.errors import InputError
    from tradepolicy.services.documents import check_size

    if not path.is_file():
        raise InputError(f"No file at {path}.", where=str(path), field=option, expected="a readable file",
                         example="petition.pdf")
    check_size(path.stat().st_size, where=str(path))
    return path.read_bytes()


def case_attach(
    case_id: str,
    file: Annotated[Path, typer.Argument(help="The document: PDF, DOCX, XLSX, CSV or TXT.")],
    label: Annotated[str, typer.Option(help="public | bci | apo | restricted")] = "public",
    public_version: Annotated[Path | None, typer.Option("--public-version", help="The public version of a confidential document (filed first, labelled public).")] = None,
    public_version_id: Annotated[int | None, typer.Option("--public-version-id", help="Or: the id of a public document already filed on the case.")] = None,
    title: Annotated[str, typer.Option(help="A title (default: the file name).")] = "",
    require_public_version: Annotated[bool, typer.Option("--require-public-version", help="Refuse a confidential document without a public version.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """File FILE on case CASE_ID with a confidentiality label (and its public version)."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services.documents import attach_to_case

    content = _read_file(file, option="FILE")
    pub = _read_file(public_version, option="--public-version") if public_version else None
    res = attach_to_case(case_id, actor=local_operator(), content=content, filename=file.name, label=label,
                         title=title, public_content=pub, public_filename=public_version.name if public_version else None,
                         public_version_id=public_version_id, require_public_version=require_public_version)
    rows = [d.to_dict() for d in (res.public_version, res.document) if d is not None]
    if as_json:
        print_json({"ok": True, "document": rows[-1], "public_version": rows[0] if len(rows) == 2 else None})
        return
    emit(rows, as_json=False, columns=COLUMNS, title=f"Filed on case {case_id}")


@docs_app.command("show")
def documents_show(document_id: int, as_json: JsonOpt = False) -> None:
    """Show a document's metadata."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services.documents import read_document_info

    info = read_document_info(local_operator(), document_id, where="cli")
    emit(info.to_dict() if as_json else [info.to_dict()], as_json=as_json, columns=[*COLUMNS, "sha256", "media_type", "scope"])


@docs_app.command("get")
def documents_get(
    document_id: int,
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the file here.")],
) -> None:
    """Download a document's content to --out."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.reports import write_report
    from tradepolicy.services.documents import read_document

    info, content = read_document(local_operator(), document_id, where="cli")
    write_report(content, out)
    console.print(f"wrote {out} ({info.kind}, {info.size:,} bytes, {info.label})", highlight=False, markup=False)


@docs_app.command("list")
def documents_list(
    case: Annotated[str, typer.Option("--case", help="The case whose documents to list.")],
    as_json: JsonOpt = False,
) -> None:
    """List the documents of a case you may read."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services.documents import case_documents

    docs = case_documents(case, local_operator(), where="cli")
    emit([d.to_dict() for d in docs], as_json=as_json, columns=COLUMNS, title=f"Documents of {case}")


@docs_app.command("search")
def documents_search(
    query: str,
    scope: Annotated[str | None, typer.Option(help="Only this scope, e.g. case:ds543.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Search the text of the documents you may read."""
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services.documents import find_documents

    hits = find_documents(local_operator(), query, scope=scope, limit=limit, where="cli")
    rows = [{**h.document.to_dict(), "snippet": h.snippet} for h in hits]
    emit(rows, as_json=as_json, columns=["id", "scope", "label", "title", "snippet"], title=f"Documents matching {query!r}")


def register(app: typer.Typer) -> None:
    """Add ``case attach`` to the case group and the ``documents`` group to the top-level app."""
    from tradepolicy.cli.law import case_app

    case_app.command("attach")(case_attach)
    app.add_typer(docs_app, name="documents")

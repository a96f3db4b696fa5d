"""Foundation commands: db, data, agreements, agencies, guide, serve, version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, progress

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

db_app = typer.Typer(help="The database: init (migrations + registry), backup, restore.", no_args_is_help=True)
data_app = typer.Typer(help="Registered datasets: list, verify, fetch.", no_args_is_help=True)
agreements_app = typer.Typer(help="The agreements registry.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies, committees and bodies the office works with.", no_args_is_help=True)
guide_app = typer.Typer(help="The guide: answers about the office from the live registry.", no_args_is_help=True)


@db_app.command("init")
def db_init(as_json: JsonOpt = False) -> None:
    """Run the migrations and load the bundled registry (idempotent)."""
    from tradepolicy.services.registry import init_database

    with progress("Preparing the database"):
        report = init_database()
    rows = [{"table": t, **c} for t, c in report.counts.items()]
    emit(rows, as_json=as_json, columns=["table", "inserted", "updated", "unchanged", "removed"])


@db_app.command("backup")
def db_backup(path: Path, as_json: JsonOpt = False) -> None:
    """Write a verified copy of the database to PATH (and PATH.sha256.json)."""
    from tradepolicy.services.backup import backup

    emit(backup(path), as_json=as_json)


@db_app.command("restore")
def db_restore(
    path: Path,
    force: Annotated[bool, typer.Option("--force", help="Restore even while a server uses the database (audited).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with the backup at PATH, after checking its checksum.

    Refused (exit 2) while a server or another connection uses the database, unless --force.
    """
    from tradepolicy.services.backup import restore

    emit(restore(path, force=force), as_json=as_json)


@db_app.command("audit")
def db_audit(
    entity: Annotated[str | None, typer.Option(help="Only this table, e.g. agreements.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Show the newest entries of the append-only audit log."""
    from tradepolicy.services.audit import list_audit

    emit(list_audit(entity=entity, limit=limit), as_json=as_json,
         columns=["id", "at", "actor", "action", "entity", "entity_id"])


@data_app.command("list")
def data_list(as_json: JsonOpt = False) -> None:
    """Show each dataset with its status: mirror / cache / missing / corrupt."""
    from tradepolicy.services.datasets import list_datasets

    with progress("Checking datasets"):
        rows = list_datasets()
    emit(rows, as_json=as_json, columns=["id", "status", "files", "bytes", "licence", "title"])


@data_app.command("verify")
def data_verify(as_json: JsonOpt = False) -> None:
    """Check every registered file's sha256; exit 2 if any file is corrupt."""
    from tradepolicy.errors import DatasetCorruptError
    from tradepolicy.services.datasets import verify_all

    with progress("Verifying sha256"):
        rows = verify_all()
    emit(rows, as_json=as_json, columns=["dataset", "path", "status"])
    bad = [r for r in rows if r.status == "corrupt"]
    if bad:
        raise DatasetCorruptError(
            f"{len(bad)} file(s) do not match their registered sha256: "
            + ", ".join(f"{r.dataset}/{r.path}" for r in bad[:5]),
            where=bad[0].location, field="sha256", expected=bad[0].sha256,
        )


@data_app.command("fetch")
def data_fetch(dataset_id: str, as_json: JsonOpt = False) -> None:
    """Download DATASET_ID into the cache and verify its sha256."""
    from tradepolicy.services.datasets import fetch_dataset

    with progress(f"Fetching {dataset_id}"):
        paths = fetch_dataset(dataset_id)
    emit([{"path": p} for p in paths], as_json=as_json, columns=["path"])


@agreements_app.command("list")
def agreements_list(
    status: Annotated[str | None, typer.Option(help="in_force | signed | terminated | superseded | under_negotiation")] = None,
    party: Annotated[str | None, typer.Option(help="ISO3 code of a party, e.g. MEX.")] = None,
    in_force_on: Annotated[str | None, typer.Option(help="Only agreements in force on this date (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the agreements of the registry."""
    from tradepolicy.services.agreements import list_agreements

    rows = list_agreements(status=status, party=party, in_force_on=in_force_on)
    emit(rows, as_json=as_json, columns=["id", "short_name", "status", "in_force", "key_provisions"])


@agreements_app.command("show")
def agreements_show(agreement_id: str, as_json: JsonOpt = False) -> None:
    """Show one agreement with its provisions and citations."""
    from tradepolicy.services.agreements import get_agreement

    a = get_agreement(agreement_id)
    if as_json:
        emit(a, as_json=True)
        return
    console.print(f"[bold]{a.short_name}[/]: {a.name}")
    console.print(f"status {a.status}; signed {a.signed}; in force {a.in_force}; parties {', '.join(a.parties)}")
    console.print(f"key provisions: {a.key_provisions}")
    emit(a.provisions, as_json=False, columns=["area", "chapter", "title", "summary"])
    for c in a.citations:
        console.print(f"- {c.title}" + (f" <{c.href}>" if c.href else ""))


@agencies_app.command("list")
def agencies_list(as_json: JsonOpt = False) -> None:
    """List the agencies, committees and bodies, with their roles."""
    from tradepolicy.services.agreements import list_agencies

    emit(list_agencies(), as_json=as_json, columns=["id", "kind", "name", "role"])


@guide_app.command("ask")
def guide_ask(
    question: str,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Answer QUESTION with the best-matching guide entries, or say that the guide does not cover it."""
    from tradepolicy.services.guide import answer

    ans = answer(question, limit=limit)
    if as_json:
        emit(ans.reply(), as_json=True)
        return
    if not ans.covered and ans.not_covered:
        nc = ans.not_covered
        console.print(f"[bold]Not covered:[/] {nc.message}", highlight=False)
        for c in nc.sources:
            console.print(f"  source: {c.title}" + (f" <{c.href}>" if c.href else ""), markup=False)
        for lk in nc.pointers:
            console.print(f"  nearest feature: {lk.label or lk.id}", markup=False)
        for e in nc.nearest_entries:
            console.print(f"  nearest entry (not an answer): {e.title} ({e.id})", markup=False)
        for p in nc.published_elsewhere:
            console.print(f"  published by the office: {p.title} <{p.href}>", markup=False)
        return
    if not ans.results:
        console.print("No entry matches; try other words, e.g. 'enforcement priorities'.")
    for h in ans.results:
        console.print(f"[bold]{h.title}[/]  (score {h.score})")
        console.print(h.body)
        for c in h.citations:
            console.print(f"  source: {c.title}" + (f" <{c.href}>" if c.href else ""), markup=False)
        if h.links:
            console.print("  see: " + ", ".join(f"{lk.kind}:{lk.id}" for lk in h.links), markup=False)
        console.print()


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (TRADEPOLICY_PORT).", envvar="TRADEPOLICY_PORT", min=1, max=65535)] = 8000,
    init: Annotated[bool, typer.Option(help="Prepare the database first.")] = True,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes on the one listening socket, each warmed before it accepts (TRADEPOLICY_WORKERS; default 1).",
        min=1, max=64)] = None,
) -> None:
    """Start the workbench (web pages + API) and print its URL."""
    import socket
    import sys

    import uvicorn

    from tradepolicy.config import get_settings
    from tradepolicy.errors import InputError
    from tradepolicy.services.registry import init_database
    from tradepolicy.services.warmup import warm_up
    from tradepolicy.store.db import sqlite_file
    from tradepolicy.store.inuse import hold

    # SO_REUSEADDR: a restart right after a crash binds although the old connections linger
    # in TIME_WAIT; a port another server is listening on is still refused. The bound socket
    # is handed to uvicorn, so nothing can take the port between the check and the start.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"Cannot serve on {host}:{port}: {exc.strerror}.", field="--port",
            expected="a free port (or another host)", example="tradepolicy serve --port 8080",
        ) from exc
    n = workers or get_settings().workers
    if init:
        init_database()
    if get_settings().warmup and n == 1:  # tables load once, before the first request (TRADEPOLICY_WARMUP)
        warm_up()
    print(f"tradepolicy workbench: http://{host}:{port}/  (API docs: http://{host}:{port}/docs)"
          + (f", {n} worker processes" if n > 1 else ""), flush=True)
    from tradepolicy.services.people import startup_notice

    for line in startup_notice(host):  # how to create the first administrator; a warning on an open host
        print(line, file=sys.stderr if line.startswith("WARNING") else sys.stdout, flush=True)
    # While serving, the database is "in use": `db restore` refuses it unless --force.
    if n == 1:
        config = uvicorn.Config("tradepolicy.api.app:create_app", factory=True, host=host, port=port,
                                log_level="warning")
        with hold(sqlite_file()), sock:
            sock.set_inheritable(True)
            uvicorn.Server(config).run(sockets=[sock])
        return
    # Several workers accept on the socket bound above; each warms its tables in the app factory,
    # before its server starts accepting, so no request waits for a cold worker.
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("tradepolicy.api.app:create_served_app", factory=True, host=host, port=port,
                            workers=n, log_level="warning")
    with hold(sqlite_file()), sock:
        sock.set_inheritable(True)
        Multiprocess(config, sockets=[sock]).run()


def version() -> None:
    """Print the version."""
    from tradepolicy import __version__

    console.print(__version__)


def register(app: typer.Typer) -> None:
    """Add the foundation commands to the top-level app."""
    app.add_typer(db_app, name="db")
    app.add_typer(data_app, name="data")
    app.add_typer(agreements_app, name="agreements")
    app.add_typer(agencies_app, name="agencies")
    app.add_typer(guide_app, name="guide")
    app.command("serve")(serve)
    app.command("version")(version)

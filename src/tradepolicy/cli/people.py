"""People commands: ``users``, ``tokens``, ``grants`` and ``audit reads``.

The CLI acts as ``TRADEPOLICY_USER``: a stored user with their own role and grants, or (when no
such user exists) the local operator, an administrator; so the first administrator is created
from the machine that holds the database.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

users_app = typer.Typer(help="People who sign in: add, list, disable, set a password.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens (Authorization: Bearer): create (shown once), list, revoke.",
                         no_args_is_help=True)
grants_app = typer.Typer(help="Grants to read confidential items of one scope: add, list, revoke.",
                         no_args_is_help=True)
audit_app = typer.Typer(help="The access log of confidential reads: query and export.", no_args_is_help=True)


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(i) for i in items]


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        first = typer.prompt("Password", hide_input=True)
        second = typer.prompt("Repeat", hide_input=True)
        if first != second:
            from tradepolicy.errors import InputError

            raise InputError("The two passwords differ.", field="password", expected="the same password twice",
                             example="(type it again)")
        return str(first)
    return None


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="administrator | attorney | analyst | docket_clerk | viewer | outside_counsel")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")] = False,
    display_name: Annotated[str, typer.Option(help="Full name shown in pages.")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail (also matches an OIDC sign-in).")] = None,
    no_password: Annotated[bool, typer.Option("--no-password", help="No password: token or OIDC sign-in only.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a user with a role; asks for a password on a terminal (argon2-hashed, never stored in clear)."""
    from tradepolicy.services import people

    password = None if no_password else _read_password(password_stdin)
    info = people.add_user(people.cli_principal(), name, role=role, password=password, display_name=display_name,
                           email=email)
    emit(dataclasses.asdict(info), as_json=as_json)


@users_app.command("list")
def users_list(as_json: JsonOpt = False) -> None:
    """List users with role and state."""
    from tradepolicy.services import people

    emit(_rows(people.list_users(people.cli_principal())), as_json=as_json,
         columns=["id", "name", "role", "disabled", "has_password", "email", "created_at", "created_by"])


@users_app.command("disable")
def users_disable(name: str, as_json: JsonOpt = False) -> None:
    """Disable a user: their web sessions end and their tokens stop working at once."""
    from tradepolicy.services import people

    emit(dataclasses.asdict(people.disable_user(people.cli_principal(), name)), as_json=as_json)


@users_app.command("password")
def users_password(
    name: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password (ends their web sessions)."""
    from tradepolicy.errors import InputError
    from tradepolicy.services import people

    password = _read_password(password_stdin)
    if password is None:
        raise InputError("No password given.", field="--password-stdin", expected="a password on stdin",
                         example="echo 'a long passphrase' | tradepolicy users password jdoe --password-stdin")
    emit(dataclasses.asdict(people.set_password(people.cli_principal(), name, password)), as_json=as_json)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token acts for.")],
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD, NNd (days) or never; default 90d.")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="Limit the token to these permissions (repeat or comma-separate).")] = None,
    label: Annotated[str, typer.Option("--name", help="A name for the token, e.g. the script using it.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an API token; the token is printed once (only its sha256 is stored)."""
    from tradepolicy.services import people

    issued = people.create_token(people.cli_principal(), name, token_name=label, expires=expires, scopes=scope or [])
    out = {"token": issued.token, **dataclasses.asdict(issued.info)}
    if as_json:
        emit(out, as_json=True)
        return
    emit(dataclasses.asdict(issued.info), as_json=False)
    console.print("Token (shown once, keep it secret):", highlight=False)
    sys.stdout.write(issued.token + "\n")


@tokens_app.command("list")
def tokens_list(
    name: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List API tokens (never the tokens themselves)."""
    from tradepolicy.services import people

    emit(_rows(people.list_tokens(people.cli_principal(), name)), as_json=as_json,
         columns=["id", "user", "name", "scopes", "expires_at", "revoked_at", "last_used_at"])


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id (tokens list).")],
                  as_json: JsonOpt = False) -> None:
    """Revoke an API token; it stops working at once."""
    from tradepolicy.services import people

    emit(dataclasses.asdict(people.revoke_token(people.cli_principal(), token_id)), as_json=as_json)


@grants_app.command("add")
def grants_add(
    name: Annotated[str, typer.Argument(help="The user who receives the grant.")],
    on: Annotated[str, typer.Option("--on", help="The scope: case:ID, docket:ID, agreement:ID, ... or *.")],
    label: Annotated[str, typer.Option(help="bci | apo | restricted")],
    until: Annotated[str | None, typer.Option(help="Last day of the grant (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Let a user read items with LABEL in a scope (outside counsel: APO on one case only)."""
    from tradepolicy.services import people

    day = people.parse_date(until, field="--until") if until else None
    emit(dataclasses.asdict(people.add_grant(people.cli_principal(), name, label=label, scope=on, until=day)),
         as_json=as_json)


@grants_app.command("list")
def grants_list(
    name: Annotated[str | None, typer.Argument(help="Only this user's grants.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include revoked grants.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List grants (active, expired and, with --all, revoked)."""
    from tradepolicy.services import people

    emit(_rows(people.list_grants(people.cli_principal(), name, include_revoked=all_)), as_json=as_json,
         columns=["id", "user", "label", "scope", "until", "active", "granted_by", "revoked_at"])


@grants_app.command("revoke")
def grants_revoke(grant_id: Annotated[int, typer.Argument(help="The grant's id (grants list).")],
                  as_json: JsonOpt = False) -> None:
    """Revoke a grant (the row stays, with who revoked it and when)."""
    from tradepolicy.services import people

    emit(dataclasses.asdict(people.revoke_grant(people.cli_principal(), grant_id)), as_json=as_json)


@audit_app.command("reads")
def audit_reads(
    who: Annotated[str | None, typer.Option("--who", help="Only reads by this user.")] = None,
    entity: Annotated[str | None, typer.Option(help="Only this entity, e.g. record:barrier or document.")] = None,
    label: Annotated[str | None, typer.Option(help="bci | apo | restricted")] = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 100,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV (for export).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Query the access log of confidential reads: who read what, when, from where (newest first)."""
    from tradepolicy.services import people

    day = people.parse_date(since, field="--since") if since else None
    rows = _rows(people.list_reads(people.cli_principal(), who=who, entity=entity, label=label, since=day,
                                   limit=limit))
    columns = ["id", "at", "actor", "role", "via", "action", "entity", "entity_id", "label", "scope", "where"]
    if csv_out:
        from tradepolicy.web.render import (
            csv_response,  # the project's CSV writer (escaping included)
        )

        sys.stdout.write(bytes(csv_response(rows, columns).body).decode("utf-8"))
        return
    emit(rows, as_json=as_json, columns=columns)


def register(app: typer.Typer) -> None:
    """Add the people commands to the top-level app."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(grants_app, name="grants")
    app.add_typer(audit_app, name="audit")

"""Admin commands: API keys and credits. Wired into `linkreel` by cli.py:

    app.add_typer(keys_app, name="keys")        # linkreel keys create [--name N] [--credits N] [--json]
    app.add_typer(credits_app, name="credits")  # linkreel credits add API_ID N

Both migrate the database first (`LINKREEL_DATABASE_URL`, default a SQLite file in the data dir),
so they work on a fresh install before `linkreel serve` has ever run.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from linkreel.config import Settings

keys_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Workspaces and their API keys.")
credits_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Workspace credits.")


# A callback makes each app a command group (`keys create`), also when run on its own: Typer
# would otherwise collapse a one-command app into that command.
@keys_app.callback()
def _keys() -> None:
    """Workspaces and their API keys."""


@credits_app.callback()
def _credits() -> None:
    """Workspace credits."""


def _database(settings: Settings):  # noqa: ANN202 - imported lazily: keeps `linkreel --help` fast
    from linkreel.jobs.db import Database, migrate

    migrate(settings)
    return Database(settings)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Workspace name")] = "",
    credits: Annotated[float, typer.Option(help="Starting credits")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON object")] = False,
) -> None:
    """Create a workspace and print its API id, API key and webhook secret (shown only once)."""
    from linkreel.api.auth import create_workspace

    if credits < 0:
        raise typer.BadParameter("credits must not be negative", param_hint="--credits")
    db = _database(Settings())
    try:
        with db.session() as session:
            _, api_id, api_key, webhook_secret = create_workspace(session, name, credits)
    finally:
        db.dispose()
    keys = {"api_id": api_id, "api_key": api_key, "webhook_secret": webhook_secret}
    if as_json:
        print(json.dumps(keys))
        return
    print(json.dumps(keys, indent=2))
    typer.echo(
        f"Send X-API-ID: {api_id} and X-API-KEY: <api_key> with every request. "
        "The key is stored hashed: keep it now, it cannot be shown again.",
        err=True,
    )


@credits_app.command("add")
def credits_add(
    api_id: Annotated[str, typer.Argument(help="The workspace's API id")],
    amount: Annotated[float, typer.Argument(help="Credits to add")],
) -> None:
    """Add credits to a workspace and print its new balance."""
    from linkreel.api.auth import workspace_by_api_id
    from linkreel.jobs import credits as ledger

    if amount <= 0:
        raise typer.BadParameter("the amount must be positive", param_hint="N")
    db = _database(Settings())
    try:
        with db.session(write=True) as session:
            workspace = workspace_by_api_id(session, api_id)
            if workspace is None:
                typer.echo(f"error: no workspace with API id {api_id!r}", err=True)
                raise typer.Exit(1)
            ledger.grant(session, workspace.id, amount, note="linkreel credits add")
            remaining = ledger.balance(session, workspace.id)
    finally:
        db.dispose()
    print(f"{api_id}: {ledger.format_amount(remaining)} credits")

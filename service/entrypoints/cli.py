"""The ``loyalty`` command line, by audience: running the service (cli_service), the ledger
(cli_ledger), and operators (cli_operator, cli_dead_letters)."""

from __future__ import annotations

from typing import Annotated

import typer

import service.entrypoints.cli_contracts  # noqa: F401  (registers `contracts validate`)
from service.entrypoints import cli_config, cli_erasure, cli_ledger, cli_operator, cli_service
from service.entrypoints.cli_dead_letters import dlq_app
from service.entrypoints.cli_exits import EPILOG, ExitCodeGroup
from service.entrypoints.cli_export import export_app
from service.entrypoints.cli_import import import_app
from service.entrypoints.cli_levels import levels_app
from service.entrypoints.cli_merge import merge
from service.entrypoints.cli_reports import report_app
from service.entrypoints.cli_simulate import simulate

app = typer.Typer(
    help="Loyalty points service.",
    epilog=EPILOG,
    no_args_is_help=True,
    cls=ExitCodeGroup,
    pretty_exceptions_show_locals=False,  # a bug's traceback must not print the settings
)


def _version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(version("loyalty-points"))
        except PackageNotFoundError:
            typer.echo("unknown (not installed)")
        raise typer.Exit()


@app.callback()
def main(
    _version_: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="A traceback instead of the one-line message.")
    ] = False,
) -> None:
    """Loyalty points service."""


# Registered in the order ``loyalty --help`` lists them.
for command in (
    cli_operator.replay,
    cli_operator.expire,
    cli_service.dev,
    cli_service.serve,
    cli_service.token,
    cli_service.migrate,
    cli_ledger.enroll,
    cli_ledger.account,
    cli_ledger.verify,
    cli_service.publish,
    cli_config.config,
):
    app.command()(command)
app.command()(cli_erasure.erase)
app.command()(cli_erasure.erase_attribution)
app.command()(merge)
app.command()(simulate)
app.add_typer(cli_ledger.program_app, name="program")
app.add_typer(dlq_app, name="dlq")
app.add_typer(levels_app, name="levels")
app.add_typer(cli_operator.contracts_app, name="contracts")
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

"""The ``loyalty`` command line, by audience: running the service (cli_service), the ledger
(cli_ledger), and operators (cli_operator, cli_dead_letters)."""

from __future__ import annotations

import typer

import service.entrypoints.cli_contracts  # noqa: F401  (registers `contracts validate`)
from service.entrypoints import cli_ledger, cli_operator, cli_service
from service.entrypoints.cli_dead_letters import dlq_app
from service.entrypoints.cli_levels import levels_app
from service.entrypoints.cli_reports import report_app

app = typer.Typer(help="Loyalty points service.", no_args_is_help=True)

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
):
    app.command()(command)
app.add_typer(cli_ledger.program_app, name="program")
app.add_typer(dlq_app, name="dlq")
app.add_typer(levels_app, name="levels")
app.add_typer(cli_operator.contracts_app, name="contracts")
app.add_typer(report_app, name="report")

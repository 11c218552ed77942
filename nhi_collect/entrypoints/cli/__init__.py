"""The `nhi-collect` command (contract.md), one module per command group. Each module parses options,
calls one use case through the context object from bootstrap, and prints text or JSON."""

from __future__ import annotations

import sys

import click

from ...bootstrap import bootstrap
from ...errors import UserError
from . import actions, applications, dates, household, imports, law, letters, report, tools, web, work


@click.group()
@click.option("--db", help="Database URL (else NHI_COLLECT_DB, else sqlite:///nhi_collect.db).")
@click.option("--out", default="out", show_default=True, help="Folder for letters and reports.")
@click.option("--as", "actor", help="Act as this staff member: only where NHI_COLLECT_ALLOW_AS=1 (simulations, "
              "tests, training databases), recorded; else the operating-system user acts.")
@click.option("--workflow", type=click.Path(dir_okay=False, exists=True),
              help="The ward's workflow file (default: workflows/taisho.toml).")
@click.pass_context
def cli(ctx, db, out, actor, workflow):
    """nhi-collect: collections workflow for delinquent National Health Insurance premiums."""
    ctx.obj = bootstrap(db, out, workflow, actor, command=lambda: click.get_current_context().command_path)


for module in (imports, tools, dates, actions, applications, letters, report, work, household, law, web):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except UserError as exc:
        click.echo(f"nhi-collect: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception:
        import traceback
        traceback.print_exc()
        click.echo("nhi-collect: internal error (the traceback above is for the developers); nothing was "
                   "committed by the failed step", err=True)
        sys.exit(1)

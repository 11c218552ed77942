"""`serve`: the staff web app (nhi_collect/web) under uvicorn."""

from __future__ import annotations

from dataclasses import replace

import click

from ...bootstrap import Services
from .common import pass_services


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--db", help="Database URL (the same as `nhi-collect --db URL serve`).")
@pass_services
def serve(obj: Services, host, port, db):
    """Serve the staff web app: staff sign in with the password set by `staff set-password`. Sessions live
    in the database, so several `serve` processes behind one proxy can serve one database."""
    import uvicorn

    from ...web import create_app
    settings = replace(obj.settings, database_url=db) if db else obj.settings
    click.echo(f"nhi-collect: the staff app at http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


COMMANDS = (serve,)

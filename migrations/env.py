"""Alembic environment: configured from code (nhi_collect.adapters.db.alembic_config), no alembic.ini."""

from alembic import context
from sqlalchemy import create_engine

from nhi_collect.adapters.tables import metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=True,  # SQLite can only ALTER through table copies
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

"""seizure letters linked to their seizure: 差押調書 and 債権差押通知書 go one per seizure (seizure_letters), as
the release notices already did; the letters issued before are linked to the seizure they printed (the
household's newest executed by their issue date, as the code of the time chose it)

Revision ID: 0014e
Revises: 0013a
Create Date: 2026-12-02 13:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0014e'
down_revision = '0013a'
branch_labels = None
depends_on = None

# The letter types whose `details` was "seizure" in the workflow files of the time (taisho.toml).
SEIZURE_LETTERS = ('seizure_record', 'garnishment_notice')


def upgrade() -> None:
    op.get_bind().execute(sa.text("""
        INSERT INTO seizure_letters (seizure_id, letter_id)
        SELECT (SELECT s.id FROM seizures s WHERE s.household_id = l.household_id AND s.executed_on <= l.issued_on
                ORDER BY s.executed_on DESC, s.id DESC LIMIT 1), l.id
        FROM letters l
        WHERE l.letter_type IN :types
          AND NOT EXISTS (SELECT 1 FROM seizure_letters x WHERE x.letter_id = l.id)
          AND EXISTS (SELECT 1 FROM seizures s WHERE s.household_id = l.household_id AND s.executed_on <= l.issued_on)
        """).bindparams(sa.bindparam('types', expanding=True)), {'types': list(SEIZURE_LETTERS)})


def downgrade() -> None:
    op.get_bind().execute(sa.text("""
        DELETE FROM seizure_letters WHERE letter_id IN (SELECT id FROM letters WHERE letter_type IN :types)
        """).bindparams(sa.bindparam('types', expanding=True)), {'types': list(SEIZURE_LETTERS)})

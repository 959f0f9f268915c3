"""Secrecy (issue 14, items 5 and 6): the voter record's key becomes a random UUID.

A column of type bigint cannot become a uuid through Django's AlterField (there is no cast), and no
foreign key points at the voter record, so the column is converted in place, each row drawing its own
random key (``gen_random_uuid()`` is evaluated per row); the identity sequence goes with it.
"""

import uuid

from django.db import migrations, models

TO_UUID = """
ALTER TABLE conference_voterrecord ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE conference_voterrecord ALTER COLUMN id DROP DEFAULT;
ALTER TABLE conference_voterrecord ALTER COLUMN id TYPE uuid USING gen_random_uuid();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("conference", "0004_election_papers_accepted"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(TO_UUID)],
            state_operations=[
                migrations.AlterField(
                    model_name="voterrecord",
                    name="id",
                    field=models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ],
        ),
    ]

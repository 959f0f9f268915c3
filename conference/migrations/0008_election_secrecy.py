"""Secrecy and ballot names (issue 14, items 5 and 6).

The voter record's key becomes a random UUID. A column of type bigint cannot become a uuid through
Django's AlterField (there is no cast), and no foreign key points at the voter record, so the column is
converted in place, each row drawing its own random key (``gen_random_uuid()`` is evaluated per row);
the identity sequence goes with it. Not reversible: the old numbers were the order of voting.

Elections gain their ballot order (by surname, or random with a recorded seed); nominations gain the
variant of their ballot name awaiting the returning officer, who approved the one they have, and the
member's name surname first for the surname order (filled in here from the members' names).
"""

import unicodedata
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TO_UUID = """
ALTER TABLE conference_voterrecord ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE conference_voterrecord ALTER COLUMN id DROP DEFAULT;
ALTER TABLE conference_voterrecord ALTER COLUMN id TYPE uuid USING gen_random_uuid();
"""


def sort_name_for(full_name: str) -> str:
    """As conference.elections.services.nominations.sort_name_for was when this migration was written."""
    text = "".join(c for c in unicodedata.normalize("NFKD", full_name) if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() or c.isspace() else " " if c == "," else "" for c in text.casefold())
    words = text.split()
    return " ".join(words[-1:] + words[:-1])[:200]


def fill_sort_names(apps, schema_editor):
    Nomination = apps.get_model("conference", "Nomination")
    for nomination in Nomination.objects.select_related("nominee").only("pk", "nominee__full_name"):
        Nomination.objects.filter(pk=nomination.pk).update(
            sort_name=sort_name_for(nomination.nominee.full_name)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("conference", "0007_electorates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
        migrations.AddField(
            model_name="election",
            name="ballot_order",
            field=models.CharField(
                choices=[("surname", "By surname"), ("random", "Random, drawn with a recorded seed")],
                default="surname",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="election",
            name="ballot_seed",
            field=models.BigIntegerField(
                blank=True,
                help_text="For a random order: the seed it was drawn with (drawn by the system).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="nomination",
            name="ballot_name_approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="nomination",
            name="requested_ballot_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="nomination",
            name="sort_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]

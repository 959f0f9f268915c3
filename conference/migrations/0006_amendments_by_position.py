"""Existing "delete … insert …" amendments become positional, and referred motions get their referral.

An amendment whose deleted words are in the text it amends becomes "replace lines N-M" (the lines that
held the words, with the words replaced as the old rule did: the first match) or "delete lines N-M" when
nothing is left of them; one that only inserted becomes "insert after the last line" (the old rule
appended at the end). One whose words are no longer in the text, or that amends another amendment (whose
own words change shape here), is kept as free text saying what it asked, for the CAC to read: nothing is
guessed. Every motion already referred to the NC gets a Referral: landed if an NC agenda item for it
exists, otherwise queued, so the sweep puts it on the next NC agenda.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def positional(text: str, delete_text: str, insert_text: str) -> dict[str, Any]:
    """The positional form of one old amendment to ``text`` (the fields to set)."""
    lines = text.splitlines()
    if not delete_text:
        return {"kind": "insert", "line_from": len(lines), "line_to": None, "insert_text": insert_text}
    at = text.find(delete_text)
    if at < 0:
        return described(delete_text, insert_text)
    first = text.count("\n", 0, at) + 1
    last = text.count("\n", 0, at + len(delete_text.rstrip("\n"))) + 1
    block = "\n".join(lines[first - 1 : last])
    new = block.replace(delete_text.rstrip("\n"), insert_text, 1).strip("\n")
    if not new.strip():
        return {"kind": "delete", "line_from": first, "line_to": last, "insert_text": ""}
    return {"kind": "replace", "line_from": first, "line_to": last, "insert_text": new}


def described(delete_text: str, insert_text: str) -> dict[str, Any]:
    words = f"Delete “{delete_text}”" + (f" and insert “{insert_text}”" if insert_text else "") + "."
    return {"kind": "free_text", "line_from": None, "line_to": None, "insert_text": "", "free_text": words}


def convert(apps: Any, schema_editor: Any) -> None:
    Amendment = apps.get_model("conference", "Amendment")
    for amendment in Amendment.objects.filter(kind="delete_insert").select_related("motion"):
        if amendment.parent_id is not None:
            fields = described(amendment.delete_text, amendment.insert_text)
        else:
            fields = positional(amendment.motion.text, amendment.delete_text, amendment.insert_text)
        for name, value in {"free_text": "", **fields}.items():
            setattr(amendment, name, value)
        amendment.save(update_fields=["kind", "line_from", "line_to", "insert_text", "free_text"])


def refer(apps: Any, schema_editor: Any) -> None:
    Motion = apps.get_model("conference", "Motion")
    Referral = apps.get_model("conference", "Referral")
    AgendaItem = apps.get_model("committees", "AgendaItem")
    for motion in Motion.objects.filter(outcome="referred").select_related("conference"):
        item = (
            AgendaItem.objects.filter(
                meeting__committee__kind="national",
                title=f"Referred by conference {motion.conference.year}: {motion.title}"[:200],
            )
            .order_by("pk")
            .first()
        )
        Referral.objects.get_or_create(
            motion=motion,
            defaults={
                "agenda_item": item,
                "landed_at": (motion.outcome_recorded_at or timezone.now()) if item is not None else None,
            },
        )


class Migration(migrations.Migration):
    atomic = False  # the data is changed in its own transactions, apart from the column's removal

    dependencies = [
        ("committees", "0002_agenda_prepared_and_version"),
        ("conference", "0005_positional_amendments_and_referrals"),
    ]

    operations = [
        migrations.RunPython(convert, migrations.RunPython.noop, atomic=True),
        migrations.RunPython(refer, migrations.RunPython.noop, atomic=True),
        migrations.RemoveField(model_name="amendment", name="delete_text"),
    ]

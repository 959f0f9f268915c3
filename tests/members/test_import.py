"""The CSV import of members and contacts: checked whole, previewed, applied all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awl.models import AuditEntry
from members import importing
from members.models import (
    Branch,
    Channel,
    Consent,
    Contact,
    ImportBatch,
    Member,
    MemberStatus,
    StatusChange,
)
from members.services import MembershipError, current_consents

User = get_user_model()

HEADER = (
    "kind,email,full_name,pronouns,phone,branch,city,status,joined_on,dues_band,union_role,how_met,"
    "consent_email,consent_sms\n"
)
CLEAN = (
    HEADER + "member,Ada.Lovelace@example.org,Ada Lovelace,she/her,07700 900001,London,,member,2019-05-01,"
    "low-waged,shop steward,,yes,no\n"
    + "member,bert@example.org,Bert Hughes,,,leeds,,lapsed,31/12/2015,,,,,\n"
    + "contact,cara@example.org,Cara Singh,,0113 496 0000,Leeds,Leeds,,,,,picket line at the depot,yes,\n"
    + "contact,,Dev Patel,,,London,London,,,,,day school,,\n"
)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "members": Member.objects.count(),
        "contacts": Contact.objects.count(),
        "status_changes": StatusChange.objects.count(),
        "consents": Consent.objects.count(),
        "addresses": EmailAddress.objects.count(),
    }


def _upload(actor: Any, text: str, filename: str = "people.csv") -> ImportBatch:
    return importing.upload_import(actor=actor, filename=filename, content=text)


def _apply(actor: Any, text: str, filename: str = "people.csv") -> importing.ImportPlan:
    return importing.apply_import(actor=actor, batch=_upload(actor, text, filename))


def _problems(plan: importing.ImportPlan) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in plan.problems]


@pytest.fixture
def branches(london: Branch, leeds: Branch) -> dict[str, Branch]:
    return {"london": london, "leeds": leeds}


# Applying a good file -----------------------------------------------------------------------------
def test_clean_file_creates_members_and_contacts_with_their_history_and_consents(
    branches: dict[str, Branch], national_office: Any, today: dt.date
) -> None:
    plan = _apply(national_office, CLEAN, filename="office-2024.csv")

    assert plan.counts()["member"]["create"] == 2
    assert plan.counts()["contact"]["create"] == 2
    ada = Member.objects.select_related("user", "branch").get(user__email="ada.lovelace@example.org")
    assert ada.user.username == "ada.lovelace@example.org"
    assert ada.user.is_active and not ada.user.has_usable_password()
    assert EmailAddress.objects.filter(
        user=ada.user, email="ada.lovelace@example.org", verified=False, primary=True
    ).exists()
    assert (ada.full_name, ada.pronouns, ada.phone, ada.branch) == (
        "Ada Lovelace",
        "she/her",
        "07700 900001",
        branches["london"],
    )
    assert (ada.status, ada.joined_on, ada.dues_from) == (
        MemberStatus.MEMBER,
        dt.date(2019, 5, 1),
        dt.date(2019, 5, 1),
    )
    assert (ada.dues_band, ada.union_role) == ("low_waged", "shop_steward")
    history = list(ada.status_changes.values_list("status", "effective_on", "reason", "actor"))
    assert history == [(MemberStatus.MEMBER, dt.date(2019, 5, 1), "Imported", national_office.pk)]
    assert current_consents(ada) == {Channel.EMAIL: True, Channel.SMS: False}
    assert set(ada.consents.values_list("source", flat=True)) == {"import"}

    bert = Member.objects.get(user__email="bert@example.org")
    assert (bert.status, bert.joined_on, bert.branch) == (
        MemberStatus.LAPSED,
        dt.date(2015, 12, 31),
        branches["leeds"],
    )
    assert bert.dues_band == "waged"
    assert list(bert.status_changes.values_list("status", "effective_on")) == [
        (MemberStatus.LAPSED, dt.date(2015, 12, 31))
    ]
    assert not bert.consents.exists()

    cara = Contact.objects.get(email="cara@example.org")
    assert (cara.full_name, cara.phone, cara.city, cara.branch, cara.how_met) == (
        "Cara Singh",
        "0113 496 0000",
        "Leeds",
        branches["leeds"],
        "picket line at the depot",
    )
    assert cara.created_by == national_office
    assert current_consents(cara) == {Channel.EMAIL: True}
    dev = Contact.objects.get(full_name="Dev Patel")
    assert (dev.email, dev.branch) == ("", branches["london"])

    entries = AuditEntry.objects.filter(action="people.imported")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == national_office
    assert entry.detail["filename"] == "office-2024.csv"
    assert entry.detail["member"] == {"create": 2, "update": 0, "unchanged": 0}
    assert entry.detail["contact"] == {"create": 2, "update": 0, "unchanged": 0}
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.content) == (ImportBatch.State.APPLIED, "")
    assert batch.summary["rows"] == 4


def test_member_without_date_gets_status_from_today(
    branches: dict[str, Branch], national_office: Any, today: dt.date
) -> None:
    _apply(national_office, "kind,email,full_name,branch\nmember,eve@example.org,Eve Ng,London\n")

    eve = Member.objects.get(user__email="eve@example.org")
    assert (eve.status, eve.joined_on, eve.dues_from) == (MemberStatus.MEMBER, None, today)
    assert list(eve.status_changes.values_list("status", "effective_on", "reason")) == [
        (MemberStatus.MEMBER, today, "Imported")
    ]


def test_account_without_membership_gets_one_rather_than_a_second_account(
    branches: dict[str, Branch], national_office: Any, outsider: Any
) -> None:
    users = User.objects.count()

    _apply(national_office, "kind,email,full_name,branch\nmember,OUTSIDER@example.org,Olu Outsider,Leeds\n")

    assert User.objects.count() == users
    assert Member.objects.get(user=outsider).full_name == "Olu Outsider"


def test_new_member_who_was_a_contact_is_linked_to_the_contact(
    branches: dict[str, Branch], national_office: Any
) -> None:
    contact = Contact.objects.create(
        full_name="Fay Contact", email="fay@example.org", branch=branches["leeds"]
    )

    _apply(national_office, "kind,email,full_name,branch\nmember,fay@example.org,Fay Contact,Leeds\n")

    contact.refresh_from_db()
    assert contact.became_member == Member.objects.get(user__email="fay@example.org")


# All or nothing ----------------------------------------------------------------------------------
def test_one_bad_row_writes_nothing_and_names_the_line_and_reason(
    branches: dict[str, Branch], national_office: Any
) -> None:
    text = CLEAN + "member,gus@example.org,Gus Brown,,,Atlantis,,member,,,,,,\n"
    before = _counts()
    batch = _upload(national_office, text)

    plan = importing.plan_import(batch.content)
    assert not plan.is_valid
    assert _problems(plan) == [(6, "There is no branch called “Atlantis”.")]
    with pytest.raises(MembershipError):
        importing.apply_import(actor=national_office, batch=batch)

    assert _counts() == before
    assert not AuditEntry.objects.filter(action="people.imported").exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED


def test_failure_part_way_through_applying_rolls_back_everything(
    branches: dict[str, Branch], national_office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _apply(national_office, CLEAN)
    before = _counts()
    edited = (
        CLEAN.replace("Bert Hughes,,,leeds", "Bert Hughes,,07700 900002,leeds").replace(
            "day school,,", "day school,no,"
        )
        + "member,gus@example.org,Gus Brown,,,London,,member,,,,,yes,\n"
    )
    batch = _upload(national_office, edited)
    calls = []

    def fail(**kwargs: Any) -> list[str]:
        calls.append(kwargs["person"])
        raise RuntimeError("the database went away")

    # Consents of people on record are written last, after the new member and Bert's new phone.
    monkeypatch.setattr(importing, "record_consents", fail)

    with pytest.raises(RuntimeError):
        importing.apply_import(actor=national_office, batch=batch)

    assert [person.full_name for person in calls] == ["Dev Patel"]
    assert _counts() == before
    assert not User.objects.filter(email="gus@example.org").exists()
    assert Member.objects.get(user__email="bert@example.org").phone == ""
    batch.refresh_from_db()
    assert (batch.state, batch.content) == (ImportBatch.State.PREVIEWED, edited)


def test_file_that_went_bad_since_the_preview_is_refused_on_apply(
    branches: dict[str, Branch], national_office: Any
) -> None:
    batch = _upload(national_office, CLEAN)
    assert importing.plan_import(batch.content).is_valid
    branches["leeds"].delete()  # Bert and Cara's branch is gone by the time someone presses Apply
    before = _counts()

    with pytest.raises(MembershipError, match="nothing was written"):
        importing.apply_import(actor=national_office, batch=batch)

    assert _counts() == before


def test_only_the_national_office_can_apply(
    branches: dict[str, Branch], national_office: Any, london_organiser: Any
) -> None:
    batch = _upload(national_office, CLEAN)

    with pytest.raises(MembershipError, match="national office"):
        importing.apply_import(actor=london_organiser, batch=batch)
    with pytest.raises(MembershipError, match="national office"):
        importing.upload_import(actor=london_organiser, filename="x.csv", content=CLEAN)

    assert not Member.objects.filter(user__email="bert@example.org").exists()


def test_a_file_is_applied_once(branches: dict[str, Branch], national_office: Any) -> None:
    batch = _upload(national_office, CLEAN)
    importing.apply_import(actor=national_office, batch=batch)

    with pytest.raises(MembershipError, match="already applied"):
        importing.apply_import(actor=national_office, batch=batch)
    assert AuditEntry.objects.filter(action="people.imported").count() == 1


# Re-importing --------------------------------------------------------------------------------------
def test_importing_the_same_file_again_changes_nothing(
    branches: dict[str, Branch], national_office: Any
) -> None:
    _apply(national_office, CLEAN)
    after_first = _counts()
    stamps = {m.pk: m.updated_at for m in Member.objects.all()} | {
        -c.pk: c.updated_at for c in Contact.objects.all()
    }

    second = _upload(national_office, CLEAN)
    plan = importing.plan_import(second.content)
    assert plan.is_valid
    assert [p.action for p in plan.rows] == ["unchanged"] * 4
    importing.apply_import(actor=national_office, batch=second)

    assert _counts() == after_first
    assert {m.pk: m.updated_at for m in Member.objects.all()} | {
        -c.pk: c.updated_at for c in Contact.objects.all()
    } == stamps


def test_edited_file_updates_just_the_changed_people(
    branches: dict[str, Branch], national_office: Any, today: dt.date
) -> None:
    _apply(national_office, CLEAN)
    bert = Member.objects.get(user__email="bert@example.org")
    cara = Contact.objects.get(email="cara@example.org")
    ada = Member.objects.get(user__email="ada.lovelace@example.org")
    ada_stamp, cara_stamp = ada.updated_at, cara.updated_at
    edited = CLEAN.replace(
        "bert@example.org,Bert Hughes,,,leeds,,lapsed",
        "bert@example.org,Bert Hughes,,07700 900002,leeds,,member",
    ).replace("Dev Patel,,,London,London,,,,,day school,,", "Dev Patel,,,London,London,,,,,day school,no,")

    plan = importing.plan_import(_upload(national_office, edited).content)
    assert {(p.line, p.action, tuple(p.changes)) for p in plan.rows} == {
        (2, "unchanged", ()),
        (3, "update", ("phone", "status")),
        (4, "unchanged", ()),
        (5, "update", ("consent_email",)),
    }
    importing.apply_import(actor=national_office, batch=ImportBatch.objects.filter(state="previewed").get())

    bert.refresh_from_db()
    assert (bert.phone, bert.status, bert.dues_from) == ("07700 900002", MemberStatus.MEMBER, today)
    assert list(bert.status_changes.values_list("status", "effective_on", "reason")) == [
        (MemberStatus.LAPSED, dt.date(2015, 12, 31), "Imported"),
        (MemberStatus.MEMBER, today, "Imported"),
    ]
    assert current_consents(Contact.objects.get(full_name="Dev Patel")) == {Channel.EMAIL: False}
    ada.refresh_from_db()
    cara.refresh_from_db()
    assert (ada.updated_at, cara.updated_at) == (ada_stamp, cara_stamp)
    assert ada.status_changes.count() == 1


def test_blank_cells_leave_existing_details_alone(member: Member, national_office: Any) -> None:
    plan = importing.plan_import(
        "kind,email,full_name,phone,branch,status\nmember,rosa@example.org,Rosa Lund,,London,\n"
    )

    assert [(p.action, p.member) for p in plan.rows] == [("unchanged", member)]


def test_existing_member_is_matched_by_email_and_updated(member: Member, national_office: Any) -> None:
    _apply(
        national_office,
        "kind,email,full_name,branch,trade_union\nmember,ROSA@example.org,Rosa Lund,London,Unite\n",
    )

    member.refresh_from_db()
    assert member.trade_union == "Unite"
    assert Member.objects.filter(user__email__iexact="rosa@example.org").count() == 1


# Checking ---------------------------------------------------------------------------------------------
def test_duplicate_email_in_the_file_names_both_lines(
    branches: dict[str, Branch], national_office: Any
) -> None:
    text = CLEAN + "contact,ADA.LOVELACE@example.org,Ada L,,,,,,,,,,,\n"

    plan = importing.plan_import(text)

    assert _problems(plan) == [(6, "This e-mail address is also on line 2.")]


def test_same_contact_without_email_twice_is_an_error(branches: dict[str, Branch]) -> None:
    text = "kind,full_name,branch\ncontact,Dev Patel,London\ncontact,dev patel,london\n"

    assert _problems(importing.plan_import(text)) == [
        (3, "A contact with this name and branch, and no e-mail address, is also on line 2.")
    ]


def test_unknown_column_is_an_error_for_the_file(branches: dict[str, Branch]) -> None:
    text = "kind,email,full_name,branch,favourite_colour\nmember,hal@example.org,Hal Jones,London,red\n"

    plan = importing.plan_import(text)

    assert not plan.is_valid
    assert _problems(plan) == [(1, "Unknown column “favourite_colour”.")]


def test_missing_required_column_is_an_error_for_the_file(branches: dict[str, Branch]) -> None:
    plan = importing.plan_import("email,full_name\nhal@example.org,Hal Jones\n")

    assert _problems(plan) == [(1, "The required column kind is missing.")]


def test_headings_are_case_insensitive_and_in_any_order(branches: dict[str, Branch]) -> None:
    plan = importing.plan_import("Branch,Full Name,E-mail,KIND\nLondon,Hal Jones,hal@example.org,Member\n")

    assert plan.is_valid
    assert plan.rows[0].row.values["branch"] == branches["london"]


def test_each_bad_cell_is_reported_with_its_line(branches: dict[str, Branch], today: dt.date) -> None:
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    text = (
        "kind,email,full_name,branch,status,joined_on,dues_band,union_role,city,consent_post,phone\n"
        "member,not-an-address,Ivy Long,London,,,,,,,\n"  # 2
        f"member,ivy@example.org,Ivy Long,London,,{tomorrow},,,,,\n"  # 3
        "member,jay@example.org,Jay Old,London,,1899-12-31,,,,,\n"  # 4
        "member,kit@example.org,Kit Bad,London,honorary,30/02/2020,rich,boss,,maybe,\n"  # 5
        "member,,No Email,London,,,,,,,\n"  # 6
        "member,lou@example.org,,,,,,,,,\n"  # 7
        "member,max@example.org,Max City,London,,,,,Leeds,,\n"  # 8
        "comrade,ned@example.org,Ned Kind,London,,,,,,,\n"  # 9
        f"member,oli@example.org,{'O' * 151},London,,,,,,,\n"  # 10
        "member,pat@example.org,Pat Phone,London,,,,,,,4.47700900123E+11\n"  # 11
        "contact,,Quin Contact,,member,,,,,,\n"  # 12
    )

    problems = importing.plan_import(text).problems

    assert [(p.line, p.column) for p in problems] == [
        (2, "email"),
        (3, "joined_on"),
        (4, "joined_on"),
        (5, "status"),
        (5, "joined_on"),
        (5, "dues_band"),
        (5, "union_role"),
        (5, "consent_post"),
        (6, "email"),
        (7, "full_name"),
        (7, "branch"),
        (8, "city"),
        (9, "kind"),
        (10, "full_name"),
        (11, "phone"),
        (12, "status"),
    ]


def test_control_characters_are_refused(branches: dict[str, Branch]) -> None:
    text = (
        "kind,email,full_name,branch\n"
        'member,rae@example.org,"Rae\u202eevil",London\n'
        'member,sol@example.org,"Sol\nSmith",London\n'
    )

    assert [(p.line, p.column) for p in importing.plan_import(text).problems] == [
        (2, "full_name"),
        (3, "full_name"),
    ]


def test_line_numbers_are_physical_lines(branches: dict[str, Branch]) -> None:
    text = 'kind,full_name,branch,how_met\n\ncontact,Tam,London,"met at\nthe depot"\ncontact,Uma,Nowhere,\n'

    assert [(p.line, p.column) for p in importing.plan_import(text).problems] == [
        (3, "how_met"),
        (5, "branch"),
    ]


def test_broken_quoting_names_the_line(branches: dict[str, Branch]) -> None:
    text = 'kind,full_name,branch\ncontact,Ann,London\ncontact,"Bo" Bell,London\n'

    plan = importing.plan_import(text)

    assert [p.line for p in plan.problems] == [3]
    assert plan.problems[0].message.startswith("The file cannot be read as CSV from this line on")


def test_cells_beyond_the_header_are_refused_unless_blank(branches: dict[str, Branch]) -> None:
    text = "kind,full_name,branch,\ncontact,Ann,London,,\ncontact,Bo,London,extra\ncontact,Cy,London,,more\n"

    problems = importing.plan_import(text).problems

    assert [(p.line, p.message) for p in problems] == [
        (3, "This line has a value in a column with no heading."),
        (4, "This line has 5 cells but the header names 4."),
    ]


def test_contact_given_an_email_is_matched_by_name_and_branch(
    branches: dict[str, Branch], national_office: Any
) -> None:
    dev = Contact.objects.create(full_name="Dev Patel", branch=branches["london"])

    _apply(national_office, "kind,email,full_name,branch\ncontact,dev@example.org,Dev Patel,London\n")

    dev.refresh_from_db()
    assert dev.email == "dev@example.org"
    assert Contact.objects.count() == 1


def test_contact_row_for_a_member_is_an_error(member: Member) -> None:
    plan = importing.plan_import("kind,email,full_name\ncontact,rosa@example.org,Rosa Lund\n")

    assert [p.line for p in plan.problems] == [2]
    assert "belongs to a member" in plan.problems[0].message


def test_dates_in_either_format_and_words_in_either_spelling(branches: dict[str, Branch]) -> None:
    text = (
        "kind,email,full_name,branch,joined_on,dues_band,union_role,consent_email\n"
        "member,a@example.org,A,London,2020-03-31,low_waged,shop_steward,TRUE\n"
        "member,b@example.org,B,London,31/03/2020,Low-Waged,Shop Steward,1\n"
    )

    plan = importing.plan_import(text)

    assert plan.is_valid
    first, second = (p.row for p in plan.rows)
    assert (first.values, first.consents) == (
        {**second.values, "email": "a@example.org", "full_name": "A"},
        second.consents,
    )


# Reading the upload ------------------------------------------------------------------------------
def test_undecodable_bytes_name_the_line() -> None:
    data = "kind,full_name\ncontact,Zoë\n".encode() + b"contact,Jos\xe9\n"

    with pytest.raises(importing.ImportFileError, match=r"^Line 3 is not UTF-8"):
        importing.decode_csv(data)


def test_byte_order_mark_is_dropped() -> None:
    assert importing.decode_csv(b"\xef\xbb\xbfkind,full_name\r\n").startswith("kind,")
    with pytest.raises(importing.ImportFileError, match=r"^Line 2 is not UTF-8"):
        importing.decode_csv(b"\xef\xbb\xbfkind,full_name\r\ncontact,Jos\xe9\r\n")


def test_nul_bytes_name_the_line() -> None:
    with pytest.raises(importing.ImportFileError, match=r"^Line 2 contains a NUL"):
        importing.decode_csv(b"kind,full_name\ncontact,A\x00\n")


def test_checking_a_file_takes_the_same_queries_however_long_it_is(
    branches: dict[str, Branch], member: Member
) -> None:
    def queries_for(rows: int) -> int:
        lines = [HEADER, "member,rosa@example.org,Rosa Lund,,,London,,,,,,,yes,\n"]
        for n in range(rows):
            lines.append(f"member,new{n}@example.org,New Person {n},,,Leeds,,,,,,,yes,no\n")
            lines.append(f"contact,,Contact {n},,,Leeds,Leeds,,,,,,,\n")
        with CaptureQueriesContext(connection) as queries:
            plan = importing.plan_import("".join(lines))
        assert plan.is_valid
        return len(queries)

    assert queries_for(2) == queries_for(2500)


# The pages -------------------------------------------------------------------------------------------
def _csv_upload(text: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_national_office_uploads_previews_and_applies(
    client: Client, branches: dict[str, Branch], national_office: Any
) -> None:
    client.force_login(national_office)
    url = reverse("members:import_upload")

    response = client.post(url, {"file": _csv_upload(CLEAN)})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_preview", args=[batch.pk])
    assert not Member.objects.filter(user__email="bert@example.org").exists()
    assert 'href="{}">people.csv</a>'.format(response["Location"]) in client.get(url).content.decode()
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["counts"]["member"]["create"] == 2
    assert b'value="apply"' in preview.content

    applied = client.post(response["Location"], {"action": "apply"}, follow=True)

    assert applied.status_code == 200
    assert applied.redirect_chain[-1][0] == reverse("members:import_upload")
    assert "4 created" in applied.content.decode()
    assert Member.objects.filter(user__email="bert@example.org").exists()
    assert client.get(response["Location"]).status_code == 404


def test_preview_lists_bad_lines_and_offers_no_apply(
    client: Client, branches: dict[str, Branch], national_office: Any
) -> None:
    client.force_login(national_office)
    before = _counts()
    text = CLEAN + "member,gus@example.org,Gus Brown,,,Atlantis,,member,,,,,,\n"

    response = client.post(reverse("members:import_upload"), {"file": _csv_upload(text)}, follow=True)

    page = response.content.decode()
    assert "<td>6</td>" in page
    assert "There is no branch called “Atlantis”." in page
    assert 'value="apply"' not in page
    batch = ImportBatch.objects.get()
    refused = client.post(
        reverse("members:import_preview", args=[batch.pk]), {"action": "apply"}, follow=True
    )
    assert "nothing was written" in refused.content.decode()
    assert _counts() == before


def test_discarding_clears_the_file(
    client: Client, branches: dict[str, Branch], national_office: Any
) -> None:
    client.force_login(national_office)
    batch = _upload(national_office, CLEAN)

    response = client.post(reverse("members:import_preview", args=[batch.pk]), {"action": "discard"})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.content) == (ImportBatch.State.DISCARDED, "")
    assert not Member.objects.filter(user__email="bert@example.org").exists()


def test_undecodable_upload_is_a_form_error_naming_the_line(client: Client, national_office: Any) -> None:
    client.force_login(national_office)

    response = client.post(
        reverse("members:import_upload"), {"file": _csv_upload(b"kind,full_name\ncontact,Jos\xe9\n")}
    )

    assert response.status_code == 200
    assert "Line 2 is not UTF-8 text" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_refuses_other_files_and_big_files(
    client: Client, national_office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(national_office)
    url = reverse("members:import_upload")

    not_csv = client.post(url, {"file": _csv_upload(CLEAN, name="people.xlsx")})
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 100)
    too_big = client.post(url, {"file": _csv_upload(CLEAN)})

    assert "Upload a .csv file" in not_csv.content.decode()
    assert "larger than 5 MB" in too_big.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("who", ["member", "london_organiser"])
def test_others_are_forbidden(
    client: Client, request: pytest.FixtureRequest, who: str, national_office: Any
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user.user if isinstance(user, Member) else user)
    batch = _upload(national_office, CLEAN)

    assert client.get(reverse("members:import_upload")).status_code == 403
    assert client.post(reverse("members:import_upload"), {"file": _csv_upload(CLEAN)}).status_code == 403
    assert client.get(reverse("members:import_preview", args=[batch.pk])).status_code == 403
    assert (
        client.post(reverse("members:import_preview", args=[batch.pk]), {"action": "apply"}).status_code
        == 403
    )
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED


def test_anonymous_visitors_are_sent_to_log_in(client: Client, national_office: Any) -> None:
    batch = _upload(national_office, CLEAN)

    for url in (reverse("members:import_upload"), reverse("members:import_preview", args=[batch.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_imported_applicant_waits_in_the_branch_queue_and_can_be_approved(national_office, london_organiser):
    from members.models import Application, ApplicationDecision
    from members.services import approve_application

    content = (
        "kind,email,full_name,branch,status\n"
        "member,new.applicant@example.org,Nia Applicant,London,applicant\n"
    )
    batch = importing.upload_import(actor=national_office, filename="applicants.csv", content=content)
    importing.apply_import(actor=national_office, batch=batch)

    application = Application.objects.get(member__user__email="new.applicant@example.org")
    assert application.decision == ApplicationDecision.PENDING
    assert application.branch.slug == "london"
    member = approve_application(actor=london_organiser, application=application)
    assert member.status == "member"

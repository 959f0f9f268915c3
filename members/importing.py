"""Importing members and contacts from the spreadsheets this system replaces.

A CSV file goes through three steps, and nothing is written before the last:

1. ``decode_csv`` turns the uploaded bytes into text (UTF-8, with or without
   a byte-order mark), naming the line of any byte that is not UTF-8.
2. ``plan_import`` reads the rows, checks each one and the file as a whole,
   and matches them with the people on record, in a fixed number of queries
   whatever the length of the file. The plan says, row by row, what would be
   created, updated or left unchanged, and lists every problem with its line.
3. ``apply_import`` plans again against the database as it is now, inside one
   transaction, and writes only if the whole file is still good.

The column reference is docs/import-format.md. Line numbers are physical
lines of the file, the header being line 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from awl.audit import log_action
from awl.permissions import has_rule
from members.models import (
    Application,
    Branch,
    Channel,
    Consent,
    Contact,
    DuesBand,
    ImportBatch,
    Member,
    MemberStatus,
    StatusChange,
    UnionRole,
)
from members.services import MembershipError, record_consents

User = get_user_model()

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PERMISSION = "members.import_people"
CONSENT_SOURCE = "import"
STATUS_REASON = "Imported"

MEMBER = "member"
CONTACT = "contact"
KINDS = (MEMBER, CONTACT)

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
ACTIONS = (CREATE, UPDATE, UNCHANGED)

COLUMNS = (
    "kind",
    "email",
    "full_name",
    "preferred_name",
    "pronouns",
    "phone",
    "branch",
    "city",
    "status",
    "joined_on",
    "dues_band",
    "workplace",
    "industry",
    "trade_union",
    "union_role",
    "how_met",
    "consent_email",
    "consent_phone",
    "consent_sms",
    "consent_post",
)
REQUIRED_COLUMNS = ("kind", "full_name")
COLUMN_ALIASES = {"e_mail": "email"}
CONSENT_COLUMNS = {
    "consent_email": Channel.EMAIL,
    "consent_phone": Channel.PHONE,
    "consent_sms": Channel.SMS,
    "consent_post": Channel.POST,
}
# Free-text columns, each checked against the max_length of the model field it fills.
MEMBER_TEXT = ("full_name", "preferred_name", "pronouns", "phone", "workplace", "industry", "trade_union")
CONTACT_TEXT = ("full_name", "phone", "city", "how_met")
# Columns that only one kind of person has.
MEMBER_ONLY = (
    "preferred_name",
    "pronouns",
    "status",
    "joined_on",
    "dues_band",
    "workplace",
    "industry",
    "trade_union",
    "union_role",
)
CONTACT_ONLY = ("city", "how_met")

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_DUES_BANDS = {band.value: band.value for band in DuesBand} | {
    "low-waged": DuesBand.LOW_WAGED,
    "low waged": DuesBand.LOW_WAGED,
}
_UNION_ROLES = {role.value: role.value for role in UnionRole if role.value} | {
    "shop steward": UnionRole.SHOP_STEWARD,
    "shop-steward": UnionRole.SHOP_STEWARD,
    "branch officer": UnionRole.BRANCH_OFFICER,
    "branch-officer": UnionRole.BRANCH_OFFICER,
    "none": UnionRole.NONE,
}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]*$")
_EARLIEST_DATE = dt.date(1900, 1, 1)
# Characters refused in any cell, as in the site's forms: control and format
# characters (NUL, tabs, line breaks, right-to-left overrides that disguise
# text), lone surrogates and line separators; the zero-width joiners that
# emoji and some scripts need are allowed.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_JOINERS = {"\u200c", "\u200d"}


class ImportFileError(ValueError):
    """The upload is not a CSV text file we can read; the message names the line."""


# Reading ------------------------------------------------------------------------------------
def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark, and no NUL characters."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"Line {line} is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be read). "
            "Save the spreadsheet as “CSV UTF-8 (comma delimited)” and upload it again."
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ImportFileError(
            f"Line {line} contains a NUL character; this does not look like a CSV text file."
        )
    if not text.strip():
        raise ImportFileError("The file is empty.")
    return text


@dataclass(frozen=True)
class Problem:
    """Why a line (or the whole file, line 1 being the header) cannot be imported."""

    line: int
    message: str
    column: str = ""


@dataclass(frozen=True)
class _RawRow:
    line: int
    cells: dict[str, str]


def _normalise_heading(heading: str) -> str:
    name = re.sub(r"[\s\-]+", "_", heading.strip().lower())
    return COLUMN_ALIASES.get(name, name)


class _LineReader:
    """A CSV reader that knows the physical line each record starts on."""

    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            start = self._reader.line_num + 1
            try:
                record = next(self._reader)
            except StopIteration:
                return
            yield start, record

    @property
    def lines_read(self) -> int:
        return self._reader.line_num


def _read_header(record: list[str]) -> tuple[list[str], list[Problem]]:
    """The normalised column names (blank for a blank heading) and what is wrong with them."""
    if not any(cell.strip() for cell in record):
        return [], [Problem(1, "Line 1 must be the header row naming the columns (kind, full_name, ...).")]
    if len(record) == 1 and ";" in record[0]:
        return [], [Problem(1, "The header is separated by semicolons; save the file with commas instead.")]
    headings = [_normalise_heading(cell) for cell in record]
    problems: list[Problem] = []
    seen: set[str] = set()
    for heading, original in zip(headings, record, strict=True):
        if not heading:
            continue
        if heading not in COLUMNS:
            problems.append(Problem(1, f"Unknown column “{original.strip()}”.", heading))
        elif heading in seen:
            problems.append(Problem(1, f"The column {heading} appears more than once.", heading))
        seen.add(heading)
    for required in REQUIRED_COLUMNS:
        if required not in seen:
            problems.append(Problem(1, f"The required column {required} is missing.", required))
    return headings, problems


def _read_rows(reader: _LineReader, rows: list[_RawRow], problems: list[Problem]) -> None:
    records = iter(reader)
    first = next(records, None)
    headings, header_problems = _read_header(first[1] if first else [])
    problems.extend(header_problems)
    if not headings or any(p.column in REQUIRED_COLUMNS for p in header_problems):
        return  # without its key columns, every row would only repeat the header's problem
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[len(headings) :]):
            problems.append(
                Problem(line, f"This line has {len(record)} cells but the header names {len(headings)}.")
            )
            continue
        if any(cell.strip() for heading, cell in zip(headings, record, strict=False) if not heading):
            problems.append(Problem(line, "This line has a value in a column with no heading."))
            continue
        cells = {
            heading: cell.strip()
            for heading, cell in zip(headings, record, strict=False)
            if heading in COLUMNS
        }
        rows.append(_RawRow(line, cells))
    if not rows and not problems:
        problems.append(Problem(1, "The file has no rows below the header."))


def _read(text: str) -> tuple[list[_RawRow], list[Problem]]:
    """The data rows keyed by column, and what is wrong with the file's shape."""
    rows: list[_RawRow] = []
    problems: list[Problem] = []
    reader = _LineReader(text)
    try:
        _read_rows(reader, rows, problems)
    except csv.Error as exc:
        problems.append(
            Problem(reader.lines_read, f"The file cannot be read as CSV from this line on ({exc}).")
        )
    return rows, problems


# Checking rows ------------------------------------------------------------------------------
@dataclass
class CleanRow:
    """One good line: the model fields it gives (blank cells left out) and its consents."""

    line: int
    kind: str
    email: str
    full_name: str
    branch: Branch | None
    values: dict[str, Any]
    consents: dict[str, bool]

    @property
    def name_key(self) -> tuple[str, int | None]:
        return (self.full_name.lower(), self.branch.pk if self.branch else None)


class _Branches:
    """Branches by name or slug, case-insensitively, from one query."""

    def __init__(self, branches: Iterable[Branch]) -> None:
        self.by_key: dict[str, Branch] = {}
        for branch in branches:
            self.by_key.setdefault(branch.slug.lower(), branch)
        for branch in branches:
            self.by_key[branch.name.lower()] = branch

    def find(self, value: str) -> Branch | None:
        return self.by_key.get(value.strip().lower())


def _has_hidden_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in _HIDDEN_CATEGORIES and ch not in _JOINERS for ch in value)


def _max_length(model: type[models.Model], name: str) -> int:
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, models.Field) or model_field.max_length is None:
        raise LookupError(f"{model.__name__}.{name} has no maximum length")
    return model_field.max_length


def _parse_date(value: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _shown(value: str) -> str:
    """A cell quoted in a message, cut short if long."""
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


class _RowCheck:
    """Checks one line's cells and turns them into model values, collecting every problem."""

    def __init__(self, raw: _RawRow, branches: _Branches, today: dt.date) -> None:
        self.line = raw.line
        self.cells = raw.cells
        self.branches = branches
        self.today = today
        self.problems: list[Problem] = []
        self.values: dict[str, Any] = {}

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, message, column))

    def run(self) -> CleanRow | None:
        for column, value in self.cells.items():
            if _has_hidden_characters(value):
                self.bad(column, "Contains a control character (a line break, tab or similar); remove it.")
        if self.problems:
            return None
        kind = self.cells.get("kind", "").lower()
        if kind not in KINDS:
            shown = _shown(self.cells["kind"]) if self.cells.get("kind") else "blank"
            self.bad("kind", f"kind is {shown}; it must be member or contact.")
            return None
        if not self.cells.get("full_name"):
            self.bad("full_name", "A full name is required.")
        for column in CONTACT_ONLY if kind == MEMBER else MEMBER_ONLY:
            if self.cells.get(column):
                self.bad(column, f"{column} is not recorded for a {kind}; leave it blank on {kind} rows.")
        self._text(kind)
        email = self._email(kind)
        branch = self._branch(kind)
        if kind == MEMBER:
            self._membership()
        consents = self._consents()
        if self.problems:
            return None
        return CleanRow(self.line, kind, email, self.cells["full_name"], branch, self.values, consents)

    def _text(self, kind: str) -> None:
        model: type[models.Model] = Member if kind == MEMBER else Contact
        for column in MEMBER_TEXT if kind == MEMBER else CONTACT_TEXT:
            value = self.cells.get(column, "")
            if not value:
                continue
            limit = _max_length(model, column)
            if len(value) > limit:
                self.bad(column, f"{column} is {len(value)} characters long; at most {limit} fit.")
            elif column == "phone" and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6):
                self.bad(
                    column, "A phone number holds digits, with spaces, brackets, dashes and a leading +."
                )
            else:
                self.values[column] = value

    def _email(self, kind: str) -> str:
        email = self.cells.get("email", "").lower()
        if not email:
            if kind == MEMBER:
                self.bad("email", "An e-mail address is required for a member.")
            return ""
        # A member's address is also their user name, which is shorter than an e-mail field.
        limit = _max_length(User, "username") if kind == MEMBER else _max_length(Contact, "email")
        try:
            validate_email(email)
        except ValidationError:
            self.bad("email", "This is not a valid e-mail address.")
            return ""
        if len(email) > limit:
            self.bad("email", f"The e-mail address is longer than {limit} characters.")
            return ""
        self.values["email"] = email
        return email

    def _branch(self, kind: str) -> Branch | None:
        name = self.cells.get("branch", "")
        if not name:
            if kind == MEMBER:
                self.bad("branch", "A branch is required for a member.")
            return None
        branch = self.branches.find(name)
        if branch is None:
            self.bad("branch", f"There is no branch called {_shown(name)}.")
        else:
            self.values["branch"] = branch
        return branch

    def _membership(self) -> None:
        cells = self.cells
        if cells.get("status"):
            status = cells["status"].lower()
            if status in MemberStatus.values:
                self.values["status"] = status
            else:
                choices = ", ".join(MemberStatus.values)
                self.bad("status", f"status {_shown(cells['status'])} must be one of {choices}.")
        if cells.get("joined_on"):
            joined_on = _parse_date(cells["joined_on"])
            if joined_on is None:
                shown = _shown(cells["joined_on"])
                self.bad("joined_on", f"joined_on {shown} is not a date like 2024-03-31 or 31/03/2024.")
            elif joined_on > self.today:
                self.bad("joined_on", "joined_on is in the future.")
            elif joined_on < _EARLIEST_DATE:
                self.bad("joined_on", "joined_on is before 1900.")
            else:
                self.values["joined_on"] = joined_on
        if cells.get("dues_band"):
            band = _DUES_BANDS.get(cells["dues_band"].lower())
            if band is None:
                shown = _shown(cells["dues_band"])
                self.bad("dues_band", f"dues_band {shown} must be waged, low_waged or unwaged.")
            else:
                self.values["dues_band"] = band
        if cells.get("union_role"):
            role = _UNION_ROLES.get(cells["union_role"].lower())
            if role is None:
                shown = _shown(cells["union_role"])
                self.bad(
                    "union_role", f"union_role {shown} must be rep, shop_steward, branch_officer or none."
                )
            else:
                self.values["union_role"] = role

    def _consents(self) -> dict[str, bool]:
        consents: dict[str, bool] = {}
        for column, channel in CONSENT_COLUMNS.items():
            answer = self.cells.get(column, "").lower()
            if not answer:
                continue
            if answer in _TRUE:
                consents[channel] = True
            elif answer in _FALSE:
                consents[channel] = False
            else:
                shown = _shown(self.cells[column])
                self.bad(column, f"{column} {shown} must be yes or no (or blank to leave it as it is).")
        return consents


def _duplicates(rows: list[CleanRow]) -> list[Problem]:
    """The second and later lines for one person: the same e-mail, or a contact's name and branch."""
    problems: list[Problem] = []
    first_by_email: dict[str, int] = {}
    first_by_name: dict[tuple[str, int | None], int] = {}
    for row in rows:
        if row.email:
            first = first_by_email.setdefault(row.email, row.line)
            if first != row.line:
                problems.append(Problem(row.line, f"This e-mail address is also on line {first}.", "email"))
        elif row.kind == CONTACT:
            first = first_by_name.setdefault(row.name_key, row.line)
            if first != row.line:
                problems.append(
                    Problem(
                        row.line,
                        "A contact with this name and branch, and no e-mail address, "
                        f"is also on line {first}.",
                        "full_name",
                    )
                )
    return problems


# Matching with the records --------------------------------------------------------------------
@dataclass
class _OnRecord:
    """The people a file could be about, loaded in bulk."""

    users_by_email: dict[str, list[Any]]
    users_by_username: dict[str, Any]
    users_by_address: dict[str, Any]
    members_by_user: dict[int, Member]
    contacts_by_email: dict[str, list[Contact]]
    unmailed_contacts_by_name: dict[tuple[str, int | None], list[Contact]]
    consents: dict[tuple[str, int], dict[str, bool]]

    def consents_of(self, person: Member | Contact) -> dict[str, bool]:
        return self.consents.get((MEMBER if isinstance(person, Member) else CONTACT, person.pk), {})


def _load_on_record(rows: list[CleanRow], *, lock: bool) -> _OnRecord:
    emails = sorted({row.email for row in rows if row.email})
    names = sorted({row.full_name.lower() for row in rows if row.kind == CONTACT})

    users_by_email: dict[str, list[Any]] = defaultdict(list)
    users_by_username: dict[str, Any] = {}
    users = User.objects.annotate(email_l=Lower("email"), username_l=Lower("username")).filter(
        Q(email_l__in=emails) | Q(username_l__in=emails)
    )
    for user in users:
        users_by_email[user.email.lower()].append(user)
        users_by_username[user.username.lower()] = user
    users_by_address = {
        address.email.lower(): address.user
        for address in EmailAddress.objects.annotate(email_l=Lower("email"))
        .filter(email_l__in=emails)
        .select_related("user")
    }
    user_ids = {u.pk for found in users_by_email.values() for u in found} | {
        u.pk for u in users_by_address.values()
    }

    members: QuerySet[Member] = Member.objects.filter(user_id__in=user_ids)
    contacts: QuerySet[Contact] = (
        Contact.objects.filter(erased_at__isnull=True)
        .annotate(email_l=Lower("email"), name_l=Lower("full_name"))
        .filter(Q(email_l__in=emails) | Q(email="", name_l__in=names))
    )
    if lock:
        members = members.select_for_update()
        contacts = contacts.select_for_update()
    members_by_user = {member.user_id: member for member in members}
    contacts_by_email: dict[str, list[Contact]] = defaultdict(list)
    unmailed: dict[tuple[str, int | None], list[Contact]] = defaultdict(list)
    contact_list = list(contacts)
    for contact in contact_list:
        if contact.email:
            contacts_by_email[contact.email.lower()].append(contact)
        else:
            unmailed[(contact.full_name.lower(), contact.branch_id)].append(contact)

    consents: dict[tuple[str, int], dict[str, bool]] = defaultdict(dict)
    member_ids = [m.pk for m in members_by_user.values()]
    contact_ids = [c.pk for c in contact_list]
    for member_id, contact_id, channel, granted in (
        Consent.objects.filter(Q(member_id__in=member_ids) | Q(contact_id__in=contact_ids))
        .order_by("recorded_at", "pk")
        .values_list("member_id", "contact_id", "channel", "granted")
    ):
        key = (MEMBER, member_id) if member_id is not None else (CONTACT, contact_id)
        consents[key][channel] = granted
    return _OnRecord(
        users_by_email=users_by_email,
        users_by_username=users_by_username,
        users_by_address=users_by_address,
        members_by_user=members_by_user,
        contacts_by_email=contacts_by_email,
        unmailed_contacts_by_name=unmailed,
        consents=consents,
    )


@dataclass
class PlannedRow:
    """What applying will do with one good line."""

    row: CleanRow
    action: str
    changes: list[str] = field(default_factory=list)
    user: Any = None
    member: Member | None = None
    contact: Contact | None = None

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def kind(self) -> str:
        return self.row.kind

    @property
    def full_name(self) -> str:
        return self.row.full_name


def _changes(person: Member | Contact, row: CleanRow, current_consents: dict[str, bool]) -> list[str]:
    changed = []
    for name, value in row.values.items():
        if name == "email" and isinstance(person, Member):
            continue
        current = person.branch_id if name == "branch" else getattr(person, name)
        wanted = value.pk if name == "branch" else value
        if current != wanted:
            changed.append(name)
    for column, channel in CONSENT_COLUMNS.items():
        if channel in row.consents and current_consents.get(channel) is not row.consents[channel]:
            changed.append(column)
    return changed


class _Planner:
    def __init__(self, on_record: _OnRecord) -> None:
        self.on_record = on_record
        self.claimed_users: dict[int, int] = {}
        self.claimed_contacts: dict[int, int] = {}

    def plan(self, row: CleanRow) -> PlannedRow | Problem:
        return self._member(row) if row.kind == MEMBER else self._contact(row)

    def _member(self, row: CleanRow) -> PlannedRow | Problem:
        record = self.on_record
        accounts = record.users_by_email.get(row.email, [])
        if len(accounts) > 1:
            return Problem(
                row.line, "More than one account has this e-mail address; merge them first.", "email"
            )
        user = accounts[0] if accounts else record.users_by_address.get(row.email)
        if user is None:
            if row.email in record.users_by_username:
                return Problem(
                    row.line, "Another account already uses this e-mail address as its user name.", "email"
                )
            return PlannedRow(row, CREATE)
        if user.pk in self.claimed_users:
            return Problem(
                row.line,
                f"This e-mail address belongs to the same account as line {self.claimed_users[user.pk]}.",
                "email",
            )
        self.claimed_users[user.pk] = row.line
        member = record.members_by_user.get(user.pk)
        if member is None:
            return PlannedRow(row, CREATE, user=user)
        if member.erased_at is not None:
            return Problem(row.line, "This person's data was erased; they cannot be imported again.", "email")
        changes = _changes(member, row, record.consents_of(member))
        return PlannedRow(row, UPDATE if changes else UNCHANGED, changes, user=user, member=member)

    def _contact(self, row: CleanRow) -> PlannedRow | Problem:
        record = self.on_record
        contact: Contact | None = None
        if row.email:
            for user in record.users_by_email.get(row.email, []):
                member = record.members_by_user.get(user.pk)
                if member is not None and member.erased_at is None:
                    return Problem(
                        row.line,
                        "This e-mail address belongs to a member; import them as kind member, "
                        "or leave the row out.",
                        "email",
                    )
            matches = record.contacts_by_email.get(row.email, [])
            if len(matches) > 1:
                return Problem(
                    row.line, "More than one contact has this e-mail address; merge them first.", "email"
                )
            contact = matches[0] if matches else None
        if contact is None:
            # No e-mail on the row, or none on record yet: a contact of this
            # name and branch with no e-mail address is the same person.
            namesakes = record.unmailed_contacts_by_name.get(row.name_key, [])
            if len(namesakes) > 1:
                return Problem(
                    row.line,
                    "Several contacts with no e-mail address have this name and branch; "
                    "give this row an e-mail address or merge them first.",
                    "full_name",
                )
            contact = namesakes[0] if namesakes else None
        if contact is None:
            return PlannedRow(row, CREATE)
        if contact.pk in self.claimed_contacts:
            return Problem(
                row.line,
                f"This is the same contact as line {self.claimed_contacts[contact.pk]}.",
                "full_name",
            )
        self.claimed_contacts[contact.pk] = row.line
        changes = _changes(contact, row, record.consents_of(contact))
        return PlannedRow(row, UPDATE if changes else UNCHANGED, changes, contact=contact)


@dataclass
class ImportPlan:
    """The whole file checked and matched: what applying it would do, or why it cannot be."""

    rows: list[PlannedRow]
    problems: list[Problem]
    row_count: int

    @property
    def is_valid(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def bad_lines(self) -> int:
        return len({problem.line for problem in self.problems})

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS}
        for planned in self.rows:
            counts[planned.kind][planned.action] += 1
        return counts

    def total(self, action: str) -> int:
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def changing(self) -> list[PlannedRow]:
        return [planned for planned in self.rows if planned.action != UNCHANGED]

    def summary(self, filename: str) -> dict[str, Any]:
        return {"filename": filename, "rows": self.row_count, **self.counts()}


def plan_import(text: str, *, lock: bool = False) -> ImportPlan:
    """Check the file and match it with the records; a fixed number of queries for any length.

    With ``lock`` (inside a transaction) the members and contacts it would
    update are locked until the transaction ends.
    """
    raw_rows, problems = _read(text)
    today = timezone.localdate()
    branches = _Branches(list(Branch.objects.all()))
    clean: list[CleanRow] = []
    for raw in raw_rows:
        check = _RowCheck(raw, branches, today)
        row = check.run()
        problems.extend(check.problems)
        if row is not None:
            clean.append(row)
    duplicates = _duplicates(clean)
    problems.extend(duplicates)
    duplicate_lines = {problem.line for problem in duplicates}
    clean = [row for row in clean if row.line not in duplicate_lines]

    planned: list[PlannedRow] = []
    if clean:
        planner = _Planner(_load_on_record(clean, lock=lock))
        for row in clean:
            outcome = planner.plan(row)
            if isinstance(outcome, Problem):
                problems.append(outcome)
            else:
                planned.append(outcome)
    problems.sort(
        key=lambda problem: (problem.line, COLUMNS.index(problem.column) if problem.column in COLUMNS else -1)
    )
    return ImportPlan(rows=planned, problems=problems, row_count=len(raw_rows))


# Writing ---------------------------------------------------------------------------------------
def _require_import_permission(actor: Any) -> None:
    if actor is None or not has_rule(actor, PERMISSION):
        raise MembershipError("Only the national office can import members and contacts.")


def _lock_previewed(batch: ImportBatch) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != ImportBatch.State.PREVIEWED:
        raise MembershipError(f"This import was already {batch.get_state_display().lower()}.")
    return batch


@transaction.atomic
def upload_import(*, actor: Any, filename: str, content: str) -> ImportBatch:
    """Keep an uploaded file, decoded, for its preview; nothing about people is written yet."""
    _require_import_permission(actor)
    name = "".join(
        ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if not _has_hidden_characters(ch)
    )
    return ImportBatch.objects.create(
        uploaded_by=actor,
        filename=name[: _max_length(ImportBatch, "filename")] or "upload.csv",
        content=content,
    )


@transaction.atomic
def discard_import(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Drop an uploaded file without importing it."""
    _require_import_permission(actor)
    batch = _lock_previewed(batch)
    batch.state = ImportBatch.State.DISCARDED
    batch.content = ""
    batch.save(update_fields=["state", "content"])
    log_action(
        actor=actor, action="people.import_discarded", target=batch, detail={"filename": batch.filename}
    )
    return batch


@transaction.atomic
def apply_import(*, actor: Any, batch: ImportBatch) -> ImportPlan:
    """Import the whole file, or nothing: it is checked again against the records as they are now."""
    _require_import_permission(actor)
    batch = _lock_previewed(batch)
    plan = plan_import(batch.content, lock=True)
    if not plan.is_valid:
        raise MembershipError(
            "The file cannot be imported as it stands now; nothing was written. "
            "The problems are listed below."
        )
    try:
        _write(plan, actor=actor)
    except IntegrityError as exc:
        raise MembershipError(
            "Someone changed these records while the import ran; nothing was imported. Try again."
        ) from exc
    summary = plan.summary(batch.filename)
    batch.state = ImportBatch.State.APPLIED
    batch.content = ""
    batch.summary = summary
    batch.save(update_fields=["state", "content", "summary"])
    log_action(actor=actor, action="people.imported", target=batch, detail=summary)
    return plan


def _write(plan: ImportPlan, *, actor: Any) -> None:
    now = timezone.now()
    today = timezone.localdate()
    _create_members(
        [p for p in plan.rows if p.kind == MEMBER and p.action == CREATE], actor=actor, now=now, today=today
    )
    _create_contacts([p for p in plan.rows if p.kind == CONTACT and p.action == CREATE], actor=actor, now=now)
    for planned in plan.rows:
        if planned.action == UPDATE and planned.member is not None:
            _update_member(planned.member, planned, actor=actor, now=now, today=today)
        elif planned.action == UPDATE and planned.contact is not None:
            _update_contact(planned.contact, planned, now=now)
    # Someone new has no consents on record, so every channel given is recorded:
    # in one statement, as thousands of rows one at a time take the best part
    # of a minute. People on record go through the service that compares.
    Consent.objects.bulk_create(
        Consent(
            member=planned.member if planned.kind == MEMBER else None,
            contact=planned.contact if planned.kind == CONTACT else None,
            channel=channel,
            granted=granted,
            recorded_at=now,
            source=CONSENT_SOURCE,
        )
        for planned in plan.rows
        if planned.action == CREATE
        for channel, granted in planned.row.consents.items()
    )
    for planned in plan.rows:
        person = planned.member or planned.contact
        if (
            planned.action == UPDATE
            and person is not None
            and any(change in CONSENT_COLUMNS for change in planned.changes)
        ):
            record_consents(person=person, consents=planned.row.consents, source=CONSENT_SOURCE)


def _create_members(rows: list[PlannedRow], *, actor: Any, now: dt.datetime, today: dt.date) -> None:
    new_users = []
    for planned in rows:
        if planned.user is None:
            user = User(username=planned.row.email, email=planned.row.email, is_active=True)
            user.set_unusable_password()
            planned.user = user
            new_users.append(user)
    User.objects.bulk_create(new_users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=False, primary=True) for user in new_users]
    )
    for planned in rows:
        values = {k: v for k, v in planned.row.values.items() if k != "email"}
        status = values.pop("status", MemberStatus.MEMBER)
        joined_on = values.get("joined_on")
        if status == MemberStatus.APPLICANT:
            dues_from = None
        else:
            dues_from = joined_on or (today if status == MemberStatus.MEMBER else None)
        planned.member = Member(
            user=planned.user, status=status, dues_from=dues_from, created_at=now, updated_at=now, **values
        )
    Member.objects.bulk_create([planned.member for planned in rows if planned.member is not None])
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                member=planned.member,
                status=planned.member.status,
                effective_on=planned.member.joined_on or today,
                recorded_at=now,
                actor=actor,
                reason=STATUS_REASON,
            )
            for planned in rows
            if planned.member is not None
        ]
    )
    # Applicants on the old spreadsheet applied on paper (agreeing with the
    # aims); they wait in their branch's queue like anyone who applies here.
    Application.objects.bulk_create(
        [
            Application(
                member=planned.member,
                branch=planned.member.branch,
                agrees_with_aims=True,
                submitted_at=now,
                statement="",
            )
            for planned in rows
            if planned.member is not None and planned.member.status == MemberStatus.APPLICANT
        ]
    )
    # Contacts who have now joined are linked to their membership, as on admission.
    by_email = {planned.row.email: planned.member for planned in rows}
    if by_email:
        joined = list(
            Contact.objects.annotate(email_l=Lower("email")).filter(
                email_l__in=list(by_email), became_member__isnull=True, erased_at__isnull=True
            )
        )
        for contact in joined:
            contact.became_member = by_email[contact.email.lower()]
            contact.updated_at = now
        Contact.objects.bulk_update(joined, ["became_member", "updated_at"])


def _create_contacts(rows: list[PlannedRow], *, actor: Any, now: dt.datetime) -> None:
    for planned in rows:
        planned.contact = Contact(created_by=actor, created_at=now, updated_at=now, **planned.row.values)
    Contact.objects.bulk_create([planned.contact for planned in rows if planned.contact is not None])


def _update_member(
    member: Member, planned: PlannedRow, *, actor: Any, now: dt.datetime, today: dt.date
) -> None:
    fields = [change for change in planned.changes if change not in CONSENT_COLUMNS]
    if not fields:
        return
    previous_status = member.status
    old_joined_on = member.joined_on
    for name in fields:
        setattr(member, name, planned.row.values[name])
    if "joined_on" in fields and member.dues_from is not None and member.dues_from == old_joined_on:
        # Dues ran from the old joining date (never reinstated since): they run from the corrected one.
        member.dues_from = member.joined_on
        fields.append("dues_from")
    reinstated = previous_status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED)
    if "status" in fields and member.status == MemberStatus.MEMBER and reinstated:
        # Admitted or reinstated by the import: dues run from today, as on admission.
        member.dues_from = today
        if member.joined_on is None:
            member.joined_on = today
        fields.extend(name for name in ("dues_from", "joined_on") if name not in fields)
    member.updated_at = now
    member.save(update_fields=[*fields, "updated_at"])
    if "status" in fields:
        StatusChange.objects.create(
            member=member,
            status=member.status,
            effective_on=today,
            recorded_at=now,
            actor=actor,
            reason=STATUS_REASON,
        )


def _update_contact(contact: Contact, planned: PlannedRow, *, now: dt.datetime) -> None:
    fields = [change for change in planned.changes if change not in CONSENT_COLUMNS]
    if not fields:
        return
    for name in fields:
        setattr(contact, name, planned.row.values[name])
    contact.updated_at = now
    contact.save(update_fields=[*fields, "updated_at"])


# Reading batches ----------------------------------------------------------------------------------
def pending_batches() -> QuerySet[ImportBatch]:
    """Uploaded files waiting to be applied or discarded, newest first."""
    return ImportBatch.objects.filter(state=ImportBatch.State.PREVIEWED).select_related("uploaded_by")


def recent_batches(limit: int = 10) -> list[ImportBatch]:
    """The latest files applied or discarded, for the upload page's history."""
    return list(
        ImportBatch.objects.exclude(state=ImportBatch.State.PREVIEWED)
        .select_related("uploaded_by")
        .order_by("-uploaded_at")[:limit]
    )


def get_previewed_batch(pk: int) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(pk=pk, state=ImportBatch.State.PREVIEWED)
        .select_related("uploaded_by")
        .first()
    )

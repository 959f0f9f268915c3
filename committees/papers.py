"""What a paper may be: its type judged by both its name and its contents, never the browser's word.

A secretary attaches papers to agenda items; members download them. A file
is accepted only when its extension is one we know *and* its first bytes
(and, for the zip-based office formats, its contents list) say it is that
kind of file, so a program renamed ``minutes.pdf`` is refused. The content
type a paper is later served with comes from this table, not from the
upload.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The stored name is papers/<meeting>/<16 hex>-<name>; FileField keeps 100 characters.
NAME_STEM_MAX = 50
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"


class PaperRefused(ValueError):
    """The file is not one we accept as a paper; the message says why, fit to show."""


@dataclass(frozen=True)
class PaperFormat:
    extension: str
    content_type: str
    looks_right: Callable[[Any], bool]


@dataclass(frozen=True)
class CheckedPaper:
    filename: str  # sanitised, with its extension
    content_type: str
    size: int


def _head(upload: Any, length: int) -> bytes:
    upload.seek(0)
    head: bytes = upload.read(length)
    upload.seek(0)
    return head


def _is_pdf(upload: Any) -> bool:
    return _head(upload, len(PDF_MAGIC)) == PDF_MAGIC


def _zip_check(upload: Any, check: Callable[[zipfile.ZipFile], bool]) -> bool:
    """Whether the file is a zip archive that passes ``check`` (only its listing and tiny members read)."""
    if _head(upload, len(ZIP_MAGIC)) != ZIP_MAGIC:
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            return check(archive)
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
        return False
    finally:
        upload.seek(0)


def _office_open_xml(part: str) -> Callable[[Any], bool]:
    """A Word or Excel file: a zip with the content-types list and its main part."""

    def check(archive: zipfile.ZipFile) -> bool:
        names = set(archive.namelist())
        return "[Content_Types].xml" in names and part in names

    return lambda upload: _zip_check(upload, check)


def _open_document(mimetype: str) -> Callable[[Any], bool]:
    """An OpenDocument file: a zip whose ``mimetype`` member names the kind of document."""

    def check(archive: zipfile.ZipFile) -> bool:
        with archive.open("mimetype") as member:
            return bool(member.read(100) == mimetype.encode("ascii"))

    return lambda upload: _zip_check(upload, check)


def _is_utf8_text(upload: Any) -> bool:
    """Plain text: the whole file decodes as UTF-8 and has no null bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if "\x00" in decoder.decode(chunk):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


FORMATS: dict[str, PaperFormat] = {
    fmt.extension: fmt
    for fmt in (
        PaperFormat(".pdf", "application/pdf", _is_pdf),
        PaperFormat(
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _office_open_xml("word/document.xml"),
        ),
        PaperFormat(
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _office_open_xml("xl/workbook.xml"),
        ),
        PaperFormat(
            ".odt",
            "application/vnd.oasis.opendocument.text",
            _open_document("application/vnd.oasis.opendocument.text"),
        ),
        PaperFormat(
            ".ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            _open_document("application/vnd.oasis.opendocument.spreadsheet"),
        ),
        PaperFormat(".txt", "text/plain; charset=utf-8", _is_utf8_text),
        # A CSV file is plain text too (a budget, a list of branches), checked the same way.
        PaperFormat(".csv", "text/csv; charset=utf-8", _is_utf8_text),
    )
}
ACCEPTED = "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or plain text (.txt, .csv)"


def max_bytes() -> int:
    return int(getattr(settings, "PAPER_MAX_BYTES", DEFAULT_MAX_BYTES))


def safe_filename(name: str) -> tuple[str, str]:
    """(stem, lower-case extension) of an uploaded file's name, safe to store and to offer back."""
    stem, extension = os.path.splitext(os.path.basename(name.replace("\\", "/")))
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:  # nothing usable was left of the name
        stem = ""
    stem = stem[:NAME_STEM_MAX].strip("._-") or "paper"
    return stem, extension.lower()


def check_paper(upload: IO[bytes] | Any) -> CheckedPaper:
    """The upload's safe name and true content type; ``PaperRefused`` saying why when it is not a paper."""
    stem, extension = safe_filename(getattr(upload, "name", "") or "")
    fmt = FORMATS.get(extension)
    if fmt is None:
        raise PaperRefused(f"Papers must be {ACCEPTED}; this file's name does not end in one of those.")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise PaperRefused("The file is empty.")
    limit = max_bytes()
    if size > limit:
        raise PaperRefused(
            f"The file is {filesizeformat(size)}; a paper can be at most {filesizeformat(limit)}."
        )
    if not fmt.looks_right(upload):
        raise PaperRefused(
            f"The file is named {extension} but its contents are not a {extension} file. "
            f"Papers must be {ACCEPTED}."
        )
    return CheckedPaper(filename=f"{stem}{extension}", content_type=fmt.content_type, size=size)


def download_name(stored_name: str) -> str:
    """The name a stored paper is offered back under: without its directory and random prefix."""
    base = os.path.basename(stored_name)
    prefix, _, rest = base.partition("-")
    return rest if rest and len(prefix) == 16 else base

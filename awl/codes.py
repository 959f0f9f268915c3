"""Short codes read aloud or typed at a door or a desk, and their QR codes.

Booking codes (day schools) and voting credentials (conference) share one
alphabet without 0/O or 1/I, one length, one way of reading what someone
typed, and one QR drawing (segno).
"""

from __future__ import annotations

import re
import secrets

import segno

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def read_code(text: str) -> str | None:
    """The code someone typed or scanned (any case, spaces or dashes), or None if it cannot be one."""
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact if _CODE.match(compact) else None


def qr_png_data_uri(code: str) -> str:
    """The code's QR code as a ``data:`` PNG: what e-mail clients show most reliably."""
    return str(segno.make(code, error="m", micro=False).png_data_uri(scale=6, border=4))


def qr_svg_data_uri(code: str) -> str:
    """The code's QR code as a ``data:`` SVG, sharp when printed on a badge."""
    return str(segno.make(code, error="m", micro=False).svg_data_uri(scale=6, border=2))

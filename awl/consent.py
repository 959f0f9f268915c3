"""Consent to be contacted, as the outbox sees it: a registry the people's app fills, and unsubscribe tokens.

awl knows no app, yet the outbox must not send a mailing to someone who has
not agreed to it. So the app that holds consent (members) registers two
functions here from its ``AppConfig.ready()``:

- a check, ``fn(address, channel) -> bool | None``: True when the person
  with that address has consent for the channel now, False when they have
  refused or withdrawn it, None when the address is nobody it knows;
- a withdrawal, ``fn(address, channel, source) -> None``: records that the
  person with that address withdrew consent (and audits it); an unknown
  address is ignored.

Deny by default: with no check registered, or every check answering None,
there is no consent.

An unsubscribe token stands for an address and a channel. It is signed
(``django.core.signing``, salted), so a tampered or made-up token is
refused, and the address inside it is encrypted, so the link in a mail
header or a web server's access log does not show whose it is (membership
of a political organisation is special category data). The cipher is
HMAC-SHA256 in counter mode under a key derived from ``SECRET_KEY``, with
a random nonce per token: the standard library has no block cipher, and
the signature around it gives the integrity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

EMAIL = "email"  # the channel the outbox sends on; members.models.Channel.EMAIL
SIGNING_NAMESPACE = "awl.consent.unsubscribe"
NONCE_BYTES = 12

ConsentCheck = Callable[[str, str], bool | None]
ConsentWithdrawal = Callable[[str, str, str], None]

_checks: list[ConsentCheck] = []
_withdrawals: list[ConsentWithdrawal] = []


def register_consent_check(check: ConsentCheck) -> ConsentCheck:
    """Add a check (``fn(address, channel) -> bool | None``); usable as a decorator; idempotent."""
    if check not in _checks:
        _checks.append(check)
    return check


def register_consent_withdrawal(withdrawal: ConsentWithdrawal) -> ConsentWithdrawal:
    """Add a withdrawal (``fn(address, channel, source)``); usable as a decorator; idempotent."""
    if withdrawal not in _withdrawals:
        _withdrawals.append(withdrawal)
    return withdrawal


def has_consent(address: str, channel: str = EMAIL) -> bool:
    """Whether the address may get non-transactional mail on the channel.

    Any refusal wins; no answer at all (nobody has the address) is no.
    """
    answers = [check(address.strip().lower(), channel) for check in _checks]
    return True in answers and False not in answers


def withdraw_consent(address: str, channel: str, source: str) -> None:
    """Record the withdrawal with every registered holder of consent (each ignores an address it lacks)."""
    for withdrawal in _withdrawals:
        withdrawal(address.strip().lower(), channel, source)


# Unsubscribe tokens -----------------------------------------------------------------------------------
class BadToken(Exception):
    """The token was not made here, was altered, or is not an unsubscribe token."""


@dataclass(frozen=True)
class Unsubscribe:
    address: str
    channel: str


def _keystream(nonce: bytes, length: int) -> bytes:
    key = salted_hmac(SIGNING_NAMESPACE, "cipher", secret=settings.SECRET_KEY, algorithm="sha256").digest()
    blocks = []
    for counter in range(-(-length // 32)):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def make_token(address: str, channel: str = EMAIL) -> str:
    """A URL-safe token for withdrawing ``channel`` consent from ``address``, which it does not show."""
    plain = address.strip().lower().encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = base64.urlsafe_b64encode(nonce + _xor(plain, _keystream(nonce, len(plain)))).decode().rstrip("=")
    return signing.dumps({"a": sealed, "c": channel}, salt=SIGNING_NAMESPACE)


def read_token(token: str) -> Unsubscribe:
    """The address and channel a token stands for; ``BadToken`` if it is not one of ours, unaltered."""
    try:
        payload = signing.loads(token, salt=SIGNING_NAMESPACE)
        raw = base64.urlsafe_b64decode(payload["a"] + "=" * (-len(payload["a"]) % 4))
        nonce, cipher = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        address = _xor(cipher, _keystream(nonce, len(cipher))).decode()
        channel = payload["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadToken("Not an unsubscribe link of ours.") from error
    if not isinstance(channel, str) or len(nonce) != NONCE_BYTES or "@" not in address:
        raise BadToken("Not an unsubscribe link of ours.")
    return Unsubscribe(address=address, channel=channel)


def unsubscribe_url(address: str, channel: str = EMAIL) -> str:
    """The one-click link (RFC 8058) for the ``List-Unsubscribe`` header and the mail's footer."""
    return f"{settings.SITE_URL}{reverse('unsubscribe', args=[make_token(address, channel)])}"

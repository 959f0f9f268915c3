"""Day-school e-mails through the outbox: the confirmation (code, QR code, link, .ics), waiting, promotion."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from urllib.parse import urlsplit

import segno
from django.urls import reverse
from icalendar import Calendar

from awl.models import OutboundMessage
from dayschools import mail, services
from dayschools.models import Booking, Event, Workshop

QR_BORDER = 4  # the quiet zone, in modules, that awl.codes.qr_png_data_uri draws


def message_for(booking: Booking, kind: str) -> OutboundMessage:
    return OutboundMessage.objects.get(key=f"dayschool-booking-{booking.pk}-{kind}")


def unfilter(kind: int, line: bytes, previous: bytes) -> bytes:
    """Undo a PNG row filter (one byte per pixel group at this bit depth)."""
    out = bytearray()
    for i, value in enumerate(line):
        left = out[i - 1] if i else 0
        up = previous[i]
        corner = previous[i - 1] if i else 0
        if kind == 0:
            guess = 0
        elif kind == 1:
            guess = left
        elif kind == 2:
            guess = up
        elif kind == 3:
            guess = (left + up) // 2
        else:
            p = left + up - corner
            guess = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))[2]
        out.append((value + guess) % 256)
    return bytes(out)


def png_modules(data_uri: str) -> list[list[bool]]:
    """The dark and light modules of a 1-bit greyscale PNG QR code, read back from the image itself."""
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    png = base64.b64decode(data_uri[len(prefix) :])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + png[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour, width) == (1, 0, height)  # 1-bit greyscale, square
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        line = unfilter(raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)], previous)
        rows.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])  # 0 is black
        previous = line
    size = len(segno.make("X", micro=False).matrix) + 2 * QR_BORDER  # modules across, version 1
    scale = width // size
    inside = range(QR_BORDER, size - QR_BORDER)
    return [[rows[y * scale + scale // 2][x * scale + scale // 2] for x in inside] for y in inside]


def qr_matrix(code: str) -> list[list[bool]]:
    return [[bool(cell) for cell in row] for row in segno.make(code, error="m", micro=False).matrix]


def test_the_confirmation_has_the_code_its_qr_code_the_link_and_the_event(
    client, london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    booking = services.book_guest(
        event=london_event, name="Ann Guest", email="ann@example.org", workshops=[workshops[0]]
    )

    message = message_for(booking, "confirmation")

    assert message.to == "ann@example.org"
    assert message.subject == "Booked: What is capitalism?, London, 22 October"
    assert "Ann" not in message.subject and "ann@" not in message.subject
    assert "Your place is booked." in message.body_text
    assert f"Your booking code: {booking.code}" in message.body_text
    assert "Value and labour (14:00)" in message.body_text
    assert "Thursday 22 October 2026, 10:00 to 16:30 (UK time)" in message.body_text
    [link] = re.findall(r"https?://\S+/dayschools/booking/\S+/", message.body_text)
    assert urlsplit(link).path == reverse("dayschools:booking_link", args=[mail.booking_token(booking)])
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and booking.code in page.content.decode()
    assert f'href="{link}"' in message.body_html
    [img] = re.findall(r'<img src="(data:image/png;base64,[^"]+)"[^>]*>', message.body_html)
    assert f'alt="QR code of your booking code {booking.code}"' in message.body_html
    assert png_modules(img) == qr_matrix(booking.code)
    assert png_modules(img) != qr_matrix("ZZZZZZZZ")  # the check tells one code's image from another's


def test_the_confirmation_carries_the_event_as_a_calendar_file(london_event: Event, booking_time) -> None:
    booking = services.book_guest(event=london_event, name="Ann Guest", email="ann@example.org")

    [attachment] = message_for(booking, "confirmation").attachments

    assert (attachment["filename"], attachment["content_type"]) == ("dayschool.ics", "text/calendar")
    [entry] = Calendar.from_ical(attachment["content"]).walk("VEVENT")
    assert entry.decoded("dtstart") == london_event.starts_at
    assert entry.decoded("dtend") == london_event.ends_at
    assert str(entry["summary"]) == "Day school: What is capitalism?"
    assert "London Friends Meeting House" in str(entry["location"])


def test_the_waiting_list_email_says_where_they_stand(london_event: Event, booking_time) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    services.book_guest(event=london_event, name="First", email="first@example.org")
    services.book_guest(event=london_event, name="Second", email="second@example.org")
    third = services.book_guest(event=london_event, name="Third", email="third@example.org")

    message = message_for(third, "confirmation")

    assert message.subject.startswith("Waiting list: What is capitalism?")
    assert "you are on the waiting list, number 2" in message.body_text
    assert "you are on the waiting list, number 2" in message.body_html
    assert "Your place is booked." not in message.body_text


def test_promotion_from_the_waiting_list_is_emailed(london_event: Event, booking_time) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    first = services.book_guest(event=london_event, name="First", email="first@example.org")
    second = services.book_guest(event=london_event, name="Second", email="second@example.org")

    services.cancel_booking(booking=first)

    message = message_for(second, "promoted")
    assert message.subject == "A place for you: What is capitalism?, London, 22 October"
    assert "A place has come free and it is yours" in message.body_text
    assert f"Your booking code: {second.code}" in message.body_text
    assert not OutboundMessage.objects.filter(key=f"dayschool-booking-{first.pk}-promoted").exists()


def test_each_message_is_queued_once(london_event: Event, booking_time) -> None:
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")

    mail.queue_confirmation(booking)
    mail.queue_confirmation(booking)

    assert OutboundMessage.objects.filter(key__startswith=f"dayschool-booking-{booking.pk}-").count() == 1

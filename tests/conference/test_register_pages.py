"""Members' conference pages: the conference, registering, my registration, changing and cancelling.

Registering twice (another tab, a double click) is told so with nothing
written twice; after registration closes nothing can be registered,
changed or cancelled; needs given without consent to share them are
refused; someone else's registration is a 404; the dashboard panel says
where the member stands.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from awl.models import OutboundMessage
from conference.models import Band, Conference, Registration, RegistrationStatus
from conference.registration import services
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import REGISTERING, paid_up_member
from tests.factories import LONDON_TZ, UserFactory, make_member
from tests.helpers.concurrency import errors, in_parallel
from tests.helpers.http import as_user, shown, text

AFTER_CLOSE = dt.datetime(2027, 5, 16, 9, tzinfo=LONDON_TZ)
BEFORE_OPEN = dt.datetime(2027, 1, 5, 12, tzinfo=LONDON_TZ)
FORM = {
    "fee_band": "waged",
    "access_needs": "",
    "dietary_needs": "",
    "children": "0",
    "children_ages": "",
    "offers_beds": "0",
}
NEEDS = {
    **FORM,
    "access_needs": "Step-free access and a seat near the front",
    "children": "2",
    "children_ages": "3 and 6",
    "needs_bed": "on",
    "consent_share_needs": "on",
}


def url(name: str, *args: Any) -> str:
    return reverse(f"conference:{name}", args=args)


@pytest.fixture
def unpaid(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    """Una Unpaid: admitted in January 2026, never paid, so not in good standing on the cut-off."""
    member = make_member(
        london,
        joined_on=dt.date(2026, 1, 5),
        full_name="Una Unpaid",
        user=UserFactory(username="una", email="una@example.org"),
    )
    return Member.objects.select_related("user").get(pk=member.pk)


def conference_mail(conference: Conference) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(key__startswith=f"conference-{conference.pk}-").order_by("pk"))


def register(member: Member, conference: Conference, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=Band.WAGED, **needs)


# The conference page ---------------------------------------------------------------------------
def test_the_conference_page_shows_dates_venue_window_fees_and_that_the_member_may_vote(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).get(url("detail", conference.slug))

    page = text(response)
    assert response.status_code == 200
    assert "Saturday 29 May to Sunday 30 May 2027" in page
    assert "Conway Hall, 25 Red Lion Square, London" in page
    assert "From Sunday 10 January 2027, 09:00 to Saturday 15 May 2027, 23:59" in page
    for band in ("Waged: £30.00", "Low-waged: £15.00", "Unwaged: £5.00", "Solidarity: £50.00"):
        assert band in page
    assert "You are entitled to vote." in page
    assert "In good standing on the cut-off date, 1 March 2027" in page
    assert 'href="/conference/2027/register/"' in page


def test_a_member_behind_with_dues_is_told_why_they_may_not_vote_and_what_to_do(
    client: Client, conference: Conference, unpaid: Member, registering: Any
) -> None:
    page = text(as_user(client, unpaid).get(url("detail", conference.slug)))

    assert "You are not entitled to vote." in page
    assert "Dues not paid up on the cut-off date, 1 March 2027" in page
    assert "What to do: Pay your dues to your branch treasurer" in page
    assert "You may still register and take part without a vote." in page


def test_before_the_cut_off_a_member_behind_with_dues_is_told_to_pay_before_it(
    client: Client, conference: Conference, unpaid: Member
) -> None:
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=LONDON_TZ), tick=False):
        page = text(as_user(client, unpaid).get(url("detail", conference.slug)))

    assert "You are not entitled to vote as things stand." in page
    assert "Pay your dues to your branch treasurer before the cut-off date." in page


def test_the_conference_list_links_to_the_coming_conference_and_the_menu_links_to_the_list(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).get(url("index"))

    assert response.status_code == 200
    assert f'href="{url("detail", conference.slug)}"' in response.content.decode()
    assert '<a class="nav-link" href="/conference/" aria-current="page">Conference</a>' in text(response)


def test_an_unknown_conference_is_a_404(client: Client, delegate: Member) -> None:
    assert as_user(client, delegate).get(url("detail", "1999")).status_code == 404


# Registering ----------------------------------------------------------------------------------
def test_a_member_registers_with_needs_and_sees_them_on_my_registration(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).post(url("register", conference.slug), NEEDS, follow=True)

    assert response.redirect_chain == [(url("my_registration", conference.slug), 302)]
    assert shown(response) == [
        "You are registered for Annual conference 2027. "
        "A confirmation is on its way to dora.delegate@example.org."
    ]
    registration = Registration.objects.get()
    assert (registration.member, registration.fee_due, registration.entitled) == (delegate, 30, True)
    assert (registration.children, registration.children_ages, registration.needs_bed) == (2, "3 and 6", True)
    assert registration.consent_share_needs
    page = text(response)
    assert "You are entitled to vote." in page
    assert "Step-free access and a seat near the front" in page
    assert "2 children (3 and 6)" in page
    assert "You need a bed" in page
    assert 'Still to pay</dt><dd class="col-6">£30.00' in page
    [mail] = conference_mail(conference)
    assert mail.to == delegate.user.email and "Step-free access" in mail.body_text


def test_the_second_submit_from_another_tab_is_told_it_is_already_registered_and_writes_nothing(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    as_user(client, delegate)
    first_tab = client.get(url("register", conference.slug))
    second_tab = client.get(url("register", conference.slug))
    assert first_tab.status_code == second_tab.status_code == 200

    first = client.post(url("register", conference.slug), FORM)
    second = client.post(url("register", conference.slug), {**FORM, "fee_band": "solidarity"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "You are already registered for this conference: nothing more was saved." in text(second)
    assert f'href="{url("my_registration", conference.slug)}"' in second.content.decode()
    registration = Registration.objects.get()
    assert registration.fee_band == Band.WAGED
    conference.refresh_from_db()
    assert conference.registered == 1
    assert len(conference_mail(conference)) == 1


def test_opening_the_form_when_already_registered_goes_to_my_registration(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    register(delegate, conference)

    response = as_user(client, delegate).get(url("register", conference.slug), follow=True)

    assert response.redirect_chain == [(url("my_registration", conference.slug), 302)]
    assert shown(response) == ["You are already registered for this conference."]


def refused_on(response: Any, field: str) -> list[str]:
    """The form's errors on ``field``, once the post is seen refused: the form again, nothing written."""
    assert response.status_code == 200
    assert not Registration.objects.exists()
    return response.context["form"].errors[field]


def test_needs_without_consent_to_share_them_are_refused_and_nothing_is_written(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).post(
        url("register", conference.slug), {**NEEDS, "consent_share_needs": ""}
    )

    assert refused_on(response, "consent_share_needs") == [
        "Tick this box so the organising team may see your needs, or leave the needs empty."
    ]


def test_no_needs_need_no_consent(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).post(
        url("register", conference.slug), {**FORM, "first_conference": "on"}
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.first_conference and not registration.consent_share_needs


def test_children_without_their_ages_are_refused(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    response = as_user(client, delegate).post(
        url("register", conference.slug), {**NEEDS, "children_ages": ""}
    )

    assert refused_on(response, "children_ages") == ["Give the ages of the children coming to the crèche."]


def test_a_band_the_conference_does_not_offer_is_refused(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    conference.fee_bands.filter(band=Band.SOLIDARITY).delete()

    response = as_user(client, delegate).post(
        url("register", conference.slug), {**FORM, "fee_band": "solidarity"}
    )

    assert refused_on(response, "fee_band") == ["Choose one of the conference's fee bands."]


def test_unwaged_is_free_when_the_conference_says_so(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    Conference.objects.filter(pk=conference.pk).update(unwaged_free=True)

    as_user(client, delegate)
    assert "Unwaged: free" in text(client.get(url("register", conference.slug)))
    client.post(url("register", conference.slug), {**FORM, "fee_band": "unwaged"})

    assert Registration.objects.get().fee_due == 0


def test_after_registration_closes_the_form_is_gone_and_a_post_writes_nothing(
    client: Client, conference: Conference, delegate: Member
) -> None:
    with time_machine.travel(AFTER_CLOSE, tick=False):
        as_user(client, delegate)
        page = client.get(url("register", conference.slug))
        posted = client.post(url("register", conference.slug), FORM)

    assert "Registration for this conference has closed." in text(page)
    assert 'type="submit" class="btn btn-primary">Register' not in text(page)
    assert posted.status_code == 409
    assert "Registration for this conference has closed." in text(posted)
    assert not Registration.objects.exists()


def test_before_registration_opens_the_page_says_when(
    client: Client, conference: Conference, delegate: Member
) -> None:
    with time_machine.travel(BEFORE_OPEN, tick=False):
        page = text(as_user(client, delegate).get(url("register", conference.slug)))

    assert "Registration opens on Sunday 10 January 2027 at 09:00." in page


def test_someone_without_a_member_record_cannot_register(
    client: Client, conference: Conference, outsider: Any, registering: Any
) -> None:
    as_user(client, outsider)
    assert client.get(url("register", conference.slug)).status_code == 404
    assert client.post(url("register", conference.slug), FORM).status_code == 404
    assert client.get(url("my_registration", conference.slug)).status_code == 404
    assert not Registration.objects.exists()


# My registration: change and cancel --------------------------------------------------------------
def test_a_member_changes_their_needs_and_band(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    registration = register(delegate, conference)

    response = as_user(client, delegate).post(
        url("registration_change", registration.pk),
        {**FORM, "fee_band": "low_waged", "dietary_needs": "No nuts", "consent_share_needs": "on"},
        follow=True,
    )

    assert response.redirect_chain == [(url("my_registration", conference.slug), 302)]
    registration.refresh_from_db()
    assert (registration.fee_band, registration.fee_due, registration.dietary_needs) == (
        "low_waged",
        15,
        "No nuts",
    )
    assert registration.revision == 2
    assert OutboundMessage.objects.filter(key__endswith="-changed-r2").count() == 1


def test_the_change_form_starts_from_the_registration(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    registration = register(delegate, conference, dietary_needs="Vegan", consent_share_needs=True)

    form = as_user(client, delegate).get(url("registration_change", registration.pk)).context["form"]

    assert form.initial["dietary_needs"] == "Vegan" and form.initial["fee_band"] == "waged"


def test_a_member_cancels_and_may_register_again(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    registration = register(delegate, conference)
    as_user(client, delegate)

    cancelled = client.post(url("registration_cancel", registration.pk), follow=True)
    again = client.post(url("register", conference.slug), FORM)

    assert shown(cancelled) == ["Your registration for Annual conference 2027 is cancelled."]
    assert again.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and registration.revision == 3
    conference.refresh_from_db()
    assert conference.registered == 1


def test_after_registration_closes_no_change_or_cancel_is_written(
    client: Client, conference: Conference, delegate: Member
) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        registration = register(delegate, conference)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        as_user(client, delegate)
        mine = text(client.get(url("my_registration", conference.slug)))
        change = client.post(url("registration_change", registration.pk), {**FORM, "fee_band": "unwaged"})
        cancel = client.post(url("registration_cancel", registration.pk))

    assert "Registration for this conference has closed. To change anything now" in mine
    assert "Change my registration</a>" not in mine
    assert change.status_code == cancel.status_code == 409
    assert "Registration for this conference has closed." in text(cancel)
    registration.refresh_from_db()
    assert (registration.fee_band, registration.status, registration.revision) == ("waged", "registered", 1)


def test_another_members_registration_is_a_404(
    client: Client, conference: Conference, delegate: Member, london: Branch, registering: Any
) -> None:
    registration = register(delegate, conference)
    other = paid_up_member(london, "Olly Other")
    as_user(client, other)

    for name in ("registration_change", "registration_cancel"):
        assert client.get(url(name, registration.pk)).status_code == 404
        assert client.post(url(name, registration.pk), FORM).status_code == 404
    assert client.get(url("registration_change", registration.pk + 1000)).status_code == 404
    registration.refresh_from_db()
    assert (registration.status, registration.revision) == ("registered", 1)
    mine = text(client.get(url("my_registration", conference.slug)))
    assert "You are not registered for this conference." in mine


# The dashboard panel ------------------------------------------------------------------------------
def test_the_dashboard_offers_registration_then_shows_the_member_registered(
    client: Client, conference: Conference, delegate: Member, registering: Any
) -> None:
    as_user(client, delegate)
    before = text(client.get(reverse("dashboard")))
    register(delegate, conference)
    after = text(client.get(reverse("dashboard")))

    assert "Annual conference 2027" in before
    assert "You are entitled to vote." in before
    assert f'href="{url("register", conference.slug)}">Register</a>' in before
    assert "You are registered and entitled to vote." in after
    assert f'href="{url("my_registration", conference.slug)}">My registration</a>' in after


def test_the_dashboard_tells_a_member_behind_with_dues_why_they_may_not_vote(
    client: Client, conference: Conference, unpaid: Member, registering: Any
) -> None:
    page = text(as_user(client, unpaid).get(reverse("dashboard")))

    assert "You are not entitled to vote: Dues not paid up on the cut-off date" in page
    assert "Pay your dues to your branch treasurer" in page


def test_the_dashboard_has_no_conference_panel_for_someone_without_a_member_record(
    client: Client, conference: Conference, outsider: Any, registering: Any
) -> None:
    assert "Annual conference 2027" not in text(as_user(client, outsider).get(reverse("dashboard")))


# Two devices at once ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_the_form_make_one_registration_and_the_rest_are_told_so(
    conference: Conference, delegate: Member
) -> None:
    attempts = 6
    with time_machine.travel(REGISTERING, tick=False):  # signed in then, so the sessions have not expired
        browsers = [as_user(Client(), delegate) for _ in range(attempts)]
        outcomes = in_parallel(attempts, lambda n: browsers[n].post(url("register", conference.slug), FORM))

    assert errors(outcomes) == []
    statuses = [outcome.result.status_code for outcome in outcomes]
    pages = [text(outcome.result) for outcome in outcomes]
    assert sorted(statuses) == [302] + [409] * (attempts - 1)
    refused = [page for status, page in zip(statuses, pages, strict=True) if status == 409]
    assert all(
        "You are already registered for this conference: nothing more was saved." in p for p in refused
    )
    assert Registration.objects.count() == 1
    conference.refresh_from_db()
    assert conference.registered == 1
    assert len(conference_mail(conference)) == 1

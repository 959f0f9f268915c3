"""Conference business from a motion to the policy record, in the browser, every page checked with axe.

Rosa (a member) proposes a motion naming Sid as her seconder; Sid seconds it
from the link in his e-mail. Sid proposes an amendment, which Rosa seconds
from her link. The CAC (national office) rules the motion and the amendment
in order, composites two other motions (put in by Sid and Rosa before the
journey, through the services), sets the order of debate and publishes the
order paper. On the conference's first day the CAC records the amendment
carried and then the motion carried on card votes, checks the text as
carried and publishes it, and Rosa finds it in the policy record with the
amendment merged.

Every step is taken in the browser; only the two motions that are
composited, the business rules and the conference itself are set up through
the services (they are not what this journey is about).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from awl.models import OutboundMessage
from conference.business.services import motions
from conference.models import (
    Amendment,
    Band,
    BusinessRules,
    Conference,
    FeeBand,
    Motion,
    Outcome,
    ProposerKind,
)
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member

pytestmark = pytest.mark.e2e

TEXT = (
    "Conference notes the cost of living.\n\nConference resolves to campaign for rent controls in every city."
)


@pytest.fixture
def business_conference(db: None) -> Conference:
    """A conference that began today, still taking motions and amendments for a few hours."""
    now, today = timezone.now(), timezone.localdate()
    conference = Conference.objects.create(
        year=2095,
        title="Annual conference 2095",
        slug="2095",
        starts_on=today,
        ends_on=today + dt.timedelta(days=1),
        venue="Conway Hall",
        city="London",
        registration_opens_at=now - dt.timedelta(days=60),
        registration_closes_at=now - dt.timedelta(days=1),
        eligibility_cutoff=today - dt.timedelta(days=90),
    )
    FeeBand.objects.create(conference=conference, band=Band.WAGED, amount=Decimal("30.00"))
    BusinessRules.objects.create(
        conference=conference,
        motions_deadline=now + dt.timedelta(hours=2),
        amendments_deadline=now + dt.timedelta(hours=3),
    )
    return conference


@pytest.fixture
def motion_seconder(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    """Sid, a paid-up London member, who seconds Rosa's motion and amends it."""
    return paid_up_member(london, "Sid Seconder")


@pytest.fixture
def transport_motions(
    business_conference: Conference, member: Member, motion_seconder: Member
) -> list[Motion]:
    """Two motions on the same subject, seconded, that the CAC will composite."""
    made = []
    for title in ("Free buses", "Cheap rail fares"):
        motion = motions.submit_motion(
            actor=motion_seconder.user,
            conference=business_conference,
            proposer_kind=ProposerKind.MEMBER,
            title=title,
            text=f"Conference resolves to campaign for {title.lower()}.",
            topic="Transport",
            seconder=member,
        )
        made.append(motions.confirm_seconding(token=motions.seconder_token(motion)))
    return made  # type: ignore[return-value]


def link_in_mail(to: str, item: str) -> str:
    """The seconding link from the latest e-mail to ``to`` (a path on the live server)."""
    mail = OutboundMessage.objects.filter(to=to, key__contains=f"-{item}-").order_by("-pk").first()
    assert mail is not None, f"no seconding e-mail to {to}"
    match = re.search(r"https?://[^\s]+?(/conference/second/[^\s/]+/)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_motion_goes_from_proposal_to_the_policy_record(
    log_in: Callable[..., Page],
    business_conference: Conference,
    member: Member,
    motion_seconder: Member,
    transport_motions: list[Motion],
    viewport: str,
) -> None:
    slug = business_conference.slug

    # Rosa proposes a motion, naming Sid as her seconder.
    rosa = log_in("member", viewport=viewport)
    rosa.goto(reverse("conference:motions", args=[slug]))
    rosa.get_by_role("link", name="Propose a motion").click()
    rosa.get_by_label("Title").fill("Rent controls")
    rosa.get_by_label("Text*", exact=True).fill(TEXT)
    rosa.get_by_label("Topic").fill("Housing")
    rosa.get_by_label("Myself, as a member").check()
    rosa.get_by_label("Seconder's e-mail address").fill(motion_seconder.user.email)
    rosa.get_by_role("button", name="Submit the motion").click()
    expect(rosa.get_by_role("heading", level=1, name="Rent controls")).to_be_visible()
    motion = Motion.objects.get(conference=business_conference, title="Rent controls")

    # Sid seconds it from the link in his e-mail.
    sid = log_in("motion_seconder", viewport=viewport)
    sid.goto(link_in_mail(motion_seconder.user.email, "motion"))
    expect(sid.get_by_role("heading", level=1, name="Second a motion")).to_be_visible()
    sid.get_by_role("button", name="Second it").click()
    expect(sid.get_by_text("Rent controls").first).to_be_visible()
    motion.refresh_from_db()
    assert motion.seconded_at is not None

    # Sid proposes an amendment, which Rosa seconds from her link.
    sid.goto(reverse("conference:motion_detail", args=[motion.pk]))
    sid.get_by_role("link", name="Propose an amendment").click()
    sid.get_by_label("Replace lines … with …").check()
    sid.get_by_label("Line (insert after it; or the first line deleted or replaced)").fill("3")
    sid.get_by_label("Words to insert, or the replacement").fill(
        "Conference resolves to campaign for rent controls in every town and city."
    )
    sid.get_by_label("Myself, as a member").check()
    sid.get_by_label("Seconder's e-mail address").fill(member.user.email)
    sid.get_by_role("button", name="Submit the amendment").click()
    amendment = Amendment.objects.get(motion=motion)
    rosa.goto(link_in_mail(member.user.email, "amendment"))
    rosa.get_by_role("button", name="Second it").click()
    expect(rosa.get_by_text("You seconded it").or_(rosa.get_by_role("status")).first).to_be_visible()
    amendment.refresh_from_db()
    assert amendment.seconded_at is not None

    # The CAC rules the motion and its amendment in order ...
    cac = log_in("national_office", viewport=viewport)
    cac.goto(reverse("conference:business", args=[slug]))
    section = cac.locator("section").filter(has=cac.get_by_role("heading", name="Rent controls"))
    section.get_by_role("button", name="In order").first.click()
    expect(cac.get_by_text("The ruling is recorded and the proposer told.")).to_be_visible()
    expect(section.locator("li")).to_contain_text("Not yet ruled")
    section.locator("li").get_by_role("button", name="In order").click()
    expect(section.locator("li")).to_contain_text("Stands")

    # ... composites the two transport motions ...
    cac.get_by_role("link", name="Composite motions").click()
    cac.get_by_label("Replaces “Free buses”").check()
    cac.get_by_label("Replaces “Cheap rail fares”").check()
    cac.get_by_label("Title*", exact=True).fill("Public transport")
    cac.get_by_label("Text (Markdown)").fill(
        "Conference resolves to campaign for free buses and cheap fares."
    )
    cac.get_by_label("The movers of these motions agreed").check()
    cac.get_by_role("button", name="Make the composite").click()
    composite = Motion.objects.get(conference=business_conference, title="Public transport")
    assert set(composite.composite_of.values_list("title", flat=True)) == {"Free buses", "Cheap rail fares"}

    # ... sets the order of debate and publishes the order paper.
    cac.goto(reverse("conference:business_order", args=[slug]))
    cac.get_by_label("Rent controls").fill("1")
    cac.get_by_label("Public transport").fill("2")
    cac.get_by_role("button", name="Set the order").click()
    cac.goto(reverse("conference:business_publish", args=[slug]))
    cac.get_by_role("button", name="Publish").click()
    expect(cac.get_by_text("The order paper and the CAC report are published")).to_be_visible()

    # On the day: the amendment is carried, then the motion, on card votes.
    cac.goto(reverse("conference:outcomes", args=[slug]))
    expect(cac.get_by_role("heading", level=1, name="Outcomes")).to_be_visible()
    item = cac.locator(f"#amendment-{amendment.pk}")
    item.locator("summary", has_text="Record the outcome").click()
    item.get_by_label("Outcome").select_option(Outcome.CARRIED)
    item.get_by_label("Vote method").select_option("card")
    item.get_by_label("For", exact=True).fill("120")
    item.get_by_label("Against", exact=True).fill("40")
    item.get_by_label("Abstain", exact=True).fill("3")
    item.get_by_role("button", name="Record the outcome").click()
    expect(cac.get_by_text("Recorded: Carried. The majority required was met.")).to_be_visible()

    item = cac.locator(f"#motion-{motion.pk}-outcome")
    item.locator("summary", has_text="Record the outcome").click()
    item.get_by_label("Outcome").select_option(Outcome.CARRIED)
    item.get_by_label("Vote method").select_option("card")
    item.get_by_label("For", exact=True).fill("150")
    item.get_by_label("Against", exact=True).fill("10")
    item.get_by_role("button", name="Record the outcome").click()

    # The text as carried has the amendment merged; the CAC publishes it.
    expect(cac.get_by_role("heading", level=1, name="The text as carried")).to_be_visible()
    expect(cac.get_by_label("The motion as carried (Markdown)")).to_have_value(
        re.compile("in every town and city")
    )
    cac.get_by_role("button", name="Publish to the policy record").click()
    expect(cac.get_by_text("as carried is in the policy record")).to_be_visible()

    # Rosa finds it in the policy record.
    rosa.goto(reverse("conference:policy"))
    rosa.get_by_label("Words in the title or text").fill("rent controls")
    rosa.get_by_role("button", name="Search").click()
    record = rosa.get_by_role("article", name="Rent controls")
    expect(record).to_contain_text("campaign for rent controls in every town and city")
    expect(record).to_contain_text("Annual conference 2095")

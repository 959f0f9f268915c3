from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        from awl.mfa import register_officer_check
        from committees import hooks
        from conference import (
            panels,  # noqa: F401  (registers the dashboard panel: the coming conference)
            personal_data,  # noqa: F401  (registers the conference's holding and its retention rule)
            rules,
        )
        from conference.business.services import referrals

        # Returning officers, tellers and CAC duties must use two-factor like any officer.
        register_officer_check(rules.holds_conference_office)
        # A motion referred to the NC waits for a coming NC meeting: land it when one is made.
        hooks.on_meetings_created(referrals.meetings_created)

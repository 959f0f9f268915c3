from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        from awl.mfa import register_officer_check
        from conference import (
            panels,  # noqa: F401  (registers the dashboard panel: the coming conference)
            rules,
        )

        # Returning officers, tellers and CAC duties must use two-factor like any officer.
        register_officer_check(rules.holds_conference_office)

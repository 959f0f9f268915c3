from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        from committees import hooks
        from conference import panels  # noqa: F401  (registers the dashboard panel: the coming conference)
        from conference.business.services import referrals

        # A motion referred to the NC waits for a coming NC meeting: land it when one is made.
        hooks.on_meetings_created(referrals.meetings_created)

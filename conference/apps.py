from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        from conference import panels  # noqa: F401  (registers the dashboard panel: the coming conference)

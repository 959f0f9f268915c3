from django.apps import AppConfig


class DayschoolsConfig(AppConfig):
    name = "dayschools"
    verbose_name = "Day schools"

    def ready(self) -> None:
        from dayschools import (
            organiser_panels,  # noqa: F401  (registers the dashboard panel: the events a person runs)
            panels,  # noqa: F401  (registers the dashboard panel: a member's coming bookings)
        )

from django.apps import AppConfig


class DayschoolsConfig(AppConfig):
    name = "dayschools"
    verbose_name = "Day schools"

    def ready(self) -> None:
        from awl.mfa import register_officer_check
        from dayschools import (
            organiser_panels,  # noqa: F401  (registers the dashboard panel: the events a person runs)
            panels,  # noqa: F401  (registers the dashboard panel: a member's coming bookings)
            personal_data,  # noqa: F401  (registers what day schools hold about people)
            rules,
        )

        # An event's organisers see its bookings and door list: they must use two-factor.
        register_officer_check(rules.organises_any_event)

from django.apps import AppConfig


class DayschoolsConfig(AppConfig):
    name = "dayschools"
    verbose_name = "Day schools"

    def ready(self) -> None:
        # seed_demo adds the demo series after the members, without the members app importing this one.
        from awl.demo import register_demo_seeder
        from dayschools import (
            demo,
            organiser_panels,  # noqa: F401  (registers the dashboard panel: the events a person runs)
            panels,  # noqa: F401  (registers the dashboard panel: a member's coming bookings)
        )

        register_demo_seeder("dayschools", demo.seed, demo.cleanup)

from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        # seed_demo adds the demo conference after the members, without the members app importing this one.
        from awl.demo import register_demo_seeder
        from conference import (
            demo,
            panels,  # noqa: F401  (registers the dashboard panel: the coming conference)
        )

        register_demo_seeder("conference", demo.seed, demo.cleanup)

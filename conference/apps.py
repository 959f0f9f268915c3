from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = "Conference"

    def ready(self) -> None:
        # seed_demo adds the demo conference after the members, without the members app importing this one.
        from awl.demo import register_demo_seeder
        from conference import (
            demo,
            election_demo,
            panels,  # noqa: F401  (registers the dashboard panel: the coming conference)
        )

        register_demo_seeder("conference", demo.seed, demo.cleanup)
        # The demo elections hang off the demo conference and committees, so they come after them.
        register_demo_seeder("elections", election_demo.seed, election_demo.cleanup)

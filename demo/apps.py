from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        from demo import committees, conference, dayschools, elections
        from demo.registry import register_demo_seeder

        # After the people (seed_demo seeds them first), in the order the rows hang off each other:
        # the committees, the day schools, the conference, then the elections held at the demo
        # conference and by the demo committees.
        register_demo_seeder("committees", committees.seed, committees.cleanup)
        register_demo_seeder("dayschools", dayschools.seed, dayschools.cleanup)
        register_demo_seeder("conference", conference.seed, conference.cleanup)
        register_demo_seeder("elections", elections.seed, elections.cleanup)

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from members import (
            consent,  # noqa: F401  (answers the outbox's questions about consent)
            panels,  # noqa: F401  (registers the dashboard panels)
            personal_data,  # noqa: F401  (registers what this app holds about people)
        )

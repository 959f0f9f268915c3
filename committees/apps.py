from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees"

    def ready(self) -> None:
        from awl.mfa import register_officer_check
        from committees import (
            panels,  # noqa: F401  (registers the dashboard panels)
            personal_data,  # noqa: F401  (registers the committees' holding of personal data)
            rules,
        )

        # Secretaries and minutes secretaries (by term of office) must use two-factor like any officer.
        register_officer_check(rules.holds_committee_office)

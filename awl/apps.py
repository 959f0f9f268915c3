from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AwlConfig(AppConfig):
    name = "awl"
    verbose_name = "Site: audit trail and outbox"

    def ready(self) -> None:
        from awl import holdings  # noqa: F401  (registers the outbox and audit trail as personal data)
        from awl.sites import sync_site_after_migrate

        # Sent for this app after django.contrib.sites' (earlier in INSTALLED_APPS) has made its record.
        post_migrate.connect(sync_site_after_migrate, sender=self, dispatch_uid="awl.sites.sync_site")

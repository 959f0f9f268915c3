from django.apps import AppConfig


class AwlConfig(AppConfig):
    name = "awl"
    verbose_name = "Site: audit trail and outbox"

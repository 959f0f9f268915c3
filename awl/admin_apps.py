"""django.contrib.admin with the site's own admin site (``awl.admin_site``): one door, no secrets."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "awl.admin_site.AwlAdminSite"

    def ready(self) -> None:
        super().ready()  # every app's admin module is loaded by now
        from django.contrib.admin import site

        from awl.user_admin import replace_user_admin

        replace_user_admin(site)

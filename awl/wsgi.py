import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
application = get_wsgi_application()

# Once per process (runserver imports this module too): name the sites record after SITE_URL and
# AWL_ORGANISATION_NAME, so that it follows settings changed since the last migrate.
from awl.sites import sync_site_at_start_up  # noqa: E402  (the apps must be loaded first)

sync_site_at_start_up()

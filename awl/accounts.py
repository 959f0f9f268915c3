"""allauth's account mails, linking to SITE_URL like every other mail the site sends.

allauth builds its links from the request's host; ours come from SITE_URL
(the outbox, notices, feeds). One base for every link means a mail reads
the same whether a page or a worker sent it, and a Host header cannot
choose where a password-reset link points.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


def on_site(url: str) -> str:
    """``url``'s path, query and fragment on SITE_URL."""
    parts = urlsplit(url)
    return settings.SITE_URL + parts._replace(scheme="", netloc="").geturl()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every link allauth hands a mail (``activate_url``, ``password_reset_url``, ``signup_url``).

        Done here rather than in allauth's URL hooks, which the unknown-account and
        account-already-exists mails do not go through.
        """
        links = {
            name: on_site(value)
            for name, value in context.items()
            if name.endswith("_url") and isinstance(value, str)
        }
        super().send_mail(template_prefix, email, {**context, **links})

"""One-click unsubscribe (RFC 8058): the link in a mailing's ``List-Unsubscribe`` header.

No login: the signed token is the authority, and it covers one address and
one channel. A mail client or provider POSTs ``List-Unsubscribe=One-Click``
to the link, with no cookies and no CSRF token (the RFC requires that it
work that way), and the consent is withdrawn. A GET, which is what a mail
scanner or a link preview makes, only shows a page with the button that
makes that POST; it changes nothing.

The page's own button posts the same body with ``from_page`` added and is
answered with a redirect to the page (so a reload does not post again);
the mail client's one-click POST gets its 200 directly, as RFC 8058 says
the sender must not redirect it.

Every answer is the same whether the address belongs to a member, a
contact or nobody, so the page cannot be used to find out who is on the
organisation's books. A token that is not ours, or was altered, gets a 400
page and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from awl.consent import BadToken, read_token, withdraw_consent

ONE_CLICK = "One-Click"
SOURCE = "one-click unsubscribe"
TEMPLATE = "awl/unsubscribe.html"


@never_cache
@csrf_exempt  # RFC 8058: the sender's POST carries no cookie or token; the signed link is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = read_token(token)
    except BadToken:
        return render(request, TEMPLATE, {"state": "bad"}, status=400)
    if request.method == "GET":
        state = "done" if "done" in request.GET else "confirm"
        return render(request, TEMPLATE, {"state": state, "one_click": ONE_CLICK})
    if request.POST.get("List-Unsubscribe") != ONE_CLICK:
        return render(request, TEMPLATE, {"state": "bad_request", "one_click": ONE_CLICK}, status=400)
    withdraw_consent(target.address, target.channel, SOURCE)
    if "from_page" in request.POST:
        return redirect(f"{reverse('unsubscribe', args=[token])}?done=1")
    return render(request, TEMPLATE, {"state": "done"})

"""A limit on posts per client address in a fixed window, counted in Django's cache.

The client's address is read as allauth reads it for the login limits
(``ALLAUTH_TRUSTED_PROXY_COUNT`` / ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` when
the site is behind a proxy), so both limits agree on who the client is. The
counters live in the default cache: with several web processes they must
share one (Redis, memcached); a per-process cache multiplies the limit by
the number of processes.
"""

from __future__ import annotations

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest

from awl.env import parse_rate


def over_limit(request: HttpRequest, *, scope: str, rate: str) -> bool:
    """Count this request against ``rate`` (``"10/h"``); True once the client has gone over it."""
    allowed, seconds = parse_rate(rate)
    client = get_adapter(request).get_client_ip(request)
    window = int(time.time() // seconds)
    key = f"awl-rate:{scope}:{seconds}:{window}:{client}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the window's counter expired between add and incr: this is its first hit
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return count > allowed

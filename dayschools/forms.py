"""Day-school forms: they check the shape of what is typed; the rules live in dayschools.services.

Each part of the app adds its forms in its own section below.
"""

from __future__ import annotations

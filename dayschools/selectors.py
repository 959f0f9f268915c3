"""Day-school reads that pages share, with their joins built in; each part adds its own section."""

from __future__ import annotations

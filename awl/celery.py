"""The Celery app and the one place periodic jobs are declared.

Periodic jobs run on intervals, never at wall-clock times that the clocks
change can skip or repeat; each job is safe to run twice.
"""

import os
from datetime import timedelta

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")

app = Celery("awl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "send-pending-mail": {
        "task": "awl.tasks.send_pending_messages",
        "schedule": timedelta(minutes=1),
    },
    "send-due-notices": {
        "task": "committees.tasks.send_due_notices",
        "schedule": timedelta(minutes=5),
    },
    "send-dayschool-reminders": {
        "task": "dayschools.tasks.send_dayschool_reminders",
        "schedule": timedelta(minutes=15),
    },
    "lapse-members": {
        "task": "members.tasks.lapse_overdue_members",
        "schedule": timedelta(hours=1),
    },
    "send-conference-mail": {
        "task": "conference.tasks.send_conference_mail",
        "schedule": timedelta(minutes=5),
    },
    "land-referrals": {
        "task": "conference.tasks.land_referrals",
        "schedule": timedelta(minutes=15),
    },
    # Each app's retention rules (awl.personal_data): anonymise what is due, one audit entry per run.
    "run-retention": {
        "task": "awl.tasks.run_retention",
        "schedule": timedelta(hours=24),
    },
    # A committee election's electorate is fixed when voting opens (the first reader also fixes it).
    "freeze-electorates": {
        "task": "conference.tasks.freeze_electorates",
        "schedule": timedelta(minutes=1),
    },
}

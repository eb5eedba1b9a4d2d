"""The Celery application: tasks in each app's ``tasks.py``, configured from Django's settings
(the ``CELERY_*`` names in portal/settings.py). A worker and the beat scheduler run with

    celery -A portal worker -l info
    celery -A portal beat -l info --schedule /var/lib/portal/celerybeat-schedule

Without REDIS_URL there is no broker: tasks run in-process, at once (``make run``, the tests).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

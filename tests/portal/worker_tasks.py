"""A task only the worker-kill test uses (loaded into the worker with ``-I``): it notes when it
starts, sleeps, and notes when it has finished, in a file."""

import time

from celery import shared_task


@shared_task
def slow_note(path, seconds):
    with open(path, "a") as notes:
        notes.write("started\n")
    time.sleep(seconds)
    with open(path, "a") as notes:
        notes.write("finished\n")

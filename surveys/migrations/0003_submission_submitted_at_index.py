"""An index for the review inbox and the coordinators' list of cases: both show the submitted
cases newest first (ordered by the submission's submitted_at), which without it sorts every
submitted submission on each page view (see docs/performance.md).

A partial index on the submitted submissions only, written in SQL (PostgreSQL and SQLite read
the same statement); the models do not declare it, so it is invisible to makemigrations.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_answertemplate_reviewentry_expectation_assigned_to_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX submission_submitted_newest ON surveys_submission "
                "(submitted_at DESC, id) WHERE status = 'submitted'"
            ),
            reverse_sql="DROP INDEX submission_submitted_newest",
        ),
    ]

# The Invitation model moved to the members app (members/migrations/0001_initial.py). Only
# Django's idea of the models changes here: the table portal_invitation and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_auditentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Invitation')],
            database_operations=[],
        ),
    ]

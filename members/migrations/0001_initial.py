# The Invitation model moved here from the portal app (portal/migrations/0004). The table is
# not touched: it keeps its name, portal_invitation, its constraint and every row. Only Django's
# idea of the models changes, and the content type follows the model, so permissions given to
# groups for invitations stay theirs.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _rename_content_type(apps, schema_editor, old, new):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model='invitation').exists():
        ContentType.objects.using(db).filter(app_label=old, model='invitation').update(
            app_label=new
        )


def content_type_to_members(apps, schema_editor):
    _rename_content_type(apps, schema_editor, 'portal', 'members')


def content_type_to_portal(apps, schema_editor):
    _rename_content_type(apps, schema_editor, 'members', 'portal')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('municipalities', '0002_initial'),
        ('ngos', '0002_initial'),
        ('portal', '0004_move_invitation_to_members'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='email address')),
                        ('token', models.CharField(editable=False, max_length=64, unique=True)),
                        ('role', models.CharField(max_length=10, verbose_name='role')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations_sent', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                        ('municipality', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='municipalities.municipality', verbose_name='municipality')),
                        ('ngo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='ngos.ngo', verbose_name='NGO')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'portal_invitation',
                        'ordering': ['-created_at'],
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(models.Q(('municipality__isnull', True), ('ngo__isnull', False), ('role__in', ['admin', 'member'])), models.Q(('municipality__isnull', False), ('ngo__isnull', True), ('role__in', ['staff', 'manager'])), _connector='OR'), name='invitation_one_organisation_and_its_role'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_members, content_type_to_portal),
    ]

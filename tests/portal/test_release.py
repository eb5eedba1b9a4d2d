"""`manage.py release`: the steps of a release in their order; a new installation without a
campaign still releases."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

RELEASE = "portal.management.commands.release.call_command"


def test_release_runs_the_steps_in_order():
    with mock.patch(RELEASE) as step:
        call_command("release", verbosity=0)
    assert [c.args[0] for c in step.call_args_list] == [
        "migrate",
        "collectstatic",
        "compile_translations",
        "warm_reports",
    ]
    assert step.call_args_list[0].kwargs["interactive"] is False


def test_release_without_a_campaign_skips_only_the_warming(capsys):
    def run(name, **kwargs):
        if name == "warm_reports":
            raise CommandError("No survey campaign has opened yet: nothing to compute.")

    with mock.patch(RELEASE, side_effect=run):
        call_command("release")
    assert "warm_reports skipped: No survey campaign" in capsys.readouterr().out


def test_release_stops_when_migrate_fails():
    def run(name, **kwargs):
        if name == "migrate":
            raise CommandError("Conflicting migrations")

    with mock.patch(RELEASE, side_effect=run) as step, pytest.raises(CommandError):
        call_command("release", verbosity=0)
    assert [c.args[0] for c in step.call_args_list] == ["migrate"]

"""seed_demo creates branches and one user of each role per branch, idempotently."""

import pytest
from django.core.management import CommandError, call_command

from branch_courier.accounts.models import Branch, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--password", "demo-pass-1234", verbosity=0)
    counts = (Branch.objects.count(), User.objects.count())
    call_command("seed_demo", "--password", "demo-pass-1234", verbosity=0)
    assert (Branch.objects.count(), User.objects.count()) == counts
    assert counts[0] >= 3
    for branch in Branch.objects.all():
        roles = set(User.objects.filter(branch=branch).values_list("role", flat=True))
        assert roles == {"CLERK", "SUPERVISOR", "AUDITOR"}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("demo-pass-1234")


def test_seed_demo_prints_the_usernames(capsys):
    call_command("seed_demo", "--password", "demo-pass-1234")
    out = capsys.readouterr().out
    assert "clerk.nyc01" in out and "admin" in out


def test_seed_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "branch_courier.settings.production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", verbosity=0)

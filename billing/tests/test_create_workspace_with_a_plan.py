import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from billing.models import Subscription
from tenants.models import Tenant


def test_it_puts_a_new_workspace_on_the_given_plan(db, capsys):
    # (the test's transaction rolls the new schema back too)
    call_command(
        "create_workspace",
        subdomain="planned",
        name="Planned",
        owner_email="o@planned.example",
        owner_password="correct-horse-battery-9",
        plan="pro",
    )
    tenant = Tenant.objects.get(subdomain="planned")
    sub = Subscription.objects.get(tenant=tenant)
    assert (sub.plan.code, sub.status) == ("pro", "active")
    assert tenant.features["monthly_questions"] == sub.plan.question_limit
    assert "planned.localhost" in capsys.readouterr().out


def test_it_refuses_an_unknown_plan_before_creating_anything(db):
    with translation.override("en"), pytest.raises(CommandError, match="Unknown plan"):
        call_command(
            "create_workspace",
            subdomain="noplan",
            name="No plan",
            owner_email="o@noplan.example",
            owner_password="correct-horse-battery-9",
            plan="platinum",
        )
    assert not Tenant.objects.filter(subdomain="noplan").exists()

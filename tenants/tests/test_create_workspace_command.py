import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Tenant


def test_it_provisions_a_workspace_and_prints_its_url(db, capsys, settings):
    call_command(
        "create_workspace",
        subdomain="globex",
        name="Globex",
        owner_email="hank@globex.example",
        owner_password="tidy-lemon-garden-7",
    )
    out = capsys.readouterr().out.strip()
    assert out == f"http://globex.localhost:{settings.PORT}/"  # PORT as make run serves it
    tenant = Tenant.objects.get(subdomain="globex")
    assert tenant.ready
    with schema_context(tenant.schema_name):
        assert User.objects.get(email="hank@globex.example").role == User.Role.OWNER


def test_it_exits_non_zero_on_a_taken_subdomain(db):
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "create_workspace",
            subdomain="tenant-a",
            name="Again",
            owner_email="x@y.example",
            owner_password="tidy-lemon-garden-7",
        )


def test_it_exits_non_zero_on_bad_input_and_creates_nothing(db):
    with pytest.raises(CommandError) as excinfo:
        call_command("create_workspace", subdomain="www", name="", owner_email="nope", owner_password="1")
    message = str(excinfo.value)
    assert "reserved" in message and "owner_email" in message and "owner_password" in message
    assert not Tenant.objects.filter(subdomain="www").exists()


def test_it_runs_as_a_real_command_line(db):
    """The operator's exact invocation from CONTRACT.md parses (argparse names)."""
    from django.core.management import load_command_class

    parser = load_command_class("tenants", "create_workspace").create_parser("manage.py", "create_workspace")
    ns = parser.parse_args(
        ["--subdomain", "s", "--name", "N", "--owner-email", "e@x.example", "--owner-password", "p", "--plan", "pro"]
    )
    assert (ns.subdomain, ns.owner_email, ns.plan) == ("s", "e@x.example", "pro")

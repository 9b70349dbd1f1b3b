"""backup_workspace and restore_workspace share their argument checks (tenants/management/
backup_arguments.py): a missing backup file, an output in a folder that does not exist, a malformed
new subdomain stop the command at once with one line naming the problem, and nothing is written."""

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Tenant


def test_it_refuses_a_backup_file_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore_workspace", str(tmp_path / "missing.tar"))


def test_it_refuses_an_output_in_a_missing_folder(tenant_a, tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        call_command("backup_workspace", tenant_a.subdomain, output=str(tmp_path / "nowhere" / "a.tar"))
    assert not (tmp_path / "nowhere").exists()


def test_it_refuses_a_malformed_new_subdomain(tenant_a, tmp_path):
    path = tmp_path / "a.tar"
    path.write_bytes(b"not read: the subdomain is refused first")
    tenants = Tenant.objects.count()
    with pytest.raises(CommandError, match="lowercase letters, digits and hyphens"):
        call_command("restore_workspace", str(path), "--subdomain", "no_underscores!")
    assert Tenant.objects.count() == tenants


def test_it_says_what_was_not_done_when_the_backup_fails(db, tmp_path):
    with pytest.raises(CommandError, match="^Backup not written: No workspace “nope-nope”"):
        call_command("backup_workspace", "Nope-Nope", output=str(tmp_path / "a.tar"))

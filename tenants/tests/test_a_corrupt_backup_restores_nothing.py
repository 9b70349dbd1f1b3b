"""A truncated or corrupt backup file refuses to restore with a clear message and leaves nothing
(issue 12 §5, "Bad input and faults"): every part is checked against the manifest first."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.models import Tenant


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def backup_of_a(tenant_a, tmp_path):
    path = tmp_path / "a.tar"
    call_command("backup_workspace", tenant_a.subdomain, output=str(path))
    return path


def _refused(path, message):
    schemas, tenants = _schemas(), Tenant.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("restore_workspace", str(path), subdomain="bk-bad")
    assert _schemas() == schemas and "t_bk_bad" not in _schemas()
    assert Tenant.objects.count() == tenants and not Tenant.objects.filter(subdomain="bk-bad").exists()


def test_it_refuses_a_truncated_file(backup_of_a):
    data = backup_of_a.read_bytes()
    backup_of_a.write_bytes(data[: len(data) // 2])
    _refused(backup_of_a, "Nothing restored: (cannot read the file|part .* is missing)")


def test_it_refuses_a_file_whose_dump_was_altered(backup_of_a):
    data = bytearray(backup_of_a.read_bytes())
    start = data.index(b"PGDMP")  # the custom-format dump's header, inside the tar
    data[start + 600] ^= 0xFF
    backup_of_a.write_bytes(bytes(data))
    _refused(backup_of_a, "Nothing restored: part schema.dump does not match its checksum")


def test_it_refuses_a_file_that_is_no_backup(db, tmp_path):
    path = tmp_path / "notes.tar"
    path.write_bytes(b"just some text, not a tar archive" * 100)
    _refused(path, "Nothing restored: cannot read the file")

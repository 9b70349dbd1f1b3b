"""The tenant admin's index lists its models by their plural names and its lists count them with
it ("3 audit entries"): in Slovenian three of them were singular ("3 revizijski dnevnik", "Baza
znanja", "Zgodovina nastavitev"). The outsider's admin lists only their own workspace's entries."""

import re
import uuid

from core.audit.models import AuditEntry
from core.audit.services import audit_record


def _in_slovenian(user, tenant, in_tenant):
    with in_tenant(tenant):
        type(user).objects.filter(pk=user.pk).update(language="sl")


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*>(?:<a[^>]*>)?([^<]+)', html)


def test_it_lists_the_models_by_their_plurals_in_slovenian(owner_client, owner, tenant_a, in_tenant):
    _in_slovenian(owner, tenant_a, in_tenant)
    rows = _rows(owner_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="sl").content.decode())
    assert {"Revizijski zapisi", "Vnosi baze znanja", "Spremembe nastavitev", "Uporabniki", "Pogovori"} <= set(rows)
    assert not {"Revizijski dnevnik", "Baza znanja", "Zgodovina nastavitev"} & set(rows)


def test_it_counts_audit_entries_in_the_plural(owner_client, outsider_client, owner, tenant_a, in_tenant):
    marker = uuid.uuid4().hex[:8]
    with in_tenant(tenant_a):
        for n in range(3):
            audit_record(action=AuditEntry.Action.CHANGE, actor=owner, object_type=f"test.{marker}{n}")
        total = AuditEntry.objects.count()
    _in_slovenian(owner, tenant_a, in_tenant)
    html = owner_client.get("/admin/audit/auditentry/", HTTP_ACCEPT_LANGUAGE="sl").content.decode()
    assert f"{total} revizijski zapisi" in html and f"{total} revizijski dnevnik" not in html
    with in_tenant(tenant_a):
        type(owner).objects.filter(pk=owner.pk).update(language="en")
    english = owner_client.get("/admin/audit/auditentry/").content.decode()
    assert f"{total} audit entries" in english
    outsiders = outsider_client.get("/admin/audit/auditentry/")  # a member of B: not even B's admin
    assert outsiders.status_code in (302, 403) and marker not in outsiders.content.decode()

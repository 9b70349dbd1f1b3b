"""recount_documents sets billing's document counter (the plan's document limit) to the documents
that exist, knowledge base excluded, through billing's service; it is idempotent, and a workspace
not named is left alone."""

import uuid
from io import StringIO

from django.core.management import call_command

from billing import quotas
from billing.models import TENANT_WIDE, UsageCounter
from documents import services


def _counter(tenant):
    return UsageCounter.objects.filter(tenant_id=tenant.pk, kind=quotas.Kind.DOCUMENTS, user_id=TENANT_WIDE,
                                       period_start=quotas.FOREVER_START)  # fmt: skip


def _set_used(tenant, used):
    UsageCounter.objects.update_or_create(
        tenant_id=tenant.pk, user_id=TENANT_WIDE, kind=quotas.Kind.DOCUMENTS, period_start=quotas.FOREVER_START,
        defaults={"period_end": quotas.FOREVER_END, "used": used},
    )  # fmt: skip


def test_it_counts_the_documents_that_exist_once_and_again(tenant_a, tenant_b, owner, member, in_tenant, media):
    with in_tenant(tenant_a):
        for user in (owner, member):
            services.document_upload(owner=user, name="notes.txt", data=uuid.uuid4().hex.encode())
        services.document_upload(owner=owner, name="kb.txt", data=uuid.uuid4().hex.encode(), scope="knowledge_base")
    _counter(tenant_a).delete()  # documents from before the counter was kept
    _set_used(tenant_b, 7)

    out = StringIO()
    call_command("recount_documents", "--subdomain", tenant_a.subdomain, stdout=out)
    assert _counter(tenant_a).get().used == 2
    assert f"{tenant_a.subdomain}: 2 document(s) counted (0 -> 2)" in out.getvalue()

    again = StringIO()
    call_command("recount_documents", "--subdomain", tenant_a.subdomain, stdout=again)
    assert _counter(tenant_a).get().used == 2 and "(unchanged)" in again.getvalue()
    assert _counter(tenant_b).get().used == 7  # not named: untouched


def test_it_corrects_a_counter_that_drifted_above_the_documents(tenant_a, owner, in_tenant, media):
    with in_tenant(tenant_a):
        doc = services.document_upload(owner=owner, name="only.txt", data=uuid.uuid4().hex.encode()).document
    _set_used(tenant_a, 9)
    call_command("recount_documents", "--subdomain", tenant_a.subdomain, stdout=StringIO())
    assert _counter(tenant_a).get().used == 1
    with in_tenant(tenant_a):
        services.document_delete(document=doc)
    assert _counter(tenant_a).get().used == 0


def test_it_refuses_an_unknown_workspace(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No workspace"):
        call_command("recount_documents", "--subdomain", "no-such-workspace", stdout=StringIO())

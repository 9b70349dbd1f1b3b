"""The answer stream checks its reader in the workspace of the host, whatever schema the thread's
database connection pointed at before (user ids repeat across workspaces)."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from chat.streaming import sse
from chat.tests.factories import make_conversation
from conftest import host_of


def test_it_reads_the_user_in_the_hosts_workspace(tenant_a, tenant_b, owner, in_tenant):
    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
    with in_tenant(tenant_b):
        User.objects.filter(pk=owner.pk).delete()  # workspace B has no user with this id
    request = RequestFactory().get("/", HTTP_HOST=host_of(tenant_a))
    request.tenant = tenant_a
    # like AuthenticationMiddleware: the session's user id is looked up when first used
    request.user = SimpleLazyObject(lambda: User.objects.filter(pk=owner.pk).first() or AnonymousUser())
    connection.set_schema(tenant_b.schema_name)  # this thread last served workspace B
    schema, status, _error = sse._access(request, answer.pk)
    assert schema == tenant_a.schema_name and status == answer.status

"""A suspension reaches every process when it commits; a request served meanwhile cannot pin the active row."""

import threading

from django.db import connection

from tenants.services import tenant_set_active


def _request_in_another_process(tenant_client, tenant):
    """A request served by another worker: its own thread and database connection (sees committed rows)."""
    out = []

    def run():
        try:
            out.append(tenant_client(tenant).get("/accounts/login/").status_code)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert out, "the request in the other thread failed"
    return out[0]


def test_it_suspends_for_a_process_that_served_the_workspace_before_the_commit(
    tenant_client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_active(tenant=tenant_a, active=False)
        # before the commit another worker serves tenant A: still active for it, and memoised
        assert _request_in_another_process(tenant_client, tenant_a) == 200
    assert tenant_client(tenant_a).get("/accounts/login/").status_code == 403
    assert tenant_client(tenant_b).get("/accounts/login/").status_code == 200  # B is not suspended

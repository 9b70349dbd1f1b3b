"""Test set-up shared by every app.

The settings module starts an embedded PostgreSQL and Redis under .data/test (unless
DATABASE_URL / REDIS_URL are set); this session stops whatever it started. Tenants A and B and
the cast (owner and member in A, outsider in B) are created once per session.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User

pytest_plugins = ["orchestration.testing.fixtures", "billing.testing.fixtures"]

TENANT_A = {"subdomain": "tenant-a", "name": "Tenant A"}
TENANT_B = {"subdomain": "tenant-b", "name": "Tenant B"}
PASSWORD = "correct-horse-battery-9"


def pytest_unconfigure(config):
    from core import embedded

    data_dir = settings.DATA_DIR
    mine = embedded.started_by_me(data_dir)
    if mine:
        embedded.stop_services(data_dir, names=mine)


def _make_tenant(spec: dict, owner_email: str):
    from tenants.services import tenant_create, tenant_provision

    tenant = tenant_create(
        name=spec["name"],
        subdomain=spec["subdomain"],
        owner_email=owner_email,
        owner_password=PASSWORD,
        provision=False,
    )
    return tenant_provision(tenant_id=tenant.pk)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from accounts.services import user_create
    from tenants.services import public_tenant_ensure, template_schema_ensure

    with django_db_blocker.unblock():
        template_schema_ensure()
        public_tenant_ensure()
        a = _make_tenant(TENANT_A, "owner@a.example")
        b = _make_tenant(TENANT_B, "outsider@b.example")
        assert a.ready and b.ready, (a.provisioning_error, b.provisioning_error)
        with schema_context(a.schema_name):
            user_create(email="member@a.example", password=PASSWORD, name="Mia Member")
        with schema_context(b.schema_name):
            User.objects.filter(email="outsider@b.example").update(role=User.Role.MEMBER, is_staff=False)
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language_and_zone():
    """Django's LocaleMiddleware (and ours for a signed-in user's language and zone) leave them
    active in the thread after a request, as Django does in production where the next request sets
    its own. Tests run many requests and plain code in one thread: each starts from the defaults."""
    from django.utils import timezone, translation

    yield
    translation.deactivate()
    timezone.deactivate()


def _bounded_ensure_started(self) -> None:
    """celery's test worker waits for its consumer with no deadline: a worker thread that dies while
    starting hung the whole suite (seen at ~49 % of a full run). Fail that test instead."""
    if not self._on_started.wait(timeout=120):
        raise RuntimeError("the Celery test worker did not start within 120 s (its thread died while starting)")


def _stacks_of_live_threads() -> str:
    import sys
    import threading
    import traceback

    frames = sys._current_frames()
    out = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        if frame is not None and thread is not threading.current_thread():
            out.append(f"--- thread {thread.name} (daemon={thread.daemon})\n" + "".join(traceback.format_stack(frame)))
    return "\n".join(out)


def _patch_celery_test_worker() -> None:
    from celery.contrib.testing import worker as testing_worker

    testing_worker.TestWorkController.ensure_started = _bounded_ensure_started
    start_thread = testing_worker._start_worker_thread

    @contextmanager
    def _start_worker_thread_telling_where_it_hangs(*args, **kwargs):
        """A worker that does not stop in time says where its threads are, so the hang can be found."""
        try:
            with start_thread(*args, **kwargs) as worker:
                yield worker
        except RuntimeError as exc:
            if "failed to exit" not in str(exc):
                raise
            raise RuntimeError(f"{exc}\nStacks of the live threads:\n{_stacks_of_live_threads()}") from exc

    testing_worker._start_worker_thread = _start_worker_thread_telling_where_it_hangs


_patch_celery_test_worker()


@pytest.fixture(autouse=True)
def _celery_worker_left_running():
    """celery's start_worker() sets ``state.should_terminate = 0`` to stop a test worker and puts it
    back to None only when the thread exits in time; when it does not (a loaded machine), the 0
    stays and every later test worker terminates while starting. Each test starts from celery's
    normal state (None while workers run); the failing teardown is still reported."""
    from celery.worker import state

    state.should_terminate = None
    yield


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process memos hold rows; each test's rows are rolled back, so each test starts with empty
    memos. The shared version tokens in Redis are left alone."""
    from core.versioned_cache import forget_process_memos

    forget_process_memos()
    yield
    forget_process_memos()


@pytest.fixture
def celery_eager():
    """Tasks sent during the test run at once, in this process and transaction, each in the schema it
    was sent to (tenant-schemas-celery switches it as a worker would); a task's failure is recorded
    in its result, as a worker would, and does not propagate."""
    from celery import signals

    from config.celery_app import _close_old_connections, app

    before = {"task_always_eager": app.conf.task_always_eager, "task_eager_propagates": app.conf.task_eager_propagates}
    app.conf.update(task_always_eager=True, task_eager_propagates=False)
    # A worker hands its connection back after each task; here that would close the test's transaction.
    signals.task_prerun.disconnect(_close_old_connections)
    signals.task_postrun.disconnect(_close_old_connections)
    yield
    signals.task_prerun.connect(_close_old_connections)
    signals.task_postrun.connect(_close_old_connections)
    app.conf.update(before)


@pytest.fixture
def dropped_tenant(db):
    """A workspace whose row says ready but whose schema is gone; its schema sorts before every other."""
    from tenants.models import Tenant

    return Tenant.objects.create(
        name="Dropped", subdomain="0-dropped", schema_name="t_0_dropped", state=Tenant.State.READY
    )


@pytest.fixture
def tenant_a(db):
    from tenants.models import Tenant

    return Tenant.objects.get(subdomain=TENANT_A["subdomain"])


@pytest.fixture
def tenant_b(db):
    from tenants.models import Tenant

    return Tenant.objects.get(subdomain=TENANT_B["subdomain"])


@contextmanager
def _in(tenant):
    with schema_context(tenant.schema_name):
        yield tenant


@pytest.fixture
def in_tenant():
    """``with in_tenant(tenant_a): ...`` runs the block in that tenant's schema."""
    return _in


def _user(tenant, email):
    with schema_context(tenant.schema_name):
        return User.objects.get(email=email)


@pytest.fixture
def owner(tenant_a):
    return _user(tenant_a, "owner@a.example")


@pytest.fixture
def member(tenant_a):
    return _user(tenant_a, "member@a.example")


@pytest.fixture
def outsider(tenant_b):
    return _user(tenant_b, "outsider@b.example")


@pytest.fixture
def unlimited_sessions(db):
    """The free plan without its limit of concurrent sessions (docs/adr/0013: answers being written at
    once), in this test's transaction: for tests that keep more answers open than the plan's two."""
    from billing.models import Plan

    Plan.objects.filter(code="free").update(session_limit=None)


def host_of(tenant) -> str:
    return f"{tenant.subdomain}.{settings.BASE_DOMAIN}"


@pytest.fixture
def tenant_client():
    """``tenant_client(tenant, user=None)``: a test client bound to the tenant's host, signed in as ``user``."""

    def make(tenant, user=None) -> Client:
        client = Client(HTTP_HOST=host_of(tenant))
        if user is not None:
            with schema_context(tenant.schema_name):
                client.force_login(user)
        return client

    return make


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


@pytest.fixture
def owner_client(tenant_client, tenant_a, owner):
    return tenant_client(tenant_a, owner)


@pytest.fixture
def member_client(tenant_client, tenant_a, member):
    return tenant_client(tenant_a, member)


@pytest.fixture
def outsider_client(tenant_client, tenant_b, outsider):
    return tenant_client(tenant_b, outsider)

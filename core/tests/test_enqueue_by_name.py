"""Services enqueue tasks by name (no import of the tasks module, so no import cycle); a wrong name fails at once."""

import pytest

from core.tasks import current_schema, enqueue


def test_it_enqueues_a_task_by_its_name_in_the_given_schema(tenant_a, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(current_schema, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("core.tasks.current_schema", schema=tenant_a.schema_name)
    assert sent and sent[0]["headers"]["_schema_name"] == tenant_a.schema_name


def test_it_refuses_a_name_no_task_has(db):
    with pytest.raises(KeyError):
        enqueue("core.tasks.no_such_task")
    with pytest.raises(ModuleNotFoundError):
        enqueue("core.no_such_module.task")

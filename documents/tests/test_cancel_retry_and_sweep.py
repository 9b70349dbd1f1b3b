"""Cancel within one batch, retry resumes, a worker killed mid-job is found by the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents import services
from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document, DocumentChunk
from documents.tests.helpers import FILLER


class Counting(DeterministicEmbedder):
    """Counts batches; optionally cancels the document or dies after a number of batches."""

    def __init__(self, *, cancel_after=None, die_after=None, doc_id=None):
        self.batches = 0
        self.cancel_after, self.die_after, self.doc_id = cancel_after, die_after, doc_id

    def embed_passages(self, texts):
        self.batches += 1
        if self.die_after is not None and self.batches > self.die_after:
            raise SystemExit("worker killed")  # like SIGKILL: nothing after this runs
        out = super().embed_passages(texts)
        if self.cancel_after == self.batches:
            services.document_cancel(document=Document.objects.get(pk=self.doc_id))
        return out


@pytest.fixture
def long_doc(tenant_a, owner, upload, settings):
    settings.DOCUMENTS_EMBED_BATCH = 2
    return upload(tenant_a, owner, "long.txt", (FILLER * 120).encode(), process=False)


def _use(monkeypatch, embedder):
    monkeypatch.setattr("documents.embedders.current", lambda: embedder)


def test_cancel_takes_effect_within_one_batch(tenant_a, in_tenant, long_doc, monkeypatch):
    emb = Counting(cancel_after=1, doc_id=long_doc.pk)
    _use(monkeypatch, emb)
    with in_tenant(tenant_a):
        assert services.document_process(document_id=long_doc.pk) == "cancelled"
        doc = Document.objects.get(pk=long_doc.pk)
        assert emb.batches == 1
        assert doc.status == "cancelled" and not doc.cancel_requested
        assert doc.chunks.filter(embedding__isnull=False).count() == 2


def test_a_queued_job_is_cancelled_at_once(tenant_a, in_tenant, long_doc):
    with in_tenant(tenant_a):
        assert services.document_cancel(document=long_doc).status == "cancelled"
        assert services.document_process(document_id=long_doc.pk) == "cancelled"


def test_retry_resumes_where_the_cancelled_run_stopped(tenant_a, in_tenant, long_doc, monkeypatch):
    _use(monkeypatch, Counting(cancel_after=1, doc_id=long_doc.pk))
    with in_tenant(tenant_a):
        services.document_process(document_id=long_doc.pk)
        first_ids = set(DocumentChunk.objects.filter(document=long_doc).values_list("pk", flat=True))
        total = len(first_ids)
        second = Counting()
        _use(monkeypatch, second)
        services.document_retry(document=long_doc)
        assert services.document_process(document_id=long_doc.pk) == "ready"
        # the chunks were kept and only the ones without a vector were embedded
        assert set(DocumentChunk.objects.filter(document=long_doc).values_list("pk", flat=True)) == first_ids
        assert second.batches == (total - 2 + 1) // 2
        assert Document.objects.get(pk=long_doc.pk).processing_metadata["attempts"] == 2


def test_a_worker_killed_mid_job_is_found_by_the_sweep_and_resumed(
    tenant_a, in_tenant, long_doc, monkeypatch, django_capture_on_commit_callbacks
):
    _use(monkeypatch, Counting(die_after=2))
    with in_tenant(tenant_a):
        with pytest.raises(SystemExit):
            services.document_process(document_id=long_doc.pk)
        doc = Document.objects.get(pk=long_doc.pk)
        assert doc.status == "processing" and doc.stage == "embedding"
        assert services.documents_sweep() == 0  # its heartbeat is fresh: not stalled yet
        Document.objects.filter(pk=doc.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
        with django_capture_on_commit_callbacks(execute=False) as sent:
            assert services.documents_sweep() == 1
        assert len(sent) == 1  # the job is queued again
        _use(monkeypatch, Counting())
        assert services.document_process(document_id=doc.pk) == "ready"
        assert not DocumentChunk.objects.filter(document=doc, embedding__isnull=True).exists()


def test_a_job_that_keeps_dying_ends_as_an_error(tenant_a, in_tenant, long_doc, settings):
    settings.DOCUMENTS_MAX_ATTEMPTS = 1
    with in_tenant(tenant_a):
        Document.objects.filter(pk=long_doc.pk).update(
            processing_metadata={**long_doc.processing_metadata, "attempts": 1},
            heartbeat_at=timezone.now() - timedelta(hours=1),
        )
        services.documents_sweep()
        doc = Document.objects.get(pk=long_doc.pk)
    assert doc.status == "error" and "several times" in doc.error_message

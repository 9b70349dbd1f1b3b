"""Chunk rows written before migration 0003 keep their vector in the TOAST table (0003 only changes
where new rows put it): ``reembed_documents --inline-vectors`` moves those vectors into their rows,
values unchanged, and says how many it moved; the outsider's workspace is not touched when the
command is limited to one workspace."""

import uuid
from io import StringIO

from django.core.management import call_command
from django.db import connection

from documents import services
from documents.models import DocumentChunk
from documents.tests.helpers import FILLER, PLANTED_EN


def _toast_like_before_0003():
    """New rows of this test's transaction go out of line, as every 384-d row did before 0003."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE documents_documentchunk SET (toast_tuple_target = 128)")


def _restore_0003():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the uploads' deferred FK checks, before the DDL
        cursor.execute("ALTER TABLE documents_documentchunk SET (toast_tuple_target = 4080)")


def _vectors(doc) -> dict:
    return {c.pk: list(c.embedding) for c in DocumentChunk.objects.filter(document=doc)}


def test_it_moves_old_vectors_into_their_rows(tenant_a, owner, in_tenant, upload, tenant_b, outsider):
    text = "\n\n".join([FILLER * 30, PLANTED_EN, FILLER * 30]).encode()
    with in_tenant(tenant_a):
        _toast_like_before_0003()
    doc = upload(tenant_a, owner, "old.txt", text, conversation_id=uuid.uuid4(), scope="conversation")
    with in_tenant(tenant_b):
        _toast_like_before_0003()
    upload(tenant_b, outsider, "theirs.txt", text)
    with in_tenant(tenant_b):
        theirs_toasted = services.chunk_vectors_toasted()
    with in_tenant(tenant_a):
        _restore_0003()
        before = _vectors(doc)
        toasted = services.chunk_vectors_toasted()  # (a short last chunk's vector may compress into its row)
        assert len(before) >= 2 and toasted >= len(before) - 1
    out = StringIO()
    call_command("reembed_documents", "--subdomain", tenant_a.subdomain, "--inline-vectors", stdout=out)
    text_out = out.getvalue()
    assert f"{toasted} chunk vector(s) stored out of line" in text_out
    assert f"{toasted} vector(s) moved into their rows, 0 left" in text_out
    with in_tenant(tenant_a):
        assert services.chunk_vectors_toasted() == 0
        assert _vectors(doc) == before  # the same float32 values
    with in_tenant(tenant_b):
        assert services.chunk_vectors_toasted() == theirs_toasted > 0  # not touched


def test_it_works_in_batches_and_is_safe_to_run_again(tenant_a, owner, in_tenant, upload):
    with in_tenant(tenant_a):
        _toast_like_before_0003()
    upload(tenant_a, owner, "old.txt", "\n\n".join([FILLER * 40, PLANTED_EN]).encode())
    with in_tenant(tenant_a):
        _restore_0003()
        toasted = services.chunk_vectors_toasted()
        seen = []
        assert services.chunk_vectors_move_inline(batch=1, progress=seen.append) == toasted
        assert seen == list(range(1, toasted + 1))
        assert services.chunk_vectors_move_inline() == 0

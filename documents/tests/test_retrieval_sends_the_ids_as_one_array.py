"""The scope's document ids go to PostgreSQL as one array literal (one text parameter) instead of a
list psycopg adapts element by element (6 ms of client CPU per whole-tenant query, PERFORMANCE.md
"Session 6"); only UUIDs get in, so no crafted id can add another document to the array."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import _uuid_array, hybrid_search
from documents.tests.helpers import FILLER, PLANTED_EN


def test_it_sends_the_ids_as_one_array_literal_and_finds_the_passage(tenant_a, owner, in_tenant, upload):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "one.txt", "\n\n".join([FILLER * 10, PLANTED_EN]).encode(), conversation_id=cid,
           scope="conversation")  # fmt: skip
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        other = str(uuid.uuid4())
        with CaptureQueriesContext(connection) as queries:
            result = hybrid_search(doc_ids=[doc.pk, other], query="How long is the Zephyr X200 warranty?",
                                   languages={"en"}, limit=3, embedder=DeterministicEmbedder())  # fmt: skip
    assert result.hits and "thirty-six months" in result.hits[0].content
    sql = queries.captured_queries[-1]["sql"]
    assert sql.count(f"'{{{doc.pk},{other}}}'::uuid[]") == 2  # full text and vectors, each one literal


@pytest.mark.parametrize("crafted", ['"x","y"', "a,b}", "{0}", "00000000-0000-0000-0000-000000000000'", "", " "])
def test_it_refuses_an_id_that_is_not_a_uuid(crafted, tenant_a, in_tenant):
    mine = str(uuid.uuid4())
    with pytest.raises(ValueError):
        _uuid_array([mine, crafted])
    with in_tenant(tenant_a), CaptureQueriesContext(connection) as queries, pytest.raises(ValueError):
        hybrid_search(doc_ids=[mine, crafted], query="warranty", languages={"en"}, embedder=DeterministicEmbedder())
    assert not [q for q in queries.captured_queries if "documents_documentchunk" in q["sql"]]  # nothing was sent


def test_the_outsiders_document_id_finds_nothing_in_tenant_a(tenant_a, tenant_b, outsider, in_tenant, upload):
    theirs = upload(tenant_b, outsider, "theirs.txt", "\n\n".join([FILLER * 10, PLANTED_EN]).encode())
    with in_tenant(tenant_a):
        result = hybrid_search(doc_ids=[str(theirs.pk)], query="Zephyr X200 warranty", languages={"en"},
                               embedder=DeterministicEmbedder())  # fmt: skip
    assert result.hits == []

"""Hybrid retrieval returns the planted passage, in English and in Slovenian."""

import uuid

from documents import services
from documents.retrieval import ConversationRetriever
from documents.tests.helpers import FILLER, PLANTED_EN, PLANTED_SL

DISTRACTORS = [
    "The cafeteria opens at eight and serves soup, salads and sandwiches until three in the afternoon.",
    "Parking permits are renewed every January at the reception desk on the ground floor.",
    "Menza je odprta od osmih do treh popoldne in ponuja juhe, solate in sendviče.",
    "Parkirne dovolilnice se podaljšajo vsak januar na recepciji v pritličju.",
]


FILLER_SL = (
    "Četrtletna poročila opisujejo prihodke severne regije, načrt zaposlovanja inženirjev in urnik selitve pisarne. "
)


def _conversation_with(tenant, user, in_tenant, upload, text, filler=FILLER):
    conversation_id = uuid.uuid4()
    body = "\n\n".join([*DISTRACTORS, filler * 10, text, filler * 10, *DISTRACTORS])
    upload(tenant, user, f"manual-{uuid.uuid4().hex[:6]}.txt", body.encode(), conversation_id=conversation_id,
           scope="conversation")  # fmt: skip
    return conversation_id


def test_it_returns_the_planted_passage_for_an_english_question(tenant_a, owner, in_tenant, upload):
    cid = _conversation_with(tenant_a, owner, in_tenant, upload, PLANTED_EN)
    with in_tenant(tenant_a):
        passages = ConversationRetriever(user_id=owner.pk, conversation_id=cid).search(
            "How long is the warranty on the Zephyr drill?", limit=3
        )
    assert passages and "thirty-six months" in passages[0].text
    assert passages[0].title.startswith("manual-") and passages[0].url.endswith("#passage")


def test_it_returns_the_planted_passage_for_a_slovenian_question(tenant_a, owner, in_tenant, upload):
    cid = _conversation_with(tenant_a, owner, in_tenant, upload, PLANTED_SL, filler=FILLER_SL)
    with in_tenant(tenant_a):
        retriever = ConversationRetriever(user_id=owner.pk, conversation_id=cid)
        # "garancije" and "vrtalnika" only match "Garancija"/"vrtalnik" after lemmatisation
        passages = retriever.search("Koliko časa traja garancije za vrtalnika?", limit=3)
        from documents.models import Document

        assert Document.objects.get(owner=owner, links__conversation_id=cid).language == "sl"
    assert passages and "šestintrideset mesecev" in passages[0].text


def test_it_finds_nothing_outside_the_conversation(tenant_a, owner, in_tenant, upload):
    _conversation_with(tenant_a, owner, in_tenant, upload, PLANTED_EN)
    with in_tenant(tenant_a):
        retriever = ConversationRetriever(user_id=owner.pk, conversation_id=uuid.uuid4())
        assert retriever.available is False
        assert retriever.search("warranty Zephyr drill") == []


def test_a_document_attached_from_the_library_is_in_scope(tenant_a, owner, in_tenant, upload):
    doc = upload(tenant_a, owner, "library.txt", PLANTED_EN.encode())
    cid = uuid.uuid4()
    with in_tenant(tenant_a):
        assert services.documents_link_for_user(user=owner, conversation_id=cid, document_ids=[doc.pk]) == 1
        passages = ConversationRetriever(user_id=owner.pk, conversation_id=cid).search("Zephyr warranty")
    assert passages[0].document_id == str(doc.pk)

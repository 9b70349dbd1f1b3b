from documents.models import Document
from documents.tests.helpers import FILLER, PLANTED_EN, docx_bytes, pdf_bytes


def _ready(doc):
    assert doc.status == Document.Status.READY, doc.error_message
    return doc


def test_it_extracts_a_pdf_page_by_page(tenant_a, owner, upload, in_tenant):
    doc = _ready(upload(tenant_a, owner, "report.pdf", pdf_bytes([FILLER * 8, PLANTED_EN, FILLER * 8])))
    assert doc.page_count == 3
    assert "Zephyr X200" in doc.content
    with in_tenant(tenant_a):
        pages = {c.page for c in doc.chunks.all() if "Zephyr" in c.content}
    assert pages == {2}


def test_it_extracts_a_docx_with_its_tables(tenant_a, owner, upload):
    doc = _ready(upload(tenant_a, owner, "manual.docx", docx_bytes([FILLER, PLANTED_EN])))
    assert PLANTED_EN in doc.content
    assert "Model | Zephyr" in doc.content
    assert doc.page_count is None


def test_it_extracts_text_and_markdown(tenant_a, owner, upload):
    txt = _ready(upload(tenant_a, owner, "notes.txt", (FILLER + PLANTED_EN).encode()))
    md = _ready(upload(tenant_a, owner, "notes.md", f"# Warranty\n\n{PLANTED_EN}\n".encode()))
    assert PLANTED_EN in txt.content and "# Warranty" in md.content


def test_it_extracts_the_visible_text_of_html(tenant_a, owner, upload):
    html = f"<html><head><title>t</title><script>var hidden = 1;</script></head><body><p>{PLANTED_EN}</p></body></html>"
    doc = _ready(upload(tenant_a, owner, "page.html", html.encode()))
    assert PLANTED_EN in doc.content
    assert "hidden" not in doc.content


def test_it_extracts_csv_rows_with_their_column_names(tenant_a, owner, upload):
    doc = _ready(upload(tenant_a, owner, "prices.csv", b"product,months\nZephyr X200,36\nOther,12\n"))
    assert "product: Zephyr X200; months: 36" in doc.content

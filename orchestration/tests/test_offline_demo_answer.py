"""The offline provider's demo answer (issue 11 §3): says no model is connected, streams several
deltas of well-formed markdown shaped by the question, and quotes retrieved passages as sources."""

from orchestration.engine import Passage
from orchestration.providers import Call, ProviderConfig, get


def offline_call(question: str, passages=None) -> Call:
    cfg = ProviderConfig(provider="offline", models=("offline",), default_model="offline", platform=True)
    return Call(get(cfg), messages=[{"role": "user", "content": question}], passages=passages)


def test_it_says_no_model_is_connected_and_streams_several_deltas():
    chunks = list(offline_call("What can Chorus do?"))
    text = "".join(chunks)
    assert len(chunks) > 20
    assert text.startswith("I am running offline")
    assert "not by an AI model" in text


def test_it_shows_a_heading_a_list_a_table_and_a_code_block():
    text = "".join(offline_call("What can Chorus do?"))
    lines = text.splitlines()
    assert any(line.startswith("### ") for line in lines)
    assert any(line.startswith("- ") for line in lines)
    assert "|---|---|---|" in lines
    assert text.count("```") >= 2 and "http://127.0.0.1:11434/v1" in text
    assert "> What can Chorus do?" in text  # the question, quoted back


def test_it_answers_a_question_about_code_with_a_code_sample():
    assert "```python" in "".join(offline_call("Write a Python function"))
    assert "```python" not in "".join(offline_call("Tell me about Ljubljana"))


def test_it_quotes_passages_numbered_as_sources_with_their_page():
    passages = [Passage(text="Leave is 25 days a year.", title="Handbook", page=4), Passage(text="Two.", title="B")]
    text = "".join(offline_call("How much leave?", passages))
    assert "> Leave is 25 days a year." in text
    assert "*Handbook, p. 4* [1]" in text and "*B* [2]" in text
    assert "quoted" in text


def test_it_escapes_markdown_in_the_question():
    text = "".join(offline_call("| a | **b** <img src=x>"))
    assert "> \\| a \\| \\*\\*b\\*\\* \\<img src=x\\>" in text

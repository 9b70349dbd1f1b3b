"""The fake provider server speaks the wire formats the SDKs expect (what the other tests rely on)."""

import openai
import pytest


def client(fake_llm):
    return openai.OpenAI(api_key="k", base_url=fake_llm.openai_base_url, max_retries=0)


def test_it_answers_embeddings_deterministically(fake_llm):
    first = client(fake_llm).embeddings.create(model="text-embedding-3-small", input=["a", "b"], dimensions=16)
    again = client(fake_llm).embeddings.create(model="text-embedding-3-small", input=["a"], dimensions=16)
    assert [len(d.embedding) for d in first.data] == [16, 16]
    assert first.data[0].embedding == again.data[0].embedding != first.data[1].embedding
    assert first.usage.total_tokens == 2


def test_it_answers_without_streaming(fake_llm):
    fake_llm.behave("gpt-4o", text="Plain answer.", prompt_tokens=7)
    response = client(fake_llm).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert response.choices[0].message.content == "Plain answer."
    assert response.usage.prompt_tokens == 7


def test_it_answers_plain_json_without_a_delayed_ack_stall(fake_llm):
    # Headers and body are two writes; without TCP_NODELAY each call on a kept-alive connection
    # waited ~40 ms for the client's delayed ACK (seen in bench/stream_ttfb.py as a slow moderation).
    sdk = client(fake_llm)
    for _ in range(3):  # the same kept-alive connection
        sdk.moderations.create(input="hello", model="omni-moderation-latest")
    fake_llm.wait_finished()  # the client may read the answer before the server thread records the end
    recorded = fake_llm.requests_for(path="/moderations")
    assert len(recorded) == 3 and all(r.nodelay and r.sent_to_end for r in recorded)


def test_it_pauses_a_stream_until_resumed(fake_llm):
    fake_llm.behave("gpt-4o", text="one two three four", pause_after=2)
    stream = client(fake_llm).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
    )
    words: list[str] = []
    for chunk in stream:
        text = chunk.choices[0].delta.content if chunk.choices else None
        if not text:
            continue
        words.append(text)
        if len(words) == 2:
            (rec,) = fake_llm.requests_for("gpt-4o")
            assert not rec.finished  # held after two words, not ended
            fake_llm.resume()
    assert "".join(words) == "one two three four"
    fake_llm.wait_finished()  # the client may read the last chunk before the server thread records the end
    assert fake_llm.requests_for("gpt-4o")[0].sent_to_end


def test_it_sends_usage_only_when_asked(fake_llm):
    fake_llm.behave("gpt-4o", text="a b")
    chunks = list(
        client(fake_llm).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    assert all(c.usage is None for c in chunks)


def test_it_fails_only_the_first_n_requests(fake_llm):
    fake_llm.behave("gpt-4o", text="ok", status=429, fail_times=1)
    with pytest.raises(openai.RateLimitError):
        client(fake_llm).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    ok = client(fake_llm).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert ok.choices[0].message.content == "ok"


def test_it_records_requests_with_times(fake_llm):
    client(fake_llm).moderations.create(input="hello")
    (rec,) = fake_llm.requests_for(path="/moderations")
    assert rec.body["input"] == "hello" and rec.finished >= rec.started

"""Every provider module, through its real SDK against the fake server: same shape, same tests."""

import pytest

from orchestration.providers import Call, ProviderConfig, ProviderError, get

SDK_PROVIDERS = ["openai", "anthropic", "perplexity", "openai_compatible"]
MODELS = {
    "openai": "gpt-4o",
    "anthropic": "claude-sonnet-4-6",
    "perplexity": "sonar",
    "openai_compatible": "llama3",
}


def config(fake_llm, provider: str, **kw) -> ProviderConfig:
    return ProviderConfig(
        provider=provider,
        api_key="sk-test",
        base_url=fake_llm.base_url(provider),
        models=(MODELS.get(provider, "offline"),),
        default_model=MODELS.get(provider, "offline"),
        schema="test_providers",
        read_timeout=0.5,
        connect_timeout=1,
        total_timeout=10,
        max_retries=1,
        **kw,
    )


def call(fake_llm, provider, **kw) -> Call:
    return Call(
        get(config(fake_llm, provider)),
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        **kw,
    )


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
def test_it_streams_the_answer_in_chunks_with_usage(fake_llm, provider):
    fake_llm.behave(MODELS[provider], text="Ljubljana is the capital of Slovenia.", prompt_tokens=21)
    c = call(fake_llm, provider)
    chunks = list(c)
    assert len(chunks) == 6
    assert "".join(chunks) == "Ljubljana is the capital of Slovenia."
    assert c.completion.prompt_tokens == 21
    assert c.completion.completion_tokens == 6
    assert c.completion.first_chunk_at is not None
    sent = fake_llm.requests_for(MODELS[provider])[-1]
    assert sent.body["stream"] is True


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
def test_it_sends_the_key_the_sdk_way(fake_llm, provider):
    fake_llm.behave(MODELS[provider], text="ok")
    call(fake_llm, provider).run()
    headers = {k.lower(): v for k, v in fake_llm.requests_for(MODELS[provider])[-1].headers.items()}
    if provider == "anthropic":
        assert "sk-test" in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))
        assert fake_llm.requests_for(MODELS[provider])[-1].body["system"] == "Be brief."
    else:
        assert headers["authorization"] == "Bearer sk-test"


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        ({"status": 401}, "auth"),
        ({"status": 429}, "rate_limit"),
        ({"status": 500}, "server"),
        ({"first_delay": 2.0}, "timeout"),
        ({"text": "one two three four", "hang_after": 2, "hang_seconds": 3}, "timeout"),
        ({"text": "one two three four", "malformed_after": 2}, "bad_response"),
        ({"text": "I cannot help with that.", "refusal": True}, "refusal"),
    ],
    ids=["bad-key", "rate-limit", "server-error", "timeout", "hang-mid-stream", "malformed-chunk", "refusal"],
)
def test_it_maps_failures_to_a_clear_message(fake_llm, provider, behaviour, code):
    fake_llm.behave(MODELS[provider], **behaviour)
    with pytest.raises(ProviderError) as info:
        call(fake_llm, provider).run()
    assert info.value.code == code
    assert info.value.user_message
    assert "sk-test" not in info.value.user_message


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
def test_it_retries_a_server_error_with_backoff_and_then_answers(fake_llm, provider):
    fake_llm.behave(MODELS[provider], text="second time lucky", status=500, fail_times=1)
    assert call(fake_llm, provider).run().text == "second time lucky"
    assert len(fake_llm.requests_for(MODELS[provider])) == 2


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
def test_it_bounds_the_retries(fake_llm, provider):
    fake_llm.behave(MODELS[provider], status=500)
    with pytest.raises(ProviderError):
        call(fake_llm, provider).run()
    assert len(fake_llm.requests_for(MODELS[provider])) == 2  # one try + ORCHESTRATION_MAX_RETRIES=1


def test_it_turns_perplexity_citations_into_sources(fake_llm):
    fake_llm.behave("sonar", text="Ljubljana.", citations=[{"url": "https://www.gov.si/", "title": "GOV.SI"}])
    c = call(fake_llm, "perplexity")
    c.run()
    assert c.completion.citations == [{"url": "https://www.gov.si/", "title": "GOV.SI", "date": ""}]


def test_it_answers_offline_and_says_so(fake_llm):
    from orchestration.engine import Passage

    c = call(fake_llm, "offline", passages=[Passage(text="Ljubljana is the capital.", title="Atlas")])
    text = "".join(c)
    assert "offline" in text
    assert "Ljubljana is the capital." in text and "Atlas" in text
    assert fake_llm.requests == []


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
def test_it_closes_the_stream_when_cancelled(fake_llm, provider):
    fake_llm.behave(MODELS[provider], text="a b c d e f g h", chunk_delay=0.05)
    c = call(fake_llm, provider)
    got = []
    for chunk in c:
        got.append(chunk)
        if len(got) == 2:
            c.cancel.set()
    assert len(got) == 2
    assert c.completion.stopped is True

"""An image sent with a question reaches a model that accepts images as an image content part
(OpenAI: a base64 data URL; Anthropic: a base64 image block), through the real SDKs against the
fake server; a model that does not accept images gets "[image: name, W×H]" in the text instead."""

import pytest

from orchestration.capabilities import accepts_images
from orchestration.engine import Image
from orchestration.providers import Call, ProviderConfig, get

PNG = b"\x89PNG\r\n\x1a\n" + b"fake pixels for the wire"


def _call(fake_llm, provider: str, model: str) -> Call:
    cfg = ProviderConfig(provider=provider, api_key="sk-test", base_url=fake_llm.base_url(provider), models=(model,),
                         default_model=model, schema="test_images", read_timeout=0.5, connect_timeout=1,
                         total_timeout=10, max_retries=1)  # fmt: skip
    image = Image(name="cat.png", mime_type="image/png", width=640, height=480, data=PNG)
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is in the picture?", "images": [image]}]  # fmt: skip
    return Call(get(cfg), messages=messages)


@pytest.mark.parametrize(("provider", "model", "path"), [
    ("openai", "gpt-4o", "/chat/completions"),
    ("anthropic", "claude-sonnet-4-6", "/messages"),
    ("openai_compatible", "llava:13b", "/chat/completions"),
])  # fmt: skip
def test_it_sends_the_image_as_a_content_part(fake_llm, settings, provider, model, path):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.behave(text="A cat.")
    assert _call(fake_llm, provider, model).run().text == "A cat."
    (request,) = fake_llm.requests_for(path=path)
    assert request.images == [{"mime_type": "image/png", "data": PNG}]
    assert "What is in the picture?" in request.text()
    assert "[image:" not in request.text()


@pytest.mark.parametrize(("provider", "model", "path"), [
    ("openai", "o3-mini", "/chat/completions"),
    ("perplexity", "sonar", "/chat/completions"),
    ("openai_compatible", "llama3", "/chat/completions"),
])  # fmt: skip
def test_it_gives_other_models_a_note_instead(fake_llm, settings, provider, model, path):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.behave(text="I cannot see it.")
    _call(fake_llm, provider, model).run()
    (request,) = fake_llm.requests_for(path=path)
    assert request.images == []
    assert "[image: cat.png, 640×480]" in request.text()
    assert all(isinstance(m["content"], str) for m in request.body["messages"])


def test_it_notes_an_image_sent_without_its_bytes_even_to_a_vision_model(fake_llm):
    fake_llm.behave(text="ok")
    cfg = ProviderConfig(provider="openai", api_key="sk-test", base_url=fake_llm.base_url("openai"),
                         models=("gpt-4o",), default_model="gpt-4o", schema="test_images", max_retries=1)  # fmt: skip
    old = Image(name="old.jpg", mime_type="image/jpeg", width=10, height=20)  # beyond the images sent per answer
    new = Image(name="new.png", mime_type="image/png", width=1, height=2, data=PNG)
    Call(get(cfg), messages=[{"role": "user", "content": "Compare", "images": [old, new]}]).run()
    (request,) = fake_llm.requests_for(path="/chat/completions")
    assert [i["data"] for i in request.images] == [PNG]
    assert "[image: old.jpg, 10×20]" in request.text()


def test_it_knows_which_models_accept_images():
    assert accepts_images("openai", "gpt-4o-mini") and accepts_images("openai", "gpt-4.1")
    assert not accepts_images("openai", "o3-mini") and not accepts_images("openai", "gpt-3.5-turbo")
    assert accepts_images("anthropic", "claude-haiku-4-5") and accepts_images("anthropic", "claude-3-5-sonnet-20241022")
    assert not accepts_images("perplexity", "sonar") and not accepts_images("offline", "offline")
    assert accepts_images("openai_compatible", "llama3.2-vision") and not accepts_images("openai_compatible", "llama3")

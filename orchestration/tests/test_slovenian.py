from pathlib import Path

from django.utils import translation

from orchestration.providers import ProviderError

MO = Path(__file__).resolve().parent.parent / "locale" / "sl" / "LC_MESSAGES" / "django.mo"


def test_it_tells_the_user_in_slovenian_what_failed():
    assert MO.exists(), "compile the catalogues first: `make messages` (make test does it)"
    with translation.override("sl"):
        message = ProviderError("timeout", "openai").user_message
    assert message == "OpenAI je predolgo odgovarjal."

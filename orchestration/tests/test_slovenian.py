from pathlib import Path

import pytest
from django.utils import translation

from orchestration.providers import ProviderError

MO = Path(__file__).resolve().parent.parent / "locale" / "sl" / "LC_MESSAGES" / "django.mo"


@pytest.mark.skipif(not MO.exists(), reason="compile messages first (make messages)")
def test_it_tells_the_user_in_slovenian_what_failed():
    with translation.override("sl"):
        message = ProviderError("timeout", "openai").user_message
    assert message == "OpenAI je predolgo odgovarjal."

"""The chat page's label and script strings (chat_labels, chat_strings) are translated once per
language and catalog in a process, not on every page; each language keeps its own."""

from django.utils import translation

from chat.templatetags.chat_tags import chat_labels, chat_strings


def test_it_translates_the_strings_once_per_language(slovenian_catalog):
    with translation.override("en"):
        english = chat_labels()
        assert chat_labels() is english and chat_strings() is chat_strings()
    with translation.override("sl"):
        slovenian = chat_labels()
        assert chat_labels() is slovenian
    assert english["regenerate"] == "Regenerate" and slovenian["regenerate"] == "Ustvari znova"
    with translation.override("en"):
        assert chat_labels()["regenerate"] == "Regenerate"

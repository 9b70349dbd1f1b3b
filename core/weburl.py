"""Which URLs may become a link: absolute http(s) URLs with a host, or a path on this site.

Sources of an answer come from providers (Perplexity citations), strategies and imported files;
any of them may carry ``javascript:``, ``data:`` or ``vbscript:`` URLs, which a browser runs when
the link is clicked. Everything that stores or shows a source URL passes it through
:func:`web_url` and gets either a URL that is safe to put in ``href`` or ``""``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2048
SCHEMES = frozenset({"http", "https"})


def web_url(value) -> str:
    """``value`` (stripped) if it is an http(s) URL with a host or a site path, else ``""``."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or len(url) > MAX_LENGTH:
        return ""
    # Browsers drop tabs and newlines inside a URL ("java\tscript:" runs): refuse any control character.
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return ""
    if url.startswith("/"):  # a path on this site, but never "//host" or "/\host" (other hosts)
        return url if len(url) == 1 or url[1] not in "/\\" else ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SCHEMES or not parts.hostname or "\\" in url:
        return ""
    return url


def is_web_url(value) -> bool:
    return bool(web_url(value))

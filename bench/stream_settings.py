"""Settings for the what-if run of bench/stream_ttfb.py (--limit-set-calls): local settings, but
django-tenants sets the search_path once per connection instead of before every query."""

from config.settings.local import *  # noqa: F403

TENANT_LIMIT_SET_CALLS = True

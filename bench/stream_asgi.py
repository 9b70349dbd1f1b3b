"""The ASGI app of bench/stream_ttfb.py's servers: exactly the project's (``config.asgi``), except
that ``BENCH_BILLING=off`` turns the quota path of a question off in that process.

Off, ``billing.services.quota_reserve`` (what chat calls inside the transaction that stores a
question: the limits read with the session lock, the count of open sessions, the counters'
upsert) does nothing; everything else, the usage record after the answer included, runs as usual.
Only the bench imports this module.
"""

import os

from config.asgi import application

__all__ = ["application"]

if os.environ.get("BENCH_BILLING", "on") == "off":
    import billing.services

    def _no_quota(**_kwargs):
        return None

    billing.services.quota_reserve = _no_quota

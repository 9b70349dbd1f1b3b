"""The egress guard moved to :mod:`core.egress` (documents' embedder uses it too, and documents must
not import orchestration, DESIGN §3). This name stays the same module object, so existing imports
and tests that patch ``orchestration.egress.resolve`` keep working."""

import sys

from core import egress as _egress

sys.modules[__name__] = _egress

"""Request context for the logs (core/logcontext.py, config/logging.py): request id, tenant schema, user id."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.utils.functional import empty

from core import logcontext as log_context
from core.versioned_cache import request_tokens

logger = logging.getLogger("chorus.request")
# A proxy's id is kept when it is a plain token (nginx's $request_id, a UUID, ...): nothing that
# could forge log structure or carry a payload.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestContextMiddleware:
    """First in MIDDLEWARE: every log line of the request carries its id; the response echoes it in
    ``X-Request-ID``; one line per request says method, path (without query), status and time. It also
    opens the request's snapshot of versioned-cache tokens (core.versioned_cache.request_tokens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid
        tokens = [
            (log_context.request_id, log_context.request_id.set(rid)),
            (log_context.tenant, log_context.tenant.set(None)),
            (log_context.user_id, log_context.user_id.set(None)),
        ]
        started = time.perf_counter()
        try:
            with request_tokens():  # the request reads each schema's cache tokens once (core.versioned_cache)
                response = self.get_response(request)
            self._who(request)
            response["X-Request-ID"] = rid
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            for var, token in reversed(tokens):
                var.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        self._who(request)

    @staticmethod
    def _who(request) -> None:
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            log_context.tenant.set(tenant.schema_name)
        user = getattr(request, "user", None)
        # only a user already loaded by the request (no session read just for the log)
        if user is not None and getattr(user, "_wrapped", empty) is not empty and user.is_authenticated:
            log_context.user_id.set(str(user.pk))

"""Every request has an id: the proxy's X-Request-ID when it is a plain token, else a generated one;
it is echoed in the response and carried, with the tenant schema and the user id, by every log line."""

import io
import json
import logging
import uuid

from config.logging import json_handler


def _capture():
    stream = io.StringIO()
    handler = json_handler(stream)
    logging.getLogger().addHandler(handler)
    return stream, handler


def _lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_it_echoes_and_logs_the_proxys_request_id_with_tenant_and_user(owner_client, tenant_a, owner):
    rid = f"proxy-{uuid.uuid4()}"
    stream, handler = _capture()
    try:
        response = owner_client.get("/chat/", HTTP_X_REQUEST_ID=rid)
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 200
    assert response["X-Request-ID"] == rid
    line = next(x for x in _lines(stream) if x["logger"] == "chorus.request")
    assert line["request_id"] == rid
    assert line["tenant"] == tenant_a.schema_name
    assert line["user_id"] == str(owner.pk)
    assert line["path"] == "/chat/" and line["status"] == 200


def test_it_generates_an_id_when_the_header_is_missing_or_not_a_token(owner_client):
    first = owner_client.get("/chat/")["X-Request-ID"]
    forged = owner_client.get("/chat/", HTTP_X_REQUEST_ID='x" injected\n{"level": "ERROR"}')["X-Request-ID"]
    assert len(first) == 32 and len(forged) == 32 and first != forged
    assert "injected" not in forged


def test_it_gives_the_public_host_an_id_and_no_tenant(public_client):
    stream, handler = _capture()
    try:
        response = public_client.get("/healthz")
    finally:
        logging.getLogger().removeHandler(handler)
    line = next(x for x in _lines(stream) if x["logger"] == "chorus.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["tenant"] in (None, "public")
    assert line["user_id"] is None

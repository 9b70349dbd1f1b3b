"""A fake Stripe API on 127.0.0.1, stateful enough for Chorus, driven through the real ``stripe`` SDK.

Point the SDK at it with ``STRIPE_API_BASE = fake.base_url``. It speaks Stripe's wire format:
form-encoded requests with bracketed keys (``line_items[0][price]``), JSON objects with ``id`` and
``object``, lists as ``{"object": "list", "data": [...]}``, errors as ``{"error": {...}}``, and
``Idempotency-Key`` replays. Served: customers, products, prices (archiving with ``active=false``),
checkout sessions, billing portal sessions, subscriptions, invoices, billing meters and meter events
(deduplicated by ``identifier``).

What Stripe itself would do on its side (a customer paying in Checkout, a renewal, a failed card,
a cancellation) are methods here that change the state and return the webhook event Stripe would
send; :meth:`FakeStripe.sign` signs a payload the way Stripe does
(``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>``).

    with FakeStripe() as fake:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": fake.base_url})
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):06d}{secrets.token_hex(4)}"


def _set_path(target: dict, keys: list[str], value: str) -> None:
    node: Any = target
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if last:
            node[key] = value
        else:
            node = node.setdefault(key, {})


def _listify(value):
    """``{"0": a, "1": b}`` -> ``[a, b]`` (Stripe encodes arrays with indices)."""
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def parse_form(body: str) -> dict:
    out: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        _set_path(out, parts, value)
    return _listify(out)


def _bool(value) -> bool:
    return str(value).lower() in ("true", "1")


class StripeError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", code: str = ""):
        super().__init__(message)
        self.status, self.message, self.type, self.code = status, message, type_, code


class FakeStripe:
    def __init__(self, webhook_secret: str = "whsec_test_secret") -> None:  # noqa: S107 - a test secret
        self.webhook_secret = webhook_secret
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {
            k: {} for k in ("customer", "product", "price", "checkout.session", "subscription", "invoice", "meter")
        }
        self.portal_sessions: list[dict] = []
        self.meter_events: dict[str, dict] = {}  # identifier -> event
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.down = False  # every request answers 503 (Stripe unreachable)
        self.fail_next = 0  # the next N requests answer 500
        self.clock = int(time.time())
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # --- plumbing --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def reset(self) -> None:
        with self.lock:
            for table in self.objects.values():
                table.clear()
            self.portal_sessions.clear()
            self.meter_events.clear()
            self.idempotent.clear()
            self.requests.clear()
            self.down = False
            self.fail_next = 0

    def now(self) -> int:
        return int(time.time())

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[tuple[str, str, dict]]:
        return [r for r in self.requests if (method is None or r[0] == method) and r[1].startswith(path_prefix)]

    # --- webhooks --------------------------------------------------------------------------
    def event(self, type_: str, obj: dict, *, previous: dict | None = None, created: int | None = None) -> dict:
        data: dict = {"object": json.loads(json.dumps(obj))}
        if previous:
            data["previous_attributes"] = previous
        return {
            "id": new_id("evt"),
            "object": "event",
            "api_version": "2025-08-27.basil",
            "created": created or self.now(),
            "type": type_,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": data,
        }

    def sign(self, payload: str | bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
        if isinstance(payload, bytes):
            payload = payload.decode()
        t = int(timestamp if timestamp is not None else time.time())
        mac = hmac.new((secret or self.webhook_secret).encode(), f"{t}.{payload}".encode(), hashlib.sha256)
        return f"t={t},v1={mac.hexdigest()}"

    def signed(self, event: dict, **kwargs) -> tuple[str, str]:
        payload = json.dumps(event)
        return payload, self.sign(payload, **kwargs)

    # --- what Stripe does on its own side -------------------------------------------------
    def _period(self, start: int, interval: str) -> int:
        return start + (365 if interval == "year" else 30) * 86400

    def _price_interval(self, price_id: str) -> str:
        price = self.objects["price"].get(price_id) or {}
        return (price.get("recurring") or {}).get("interval") or "month"

    def complete_checkout(self, session_id: str, *, trial_days: int | None = None) -> list[dict]:
        """The customer pays in Checkout: a subscription and its first invoice exist; Stripe's events."""
        with self.lock:
            session = self.objects["checkout.session"][session_id]
            items = session.get("line_items") or []
            trial = (
                trial_days
                if trial_days is not None
                else int((session.get("subscription_data") or {}).get("trial_period_days") or 0)
            )
            sub = self._subscription_create(
                customer=session["customer"],
                prices=[i["price"] for i in items],
                metadata=(session.get("subscription_data") or {}).get("metadata") or session.get("metadata") or {},
                trial_days=trial,
            )
            session.update(status="complete", payment_status="paid", subscription=sub["id"])
            invoice = self._invoice_create(sub, paid=True)
            return [
                self.event("customer.subscription.created", sub),
                self.event("checkout.session.completed", session),
                self.event("invoice.paid", invoice),
            ]

    def _subscription_create(self, *, customer: str, prices: list[str], metadata: dict, trial_days: int = 0) -> dict:
        now = self.now()
        interval = self._price_interval(prices[0]) if prices else "month"
        end = self._period(now, interval)
        sub_id = new_id("sub")
        items = [
            {
                "id": new_id("si"),
                "object": "subscription_item",
                "price": self.objects["price"].get(p) or {"id": p, "object": "price"},
                "quantity": 1,
                "subscription": sub_id,
                "current_period_start": now,
                "current_period_end": end,
            }
            for p in prices
        ]
        sub = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": "trialing" if trial_days else "active",
            "items": {"object": "list", "data": items, "has_more": False, "url": "/v1/subscription_items"},
            "cancel_at_period_end": False,
            "canceled_at": None,
            "ended_at": None,
            "trial_end": now + trial_days * 86400 if trial_days else None,
            "created": now,
            "metadata": metadata,
            "latest_invoice": None,
            "livemode": False,
        }
        self.objects["subscription"][sub_id] = sub
        return sub

    def _invoice_create(self, sub: dict, *, paid: bool) -> dict:
        item = sub["items"]["data"][0] if sub["items"]["data"] else {}
        amount = sum(int((i["price"] or {}).get("unit_amount") or 0) for i in sub["items"]["data"])
        inv_id = new_id("in")
        invoice = {
            "id": inv_id,
            "object": "invoice",
            "customer": sub["customer"],
            "number": f"CHR-{len(self.objects['invoice']) + 1:04d}",
            "status": "paid" if paid else "open",
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "currency": (item.get("price") or {}).get("currency", "eur"),
            "hosted_invoice_url": f"https://invoice.stripe.com/i/{inv_id}",
            "invoice_pdf": f"https://pay.stripe.com/invoice/{inv_id}/pdf",
            "period_start": item.get("current_period_start"),
            "period_end": item.get("current_period_end"),
            "created": self.now(),
            "attempt_count": 1,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub["id"]}},
            "livemode": False,
        }
        self.objects["invoice"][inv_id] = invoice
        sub["latest_invoice"] = inv_id
        return invoice

    def subscription_update(self, sub_id: str, type_: str = "customer.subscription.updated", **changes) -> dict:
        with self.lock:
            sub = self.objects["subscription"][sub_id]
            previous = {k: sub.get(k) for k in changes}
            sub.update(changes)
            return self.event(type_, sub, previous=previous)

    def renew(self, sub_id: str) -> list[dict]:
        """A new billing period starts and its invoice is paid."""
        with self.lock:
            sub = self.objects["subscription"][sub_id]
            for item in sub["items"]["data"]:
                start = item["current_period_end"]
                item["current_period_start"] = start
                item["current_period_end"] = self._period(start, self._price_interval(item["price"]["id"]))
            sub["status"] = "active"
            invoice = self._invoice_create(sub, paid=True)
            return [self.event("customer.subscription.updated", sub), self.event("invoice.paid", invoice)]

    def fail_payment(self, sub_id: str) -> list[dict]:
        """The renewal's card is declined: the subscription is past due, the invoice open."""
        with self.lock:
            sub = self.objects["subscription"][sub_id]
            sub["status"] = "past_due"
            invoice = self._invoice_create(sub, paid=False)
            return [self.event("invoice.payment_failed", invoice), self.event("customer.subscription.updated", sub)]

    def cancel_now(self, sub_id: str) -> dict:
        with self.lock:
            sub = self.objects["subscription"][sub_id]
            sub.update(status="canceled", canceled_at=self.now(), ended_at=self.now())
            return self.event("customer.subscription.deleted", sub)

    # --- the API ---------------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict, idem_key: str | None) -> tuple[int, dict]:
        with self.lock:
            self.requests.append((method, path, params))
            if self.down:
                return 503, {"error": {"type": "api_error", "message": "Stripe is unavailable (fake)."}}
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": {"type": "api_error", "message": "An error occurred (fake)."}}
            if idem_key and method == "POST" and idem_key in self.idempotent:
                return self.idempotent[idem_key]
            try:
                result = 200, self._route(method, path, params)
            except StripeError as exc:
                result = exc.status, {"error": {"type": exc.type, "message": exc.message, "code": exc.code}}
            except KeyError as exc:
                result = 404, {"error": {"type": "invalid_request_error", "message": f"No such object: {exc}"}}
            if idem_key and method == "POST":
                self.idempotent[idem_key] = result
            return result

    def _list(self, kind: str, params: dict, url: str, match=lambda o: True) -> dict:
        rows = [o for o in self.objects[kind].values() if match(o)]
        rows.sort(key=lambda o: o.get("created", 0), reverse=True)
        limit = int(params.get("limit") or 10)
        return {"object": "list", "data": rows[:limit], "has_more": len(rows) > limit, "url": url}

    def _route(self, method: str, path: str, p: dict) -> dict:  # noqa: C901 - one table of routes
        parts = [x for x in path.split("/") if x][1:]  # drop "v1"
        now = self.now()
        if parts == ["customers"] and method == "POST":
            obj = {
                "id": new_id("cus"),
                "object": "customer",
                "created": now,
                "email": p.get("email"),
                "name": p.get("name"),
                "metadata": p.get("metadata") or {},
                "livemode": False,
            }
            self.objects["customer"][obj["id"]] = obj
            return obj
        if len(parts) == 2 and parts[0] == "customers":
            obj = self.objects["customer"][parts[1]]
            if method == "POST":
                obj.update({k: v for k, v in p.items() if k != "expand"})
            return obj
        if parts == ["products"]:
            if method == "POST":
                obj = {
                    "id": p.get("id") or new_id("prod"),
                    "object": "product",
                    "created": now,
                    "name": p.get("name"),
                    "description": p.get("description"),
                    "active": True,
                    "metadata": p.get("metadata") or {},
                }
                self.objects["product"][obj["id"]] = obj
                return obj
            return self._list("product", p, "/v1/products")
        if len(parts) == 2 and parts[0] == "products":
            obj = self.objects["product"][parts[1]]
            if method == "POST":
                for k, v in p.items():
                    obj[k] = _bool(v) if k == "active" else v
            return obj
        if parts == ["prices"]:
            if method == "POST":
                product = p["product"]
                if product not in self.objects["product"]:
                    raise StripeError(400, f"No such product: '{product}'", code="resource_missing")
                recurring = p.get("recurring") or None
                obj = {
                    "id": new_id("price"),
                    "object": "price",
                    "created": now,
                    "product": product,
                    "active": True,
                    "currency": p.get("currency", "eur"),
                    "unit_amount": int(p["unit_amount"]) if p.get("unit_amount") else None,
                    "unit_amount_decimal": p.get("unit_amount_decimal"),
                    "recurring": recurring,
                    "lookup_key": p.get("lookup_key"),
                    "metadata": p.get("metadata") or {},
                    "type": "recurring" if recurring else "one_time",
                }
                self.objects["price"][obj["id"]] = obj
                return obj
            return self._list(
                "price",
                p,
                "/v1/prices",
                lambda o: (
                    (not p.get("product") or o["product"] == p["product"])
                    and ("active" not in p or o["active"] == _bool(p["active"]))
                ),
            )
        if len(parts) == 2 and parts[0] == "prices":
            obj = self.objects["price"][parts[1]]
            if method == "POST":
                changeable = {"active", "metadata", "lookup_key", "nickname"}
                bad = set(p) - changeable - {"expand"}
                if bad:
                    raise StripeError(
                        400, f"Received unknown parameter: {sorted(bad)[0]} (prices cannot change amount)"
                    )
                for k, v in p.items():
                    obj[k] = _bool(v) if k == "active" else v
            return obj
        if parts == ["checkout", "sessions"] and method == "POST":
            if p.get("customer") not in self.objects["customer"]:
                raise StripeError(400, f"No such customer: '{p.get('customer')}'", code="resource_missing")
            for item in p.get("line_items") or []:
                if item.get("price") not in self.objects["price"]:
                    raise StripeError(400, f"No such price: '{item.get('price')}'", code="resource_missing")
                if not self.objects["price"][item["price"]]["active"]:
                    raise StripeError(400, "The price specified is inactive.")
            sid = new_id("cs_test")
            obj = {
                "id": sid,
                "object": "checkout.session",
                "created": now,
                "mode": p.get("mode"),
                "customer": p.get("customer"),
                "client_reference_id": p.get("client_reference_id"),
                "success_url": p.get("success_url"),
                "cancel_url": p.get("cancel_url"),
                "status": "open",
                "payment_status": "unpaid",
                "subscription": None,
                "metadata": p.get("metadata") or {},
                "line_items": p.get("line_items") or [],
                "subscription_data": p.get("subscription_data") or {},
                "url": f"https://checkout.stripe.com/c/pay/{sid}",
            }
            self.objects["checkout.session"][sid] = obj
            return obj
        if len(parts) == 3 and parts[:2] == ["checkout", "sessions"]:
            return self.objects["checkout.session"][parts[2]]
        if parts == ["billing_portal", "sessions"] and method == "POST":
            if p.get("customer") not in self.objects["customer"]:
                raise StripeError(400, f"No such customer: '{p.get('customer')}'", code="resource_missing")
            obj = {
                "id": new_id("bps"),
                "object": "billing_portal.session",
                "created": now,
                "customer": p["customer"],
                "return_url": p.get("return_url"),
                "url": f"https://billing.stripe.com/p/session/{new_id('t')}",
            }
            self.portal_sessions.append(obj)
            return obj
        if parts == ["subscriptions"]:
            status = p.get("status")
            return self._list(
                "subscription",
                p,
                "/v1/subscriptions",
                lambda o: (
                    (not p.get("customer") or o["customer"] == p["customer"])
                    and (status in (None, "all") or o["status"] == status)
                    and (status is not None or o["status"] != "canceled")
                ),
            )
        if len(parts) == 2 and parts[0] == "subscriptions":
            sub = self.objects["subscription"][parts[1]]
            if method == "POST":
                if "cancel_at_period_end" in p:
                    sub["cancel_at_period_end"] = _bool(p["cancel_at_period_end"])
                if p.get("metadata"):
                    sub["metadata"] = {**sub.get("metadata", {}), **p["metadata"]}
            elif method == "DELETE":
                sub.update(status="canceled", canceled_at=now, ended_at=now)
            return sub
        if parts == ["invoices"]:
            return self._list(
                "invoice", p, "/v1/invoices", lambda o: not p.get("customer") or o["customer"] == p["customer"]
            )
        if len(parts) == 2 and parts[0] == "invoices":
            return self.objects["invoice"][parts[1]]
        if parts == ["billing", "meters"]:
            if method == "POST":
                obj = {
                    "id": new_id("mtr"),
                    "object": "billing.meter",
                    "created": now,
                    "display_name": p.get("display_name"),
                    "event_name": p["event_name"],
                    "status": "active",
                    "default_aggregation": p.get("default_aggregation") or {"formula": "sum"},
                }
                if any(m["event_name"] == obj["event_name"] for m in self.objects["meter"].values()):
                    raise StripeError(400, "A meter with this event_name already exists.")
                self.objects["meter"][obj["id"]] = obj
                return obj
            return self._list("meter", p, "/v1/billing/meters")
        if parts == ["billing", "meter_events"] and method == "POST":
            identifier = p.get("identifier") or new_id("mev")
            if identifier in self.meter_events:  # Stripe ignores a repeated identifier
                return self.meter_events[identifier]
            if not any(m["event_name"] == p.get("event_name") for m in self.objects["meter"].values()):
                raise StripeError(400, f"No active meter found for event_name {p.get('event_name')}")
            obj = {
                "object": "billing.meter_event",
                "created": now,
                "event_name": p["event_name"],
                "identifier": identifier,
                "payload": p.get("payload") or {},
                "timestamp": int(p.get("timestamp") or now),
                "livemode": False,
            }
            self.meter_events[identifier] = obj
            return obj
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def meter_total(self, event_name: str, customer: str) -> int:
        return sum(
            int(e["payload"].get("value") or 0)
            for e in self.meter_events.values()
            if e["event_name"] == event_name and e["payload"].get("stripe_customer_id") == customer
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # quiet
        pass

    def _serve(self) -> None:
        fake: FakeStripe = self.server.fake  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = parse_form(url.query if self.command in ("GET", "DELETE") else body)
        status, payload = fake.handle(self.command, url.path, params, self.headers.get("Idempotency-Key"))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req"))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve

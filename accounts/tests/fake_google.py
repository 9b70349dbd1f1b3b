"""A fake Google OAuth 2.0 token endpoint on 127.0.0.1, for allauth's real Google provider.

It answers the authorization-code exchange the way Google does: a JSON body with an access
token and an OpenID Connect id_token (a JWT with Google's issuer and our client id as audience).
allauth skips the signature check for an id_token it fetched itself over the token endpoint
(OpenID Connect Core §3.1.3.7), so the JWT is signed with a local key.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt


class FakeGoogle:
    def __init__(self, *, client_id: str):
        self.client_id = client_id
        self.identity = {"sub": "g-555", "email": "someone@example.com", "email_verified": True, "name": "Some One"}
        self.codes_seen: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                code = form.get("code", [""])[0]
                fake.codes_seen.append(code)
                if code != "good-code":
                    self._json(400, {"error": "invalid_grant"})
                    return
                now = int(time.time())
                claims = {
                    "iss": "https://accounts.google.com",
                    "aud": fake.client_id,
                    "iat": now,
                    "exp": now + 300,
                    **fake.identity,
                }
                id_token = jwt.encode(claims, "fake-google-signing-key-of-32-bytes!", algorithm="HS256")
                self._json(
                    200,
                    {
                        "access_token": "ya29.fake",
                        "expires_in": 3599,
                        "token_type": "Bearer",
                        "scope": "openid email profile",
                        "id_token": id_token,
                    },
                )

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.token_url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGoogle:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

"""A local OpenID Connect provider that behaves like FranceConnect v2, for tests (no network).

Serves, on 127.0.0.1 and a free port, under /api/v2: the discovery document, /authorize (answers at once with
a redirect to the client's callback, as if the person had signed in), /token (an RS256 id_token carrying the
nonce and acr), /userinfo (a signed JWT, as FranceConnect v2 answers it), /jwks and /session/end.
`FakeFranceConnect.identity` is the person who "signs in"; `tamper` changes what is answered, to test refusals.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "concerto-test-client"
CLIENT_SECRET = "concerto-test-secret"
KID = "fake-fc-key"

DEFAULT_IDENTITY = {
    "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "birthdate": "1962-08-24",
    "birthplace": "75107",
    "birthcountry": "99100",
    "gender": "female",
    "preferred_username": "",
    "email": "wossewodda-3728@yopmail.com",
}


class FakeFranceConnect:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.identity = dict(DEFAULT_IDENTITY)
        self.tamper: dict = {}  # e.g. {"nonce": "other"} or {"acr": "eidas0"}
        self.authorize_requests: list[dict] = []
        self.logouts: list[dict] = []
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # What the provider answers ---------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "end_session_endpoint": f"{self.url}/session/end",
            "jwks_uri": f"{self.url}/jwks",
            "scopes_supported": ["openid", "given_name", "family_name", "birthdate", "birthplace",
                                 "birthcountry", "gender", "preferred_username", "email"],
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "acr_values_supported": ["eidas1"],
        }

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def authorize(self, query: dict) -> str:
        """The Location FranceConnect would send the browser back to, after the person signed in."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query.get("nonce", ""), "acr": "eidas1", "identity": dict(self.identity)}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": grant["identity"]["sub"], "iat": now,
                  "exp": now + 60, "nonce": grant["nonce"], "acr": grant["acr"], "amr": ["pwd"],
                  "jti": secrets.token_hex(8)}
        claims.update(self.tamper)
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant["identity"]
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 60,
                     "id_token": self.sign(claims), "scope": "openid"}

    def userinfo(self, access: str) -> tuple[int, str]:
        identity = self.tokens.get(access)
        if identity is None:
            return 401, ""
        now = int(time.time())
        return 200, self.sign({"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **identity})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, content_type="application/json", headers=None):
                data = body if isinstance(body, bytes) else (
                    body.encode() if isinstance(body, str) else json.dumps(body).encode())
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/api/v2")
                if path == "/.well-known/openid-configuration":
                    self._send(200, fake.discovery())
                elif path == "/jwks":
                    self._send(200, fake.jwks())
                elif path == "/authorize":
                    self._send(302, b"", headers={"Location": fake.authorize(query)})
                elif path == "/userinfo":
                    status, body = fake.userinfo(self.headers.get("Authorization", "").removeprefix("Bearer "))
                    self._send(status, body, "application/jwt")
                elif path == "/session/end":
                    fake.logouts.append(query)
                    back = query.get("post_logout_redirect_uri", "/")
                    if query.get("state"):  # FranceConnect sends the state back, as OpenID Connect says
                        back += ("&" if "?" in back else "?") + urlencode({"state": query["state"]})
                    self._send(302, b"", headers={"Location": back})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlparse(self.path).path.removeprefix("/api/v2") == "/token":
                    status, body = fake.token(form)
                    self._send(status, body)
                else:
                    self._send(404, {"error": "not_found"})

        return Handler

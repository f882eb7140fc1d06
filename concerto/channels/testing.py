"""Test helpers for the chat channels: a local fake of Meta's Graph API (the Send API) and signed webhook
events built from the real samples in ../shared/data/messenger/."""

import hashlib
import hmac
import http.server
import json
import threading
from pathlib import Path

from concerto.localserver import LocalServer

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "messenger"


class FakeGraph(LocalServer):
    """The Send API in a thread: `with FakeGraph() as graph: graph.url`. Each POST body is kept in
    `graph.sent` (with its path and query in `graph.paths`); `graph.failures` answers that many requests with
    STATUS (503 by default) before answering normally. `graph.files` maps a path to (status, bytes) served on
    GET: the attachments a person sends (Meta's attachment URLs), at `graph.file_url(path)`."""

    def __init__(self):
        self.sent, self.paths, self.failures, self.status = [], [], 0, 503
        self.files = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    failing = fake.failures > 0
                    if failing:
                        fake.failures -= 1
                    else:
                        fake.sent.append(json.loads(body))
                        fake.paths.append(self.path)
                if failing:
                    status, answer = fake.status, b'{"error": {"message": "down"}}'
                else:
                    recipient = json.loads(body)["recipient"]["id"]
                    status, answer = 200, json.dumps({"recipient_id": recipient, "message_id": "m_fake"}).encode()
                fake.reply(self, status, answer)

            def do_GET(self):  # noqa: N802 (the standard library's name)
                status, content = fake.files.get(self.path.split("?")[0], (404, b""))
                fake.reply(self, status, content, "image/jpeg")

            def log_message(self, *args):
                pass

        super().__init__(Handler, "/v23.0")

    def file_url(self, path: str) -> str:
        return self.url.rsplit("/v23.0", 1)[0] + path

    def texts(self) -> list[str]:
        """What the person read: each message's text (or its button template's text), no-break spaces as spaces."""
        texts = []
        for body in self.sent:
            message = body["message"]
            text = message.get("text") or message.get("attachment", {}).get("payload", {}).get("text", "")
            texts.append(text.replace("\xa0", " ").replace("\u202f", " "))  # French no-break spaces
        return texts

    def last_quick_replies(self) -> list[dict]:
        for body in reversed(self.sent):
            if body["message"].get("quick_replies"):
                return body["message"]["quick_replies"]
        return []


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event(name: str, *, page: str, psid: str, mid: str | None = None, text: str | None = None,
          payload: str | None = None, attachment_url: str | None = None) -> bytes:
    """The sample NAME (webhook_message_text.json...) addressed to PAGE from PSID, with its fields changed."""
    data = json.loads(sample(name).replace("<PAGE_ID>", page).replace("<PSID>", psid))
    item = data["entry"][0]["messaging"][0]
    data["entry"][0]["id"] = page
    item["recipient"]["id"] = page
    if "message" in item:
        if attachment_url is not None:
            item["message"]["attachments"][0]["payload"]["url"] = attachment_url
        if mid is not None:
            item["message"]["mid"] = mid
        if text is not None:
            item["message"]["text"] = text
        if payload is not None:
            item["message"]["quick_reply"] = {"payload": payload}
    if "postback" in item:
        if mid is not None:
            item["postback"]["mid"] = mid
        if payload is not None:
            item["postback"]["payload"] = payload
    return json.dumps(data).encode()

"""Local fakes of the Telegram Bot API and of OVHcloud's SMS API, each in a thread: `with FakeBotApi() as api:`.
Every POST is kept in `calls` as (path, JSON body, headers); `failures` answers that many requests with STATUS
(503 by default) first; `refuse` answers every sendMessage with 403 (a person who blocked the bot); `errors` maps
a method (the path's end, "setWebhook") to the status it is answered with. `files` maps a path to (status, bytes)
served on GET (the Bot API's /file/bot<token>/<file_path>)."""

import http.server
import json
import threading

from concerto.localserver import LocalServer


class FakeServer(LocalServer):
    """A local server whose POST handler keeps JSON bodies and answers with `answer`."""

    def answer(self, path: str, body: dict) -> dict:
        raise NotImplementedError

    def __init__(self):
        self.calls, self.failures, self.status, self.refuse, self.errors = [], 0, 503, False, {}
        self.files = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the standard library's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                with fake.lock:
                    method = self.path.rsplit("/", 1)[-1]
                    failing = fake.failures > 0 or method in fake.errors
                    if fake.failures > 0:
                        fake.failures -= 1
                    elif not fake.refuse:
                        fake.calls.append((self.path, body, dict(self.headers)))
                if failing:
                    status = fake.errors.get(method, fake.status)
                    answer = {"ok": False, "error_code": status, "description": "down",
                              "parameters": {"retry_after": 0}}
                elif fake.refuse:
                    status, answer = 403, {"ok": False, "error_code": 403,
                                           "description": "Forbidden: bot was blocked by the user"}
                else:
                    status, answer = 200, fake.answer(self.path, body)
                fake.reply(self, status, json.dumps(answer).encode())

            def do_GET(self):  # noqa: N802 (the standard library's name)
                status, content = fake.files.get(self.path.split("?")[0], (404, b""))
                fake.reply(self, status, content, "image/jpeg")

            def log_message(self, *args):
                pass

        super().__init__(Handler)


class FakeBotApi(FakeServer):
    def answer(self, path, body):
        if path.endswith("/getMe"):
            return {"ok": True, "result": {"id": 8000000001, "is_bot": True, "username": "concerto_sceaux_bot"}}
        if path.endswith("/getFile"):
            return {"ok": True, "result": {"file_id": body.get("file_id"), "file_unique_id": "u1",
                                           "file_path": f"photos/{body.get('file_id')}.jpg"}}
        if path.endswith("/setWebhook"):
            self.webhook_url = body.get("url", "")
            return {"ok": True, "result": True, "description": "Webhook was set"}
        if path.endswith("/deleteWebhook"):
            self.webhook_url = ""
            return {"ok": True, "result": True}
        if path.endswith("/getWebhookInfo"):
            return {"ok": True, "result": {"url": getattr(self, "webhook_url", ""), "pending_update_count": 0}}
        return {"ok": True, "result": {"message_id": len(self.calls), "chat": {"id": body.get("chat_id")},
                                       "text": body.get("text", "")}}

    def sent(self, method: str = "sendMessage") -> list[dict]:
        return [body for path, body, _headers in self.calls if path.endswith("/" + method)]

    def texts(self) -> list[str]:
        return [body["text"].replace("\xa0", " ").replace("\u202f", " ") for body in self.sent()]

    def last_buttons(self) -> list[dict]:
        for body in reversed(self.sent()):
            rows = (body.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [button for row in rows for button in row]
        return []


class FakeOvhSms(FakeServer):
    def answer(self, path, body):
        return {"ids": [len(self.calls)], "totalCreditsRemoved": 1, "validReceivers": body.get("receivers", []),
                "invalidReceivers": []}

    def texts(self) -> list[str]:
        return [body["message"] for _path, body, _headers in self.calls]

"""A person writing to the Sceaux Messenger page through the signed webhook (the tests' `person` fixture): texts,
quick replies, a shared location and a photo, each delivery answered as after its commit (the worker's tasks run
at once in tests)."""

import json

from concerto.channels.testing import event, signature
from concerto.channels.tests.conftest import PAGE, SECRET

URL = "/canaux/messenger/webhook/"


class MessengerChat:
    def __init__(self, client, capture, psid: str = "2254477777772919"):
        self.client, self.capture, self.psid, self.number = client, capture, psid, 0

    def _mid(self) -> str:
        self.number += 1
        return f"chat-{self.number}"

    def post(self, body: bytes):
        with self.capture(execute=True):
            response = self.client.generic("POST", URL, body, content_type="application/json",
                                           headers={"X-Hub-Signature-256": signature(body, SECRET)})
        assert response.status_code == 200
        return response

    def say(self, *, text: str = "", payload: str | None = None):
        name = "webhook_message_quick_reply.json" if payload else "webhook_message_text.json"
        return self.post(event(name, page=PAGE, psid=self.psid, mid=self._mid(), text=text, payload=payload))

    def share_location(self, latitude: float, longitude: float):
        data = json.loads(event("webhook_message_attachment.json", page=PAGE, psid=self.psid, mid=self._mid()))
        data["entry"][0]["messaging"][0]["message"]["attachments"] = [
            {"type": "location", "payload": {"coordinates": {"lat": latitude, "long": longitude}}}]
        return self.post(json.dumps(data).encode())

    def send_photo(self, graph, content: bytes, *, status: int = 200, mid: str | None = None):
        """A photo sent from the phone: GRAPH serves CONTENT (with STATUS) at the attachment's URL."""
        graph.files["/cdn/photo.jpg"] = (status, content)
        return self.post(event("webhook_message_attachment.json", page=PAGE, psid=self.psid, mid=mid or self._mid(),
                               attachment_url=graph.file_url("/cdn/photo.jpg")))


def replies(graph) -> dict[str, str]:
    """The last quick replies, title -> payload (French no-break spaces as spaces)."""
    return {reply["title"].replace("\xa0", " ").replace("\u202f", " "): reply["payload"]
            for reply in graph.last_quick_replies()}

"""A local HTTP server in a thread, for the tests' and benchmarks' fakes of outside services (map tiles, the
address service, Messenger, Telegram, OVHcloud). Needs no Django, so benchmarks that never set Django up can
use the fakes built on it."""

import threading


class LocalServer:
    """A local HTTP server in a thread, for the fakes of outside services: built with a request handler class,
    served from `with ... as fake:` (or `start()` / `stop()`), at `fake.url`."""

    def __init__(self, handler, path: str = ""):
        import http.server

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @staticmethod
    def reply(handler, status: int, body: bytes, content_type: str = "application/json") -> None:
        """Answer the request HANDLER serves with STATUS and BODY."""
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

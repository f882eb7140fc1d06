"""tools/prod_crawl.py, the crawler of the production smoke run, catches what it is there to catch.

It is run against a small stand-in site (standard library server) with one defect of each kind, and its TOTP
codes are checked against django-allauth's.
"""

import importlib.util
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from concerto import testing

spec = importlib.util.spec_from_file_location("prod_crawl", Path(settings.BASE_DIR) / "tools" / "prod_crawl.py")
prod_crawl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(prod_crawl)

YEAR = "max-age=315360000, public, immutable"
SITE = {
    "/": (200, "text/html", {}, """<!DOCTYPE html><html lang="fr"><head>
        <link rel="stylesheet" href="/static/site.0123456789ab.css">
        <link rel="stylesheet" href="/static/plain.css">
        <script src="/static/app.abcdef012345.js" defer></script></head><body>
        <a href="/page/">page</a> <a href="/panne/">panne</a> <a href="/absente/">absente</a>
        <a href="/admin/">admin</a> <a href="/compte/logout/">sortir</a> <a href="https://ailleurs.example/">x</a>
        <a href="mailto:a@example.org">mail</a> <a href="/page/#haut">same page</a>
        <img src="/media/photos/presente.jpg" alt=""> <img src="/media/photos/perdue.jpg" alt="">
        </body></html>"""),
    "/page/": (200, "text/html", {}, '<html lang="fr"><body><a href="/">accueil</a><a href="/ailleurs/">r</a></body>'),
    "/ailleurs/": (302, "text/html", {"Location": "/page/"}, ""),
    "/panne/": (500, "text/html", {}, "Server Error"),
    "/absente/": (404, "text/html", {}, '<html lang="fr">Page introuvable</html>'),
    "/static/site.0123456789ab.css": (200, "text/css", {"Cache-Control": YEAR},
                                      "body{background:url(fond.0123456789ab.png)}"),
    "/static/plain.css": (200, "text/css", {"Cache-Control": "max-age=60"}, "p{}"),
    "/static/app.abcdef012345.js": (200, "text/javascript", {"Cache-Control": YEAR}, "var a;"),
}


@pytest.fixture
def site():
    requested = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            status, kind, headers, body = SITE.get(self.path, (404, "text/html", {}, "nope"))
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            data = body.encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


def test_the_crawler_reports_each_defect_and_never_follows_admin_logout_or_other_sites(site, tmp_path):
    base, requested = site
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "presente.jpg").write_bytes(b"jpeg")
    crawl = prod_crawl.Crawl(prod_crawl.Client(base, https_proxy=False), str(tmp_path))
    fetched = crawl.pages(["/"], lambda path: True, limit=50)

    failures = "\n".join(crawl.failures)
    assert "/panne/ (from /): 500" in failures
    assert "/absente/ (from /): 404, a broken link" in failures
    assert "/static/plain.css" in failures and "not a hashed name" in failures and "'max-age=60'" in failures
    assert "/static/fond.0123456789ab.png (named by /static/site.0123456789ab.css): 404" in failures
    assert "/media/photos/perdue.jpg (named by /): no such media file" in failures
    assert len(crawl.failures) == 6, failures  # plain.css twice (name and cache), nothing else
    assert fetched == 5  # /, /page/, /panne/, /absente/, /ailleurs/ (its redirect to a page already seen)
    assert not {"/admin/", "/compte/logout/"} & set(requested)
    assert requested.count("/") == 1 and "/media/photos/presente.jpg" not in requested


def test_the_crawler_caps_the_pages_and_says_so(site):
    base, _ = site
    crawl = prod_crawl.Crawl(prod_crawl.Client(base, https_proxy=False), None)
    assert crawl.pages(["/"], lambda path: True, limit=2) == 2
    assert any("page limit 2 reached" in note for note in crawl.notes)


def test_the_crawler_computes_the_same_totp_codes_as_the_server():
    for moment in (59.0, 1_700_000_000, 1_800_000_029.9):
        assert prod_crawl.totp(testing.TOTP_SECRET, moment) == testing.totp_code(at=moment)

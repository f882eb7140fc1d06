#!/usr/bin/env python3
"""Crawl a running Concerto as production serves it, and fail on what a visitor or an agent would hit.

    python tools/prod_crawl.py http://127.0.0.1:8123 --agent agent@sceaux.demo --password ... --totp-secret ...

Standard library only (it runs against any deployment, from any Python). What it checks:
- every public page reachable from `/` (same host, breadth first, at most --max-pages), and every static or
  media file those pages name: no 5xx, no broken link, static files 200 under a hashed name with a cache of a
  year or more (and the files their stylesheets name), media files present in --media-root;
- the same for every back-office page reachable by the agent (`/gestion/...` and the account's pages, GET
  only), after signing in with the password and a TOTP code computed from --totp-secret;
- the 404 page: status 404, `lang="fr"`, French words (English with `Accept-Language: en`);
- the security headers of a page, the HTTPS redirect and the cookies' attributes.
With --https-proxy it speaks as the TLS-terminating proxy would (`X-Forwarded-Proto: https` on every request),
so the HTTPS-only settings are exercised over loopback. Exit status 1 with the list of what failed.
Never followed: `/admin/`, logout, `/i18n/` (a POST), other hosts, anything but GET after signing in.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import re
import struct
import sys
import time
from collections import deque
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

SKIPPED = re.compile(r"^/(admin|i18n)/|logout|deconnexion", re.IGNORECASE)
HASHED = re.compile(r"\.[0-9a-f]{12}\.")
ONE_YEAR = 365 * 24 * 3600
PER_PATTERN = 8  # URLs that differ only by numbers (items, pages of a list) crawled per pattern


def totp(secret: str, at: float) -> str:
    """RFC 6238 with the authenticator apps' defaults (SHA-1, 30 s, 6 digits), as django-allauth checks it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Parsed(HTMLParser):
    """The links, assets, forms and language of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.assets, self.forms, self.lang = [], [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            is_asset = "stylesheet" in rel or "icon" in rel or "preload" in rel
            (self.assets if is_asset else self.links).append(a["href"])
        elif tag in {"script", "img", "source", "iframe", "audio", "video"} and a.get("src"):
            self.assets.append(a["src"])
        if tag in {"img", "source"} and a.get("srcset"):
            self.assets += [part.strip().split(" ")[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "fields": {}, "types": {}})
        elif tag in {"input", "button", "textarea", "select"} and self.forms and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value") or "")
            self.forms[-1]["types"][a["name"]] = kind


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.msg
        self.body = raw.read()

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def html(self) -> bool:
        return self.header("Content-Type").startswith("text/html")

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One visitor: its cookies, the proxy's header when asked, never a redirect followed on its own."""

    def __init__(self, base: str, https_proxy: bool):
        parts = urlsplit(base)
        self.tls = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port or (443 if self.tls else 80)
        self.origin = f"{'https' if https_proxy or self.tls else 'http'}://{parts.netloc}"
        self.https_proxy = https_proxy
        self.secure = https_proxy or self.tls  # what the application sees: HTTPS
        self.cookies: dict[str, str] = {}
        self.set_cookies: dict[str, object] = {}  # the last Set-Cookie of each name, attributes included

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                proxy: bool | None = None) -> Response:
        sent = {"Accept": "text/html,*/*", **(headers or {})}
        if self.https_proxy if proxy is None else proxy:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                         "Referer": self.origin + path})
        kind = http.client.HTTPSConnection if self.tls else http.client.HTTPConnection
        connection = kind(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = Response(connection.getresponse())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.set_cookies[name] = morsel
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)


class Crawl:
    def __init__(self, client: Client, media_root: str | None, verbose: bool = False):
        self.client = client
        self.verbose = verbose
        self.media_root = media_root
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.assets_seen: set[str] = set()
        self.counts = {"pages": 0, "static": 0, "media": 0}

    def fail(self, message: str):
        self.failures.append(message)
        print(f"FAIL {message}", flush=True)

    def local_path(self, url: str, base: str) -> str | None:
        """The path and query of URL (relative to BASE) on this site, or None for another site or scheme."""
        url = urldefrag(urljoin(base, url.strip()))[0]
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return None
        port = parts.port or {"http": 80, "https": 443}[parts.scheme]
        if parts.hostname != self.client.host or port != self.client.port:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def asset(self, path: str, referrer: str):
        if path in self.assets_seen:
            return
        self.assets_seen.add(path)
        if path.startswith("/media/"):
            self.counts["media"] += 1
            if self.media_root:
                if not (Path(self.media_root) / path.removeprefix("/media/").split("?")[0]).is_file():
                    self.fail(f"{path} (named by {referrer}): no such media file")
            return
        response = self.client.get(path)
        if not path.startswith("/static/"):
            if response.status >= 400:
                self.fail(f"{path} (named by {referrer}): {response.status}")
            return
        self.counts["static"] += 1
        if response.status != 200:
            self.fail(f"{path} (named by {referrer}): {response.status}")
            return
        if not HASHED.search(path):
            self.fail(f"{path} (named by {referrer}): not a hashed name (collectstatic's manifest unused?)")
        cache = re.search(r"max-age=(\d+)", response.header("Cache-Control"))
        if not cache or int(cache.group(1)) < ONE_YEAR:
            self.fail(f"{path}: Cache-Control {response.header('Cache-Control')!r}, expected a year or more")
        if path.split("?")[0].endswith(".css"):
            for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text()):
                local = self.local_path(target, self.client.origin + path)
                if local and not target.startswith("data:"):
                    self.asset(local, path)

    def pages(self, seeds: list[str], allowed, limit: int) -> int:
        """Breadth first from SEEDS over the paths ALLOWED accepts; returns how many pages were fetched.

        A page of a kind not met yet goes before another of a kind already met, so that the limit cuts the
        130 communes' look-alike pages rather than the kinds of page. A kind is the path with its numbers and its
        first segment (the organisation, in `/<org_slug>/...`) left out; at most PER_PATTERN pages that differ
        only by numbers are fetched."""
        fresh = deque((seed, "(start)") for seed in seeds)
        again: deque = deque()
        seen, kinds = set(seeds), set()
        patterns: dict[str, int] = {}
        fetched = 0
        while (fresh or again) and fetched < limit:
            path, referrer = (fresh or again).popleft()
            began = time.monotonic()
            response = self.client.get(path)
            fetched += 1
            if self.verbose:
                print(f"{response.status} {1000 * (time.monotonic() - began):5.0f} ms {path}", flush=True)
            where = f"{path} (from {referrer})"
            if response.status >= 500:
                self.fail(f"{where}: {response.status}")
                continue
            if 300 <= response.status < 400:
                location = response.header("Location")
                target = self.local_path(location, self.client.origin + path)
                if location.startswith("https://") and not self.client.secure:
                    self.fail(f"{where}: redirected to HTTPS ({location})")
                links = [target] if target else []
            elif response.status == 404:
                self.fail(f"{where}: 404, a broken link")
                continue
            elif response.status >= 400:
                self.notes.append(f"{where}: {response.status}")
                continue
            elif response.html:
                page = Parsed()
                page.feed(response.text())
                if page.lang not in {"fr", "en"}:
                    self.fail(f"{where}: <html lang={page.lang!r}>")
                for src in page.assets:
                    local = self.local_path(src, self.client.origin + path)
                    if local:
                        self.asset(local, path)
                links = [self.local_path(href, self.client.origin + path) for href in page.links]
            else:
                links = []
            for link in links:
                if not link or link in seen:
                    continue
                seen.add(link)
                if link.startswith(("/static/", "/media/")):
                    self.asset(link, path)
                    continue
                if SKIPPED.search(link) or not allowed(link):
                    continue
                pattern = re.sub(r"\d+", "N", link.split("?")[0]) + "?" + ",".join(
                    sorted({k for k, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}))
                patterns[pattern] = patterns.get(pattern, 0) + 1
                if patterns[pattern] > PER_PATTERN:
                    continue
                kind = re.sub(r"^/[^/]+", "/*", pattern)
                (again if kind in kinds else fresh).append((link, path))
                kinds.add(kind)
        if fresh or again:
            self.notes.append(f"page limit {limit} reached, {len(fresh) + len(again)} pages left in the queue "
                              f"({len(fresh)} of a kind not met yet)")
        self.counts["pages"] += fetched
        return fetched


def form_with(page: Parsed, field: str) -> dict | None:
    return next((form for form in page.forms if form["method"] == "post" and field in form["types"]), None)


def sign_in(crawl: Crawl, email: str, password: str, totp_secret: str) -> bool:
    client = crawl.client
    login_page = client.get("/compte/login/")
    page = Parsed()
    page.feed(login_page.text())
    form = next((f for f in page.forms if "password" in f["types"].values()), None)
    if login_page.status != 200 or form is None:
        crawl.fail(f"/compte/login/: {login_page.status}, no form with a password field")
        return False
    login_field = next(n for n, kind in form["types"].items() if kind in {"email", "text"})
    password_field = next(n for n, kind in form["types"].items() if kind == "password")
    action = crawl.local_path(form["action"] or "/compte/login/", client.origin + "/compte/login/")
    response = client.request("POST", action, {**form["fields"], login_field: email, password_field: password})
    if response.status != 302:
        crawl.fail(f"signing in as {email}: {response.status} (wrong password?)")
        return False
    step = crawl.local_path(response.header("Location"), client.origin + action)
    second = client.get(step)
    page = Parsed()
    page.feed(second.text())
    form = form_with(page, "code")
    if form is None:
        crawl.fail(f"signing in as {email}: {step} asks for no authenticator code ({second.status})")
        return False
    if 30 - time.time() % 30 < 5:  # a code about to expire could be refused on arrival
        time.sleep(30 - time.time() % 30 + 0.2)
    action = crawl.local_path(form["action"] or step, client.origin + step)
    response = client.request("POST", action, {**form["fields"], "code": totp(totp_secret, time.time())})
    if response.status != 302:
        crawl.fail(f"signing in as {email}: the authenticator code was refused ({response.status})")
        return False
    print(f"signed in as {email}, sent to {response.header('Location')}", flush=True)
    return True


def check_cookie(crawl: Crawl, name: str, httponly: bool):
    morsel = crawl.client.set_cookies.get(name)
    if morsel is None:
        crawl.fail(f"cookie {name}: never set")
        return
    if crawl.client.secure and not morsel["secure"]:
        crawl.fail(f"cookie {name}: not Secure")
    if httponly and not morsel["httponly"]:
        crawl.fail(f"cookie {name}: not HttpOnly")
    if morsel["samesite"].lower() not in {"lax", "strict"}:
        crawl.fail(f"cookie {name}: SameSite={morsel['samesite']!r}")


def check_headers(crawl: Crawl, hsts: str | None):
    response = crawl.client.get("/")
    headers = {name: response.header(name) for name in ("Strict-Transport-Security", "X-Content-Type-Options",
                                                        "Referrer-Policy", "X-Frame-Options",
                                                        "Content-Security-Policy")}
    if hsts is not None and headers["Strict-Transport-Security"] != hsts:
        crawl.fail(f"Strict-Transport-Security: {headers['Strict-Transport-Security']!r}, expected {hsts!r}")
    if headers["X-Content-Type-Options"] != "nosniff":
        crawl.fail(f"X-Content-Type-Options: {headers['X-Content-Type-Options']!r}")
    if headers["Referrer-Policy"] not in {"same-origin", "strict-origin", "strict-origin-when-cross-origin",
                                          "no-referrer"}:
        crawl.fail(f"Referrer-Policy: {headers['Referrer-Policy']!r}")
    if headers["X-Frame-Options"] not in {"DENY", "SAMEORIGIN"} and "frame-ancestors" not in headers[
            "Content-Security-Policy"]:
        crawl.fail("neither X-Frame-Options nor a CSP frame-ancestors")
    if crawl.client.https_proxy:
        plain = crawl.client.get("/communes/?q=sceaux", proxy=False)
        expected = f"https://{crawl.client.host}:{crawl.client.port}/communes/?q=sceaux"
        if plain.status != 301 or plain.header("Location") != expected:
            crawl.fail(f"plain HTTP: {plain.status} {plain.header('Location')!r}, expected a 301 to {expected}")
    print("headers: " + "; ".join(f"{k}: {v}" for k, v in headers.items() if v), flush=True)


def check_not_found(crawl: Crawl):
    for language, lang, words in (("fr", "fr", "Page introuvable"), ("en", "en", "Page not found")):
        response = crawl.client.get("/une-page-qui-n-existe-pas-x7/", headers={"Accept-Language": language})
        page = Parsed()
        page.feed(response.text())
        if response.status != 404 or page.lang != lang or words not in response.text():
            crawl.fail(f"404 page ({language}): {response.status}, lang={page.lang!r}, {words!r} "
                       f"{'present' if words in response.text() else 'missing'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the site's address, e.g. http://127.0.0.1:8123")
    parser.add_argument("--agent", help="the agent's email (back-office crawl)")
    parser.add_argument("--password")
    parser.add_argument("--totp-secret", help="the agent's TOTP secret (base32)")
    parser.add_argument("--https-proxy", action="store_true", help="send X-Forwarded-Proto: https, as the proxy")
    parser.add_argument("--hsts", help="the Strict-Transport-Security value expected on HTTPS pages")
    parser.add_argument("--media-root", help="where uploaded files are (the proxy serves them, not the app)")
    parser.add_argument("--max-pages", type=int, default=400, help="per crawl (public, back-office)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every page fetched")
    options = parser.parse_args()
    started = time.monotonic()

    visitor = Crawl(Client(options.base, options.https_proxy), options.media_root, options.verbose)
    check_headers(visitor, options.hsts)
    check_not_found(visitor)
    public = visitor.pages(["/"], lambda path: not path.startswith(("/gestion/", "/compte/")), options.max_pages)
    print(f"public: {public} pages, {visitor.counts['static']} static files, {visitor.counts['media']} media",
          flush=True)
    visitor.client.get("/compte/login/")
    check_cookie(visitor, "csrftoken", httponly=False)
    crawls = [visitor]
    if options.agent:
        agent = Crawl(Client(options.base, options.https_proxy), options.media_root, options.verbose)
        agent.assets_seen = visitor.assets_seen
        crawls.append(agent)
        if sign_in(agent, options.agent, options.password, options.totp_secret):
            check_cookie(agent, "sessionid", httponly=True)
            backoffice = agent.pages(["/gestion/", "/compte/"],
                                     lambda path: path.startswith(("/gestion/", "/compte/")), options.max_pages)
            print(f"back-office of {options.agent}: {backoffice} pages", flush=True)
            if backoffice < 5:
                agent.fail(f"only {backoffice} back-office pages reached: was the agent really let in?")

    failures = [f for crawl in crawls for f in crawl.failures]
    for note in (n for crawl in crawls for n in crawl.notes):
        print(f"note: {note}")
    print(f"{len(failures)} failure(s) in {time.monotonic() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

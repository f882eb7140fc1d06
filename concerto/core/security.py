"""The browser's own defences, sent with every response: a Content-Security-Policy and a Permissions-Policy.

The policy allows no inline code: scripts and styles come from the site's static files. The one inline
style left (the organisation's accent colour, a `<style>` in base.html) carries the request's nonce,
`{{ request.csp_nonce }}`; the nonce is drawn only when a template asks for it, and only then named in the
header. Data for scripts goes through `json_script` (a `type="application/json"` block is never run).

Sources beyond the site itself come from settings: the map tiles' server (`CONCERTO_MAP_TILES_URL`) is added
to `img-src`, and `CONCERTO_CSP_EXTRA` adds sources per directive ("img-src https://a.example; connect-src
https://b.example"). `CONCERTO_CSP_REPORT_URI` makes browsers report what the policy blocked.
"""

import secrets
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.functional import SimpleLazyObject

# The directives of the policy, in the order sent, with the sources every installation needs.
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
}
# Directives that take the nonce when a page used it. No inline script is left, so scripts get none: a
# `<script nonce>` would be blocked, and the browser tests would say so.
NONCE_DIRECTIVES = ("style-src",)
# Sources that would undo the policy: refused in CONCERTO_CSP_EXTRA.
UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"}
REPORT_GROUP = "csp-endpoint"

# Every feature the product does not use is denied; the position is for "use my position" on the maps. A page
# that needs one more asks for it with @permissions_allow (the door's check-in page reads QR codes: "camera").
# Passkeys (publickey-credentials-*) would need "(self)" if allauth's WebAuthn were turned on.
PERMISSIONS = {
    "accelerometer": "()", "autoplay": "()", "browsing-topics": "()", "camera": "()", "clipboard-read": "()",
    "display-capture": "()", "encrypted-media": "()", "fullscreen": "(self)", "gamepad": "()",
    "geolocation": "(self)", "gyroscope": "()", "hid": "()", "idle-detection": "()", "local-fonts": "()",
    "magnetometer": "()", "microphone": "()", "midi": "()", "otp-credentials": "()", "payment": "()",
    "picture-in-picture": "()", "publickey-credentials-create": "()", "publickey-credentials-get": "()",
    "screen-wake-lock": "()", "serial": "()", "usb": "()", "window-management": "()",
    "xr-spatial-tracking": "()",
}


def permissions_policy(*allowed: str) -> str:
    """The Permissions-Policy header, with the features ALLOWED granted to the site itself."""
    unknown = set(allowed) - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown Permissions-Policy features: {', '.join(sorted(unknown))}")
    return ", ".join(f"{name}={'(self)' if name in allowed else value}" for name, value in PERMISSIONS.items())


PERMISSIONS_POLICY = permissions_policy()


def permissions_allow(*features: str):
    """A view's decorator: its pages may use FEATURES ("camera"), which every other page denies."""
    header = permissions_policy(*features)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Permissions-Policy"] = header
            return response

        return wrapped

    return decorator


def csp_extra_parse(text: str) -> dict[str, list[str]]:
    """'img-src https://a.example https://b.example; connect-src https://c.example' as a dict of sources.
    Raises ValueError, in words an operator understands, for an unknown directive or an unsafe source."""
    extra: dict[str, list[str]] = {}
    for part in (text or "").split(";"):
        words = part.split()
        if not words:
            continue
        directive, sources = words[0].lower(), words[1:]
        if directive not in BASE_POLICY:
            raise ValueError(f"CONCERTO_CSP_EXTRA: unknown directive {directive!r} "
                             f"(one of: {', '.join(BASE_POLICY)})")
        unsafe = [source for source in sources if source.lower() in UNSAFE_SOURCES]
        if unsafe:
            raise ValueError(f"CONCERTO_CSP_EXTRA: {' '.join(unsafe)} in {directive} would undo the policy")
        extra.setdefault(directive, []).extend(sources)
    return extra


def origin_of(url: str) -> str:
    """The scheme and host of URL ('https://tiles.example.org' for a tiles template), '' if it has none."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


@lru_cache(maxsize=8)
def _policy(tiles_url: str, extra_text: str, report_uri: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    tiles_origin = origin_of(tiles_url)
    if tiles_origin:
        policy["img-src"].append(tiles_origin)
    for directive, sources in csp_extra_parse(extra_text).items():
        policy[directive] = [source for source in policy[directive] if source != "'none'"] + sources
    if report_uri:
        policy["report-uri"] = [report_uri]
        policy["report-to"] = [REPORT_GROUP]
    return tuple((directive, tuple(dict.fromkeys(sources))) for directive, sources in policy.items())


def content_security_policy(nonce: str | None = None) -> str:
    """The header's value under the current settings, with NONCE for styles when given."""
    policy = _policy(settings.CONCERTO_MAP_TILES_URL, settings.CONCERTO_CSP_EXTRA, settings.CONCERTO_CSP_REPORT_URI)
    parts = []
    for directive, sources in policy:
        if nonce and directive in NONCE_DIRECTIVES:
            sources = (*sources, f"'nonce-{nonce}'")
        parts.append(" ".join((directive, *sources)))
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Sends the Content-Security-Policy and the Permissions-Policy with every response of the application
    (DEBUG on or off), and offers `request.csp_nonce` to the templates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        drawn = []

        def draw() -> str:
            drawn.append(secrets.token_urlsafe(18))
            return drawn[0]

        request.csp_nonce = SimpleLazyObject(draw)
        response = self.get_response(request)
        policy_headers_add(response, drawn[0] if drawn else None)
        return response


def policy_headers_add(response, nonce: str | None = None) -> None:
    """The Content-Security-Policy, Reporting-Endpoints and Permissions-Policy headers, on one response. The
    middleware calls it for every response; code that answers outside Django's middleware (the budgets' ballot
    fast lane) calls it too, so that both answers carry the same policy."""
    # A view may send its own, stricter policy; never overwrite it.
    if "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = content_security_policy(nonce)
    if settings.CONCERTO_CSP_REPORT_URI and "Reporting-Endpoints" not in response:
        response["Reporting-Endpoints"] = f'{REPORT_GROUP}="{settings.CONCERTO_CSP_REPORT_URI}"'
    response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)


@register(Tags.security)
def check_csp_extra(app_configs, **kwargs):
    """An operator's CONCERTO_CSP_EXTRA that cannot be read, or that would undo the policy, stops the start."""
    try:
        csp_extra_parse(settings.CONCERTO_CSP_EXTRA)
    except ValueError as error:
        return [Error(str(error), id="concerto.E101")]
    if any(char in settings.CONCERTO_CSP_REPORT_URI for char in ';," '):
        return [Error("CONCERTO_CSP_REPORT_URI: one address, without ';', ',', '\"' or spaces",
                      id="concerto.E102")]
    return []

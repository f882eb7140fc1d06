"""The Content-Security-Policy in Chromium: the headers a page gets, htmx working under them, and the watch
of the browser fixture (conftest.CspWatch) failing a test whose page breaks the policy."""

import re

import pytest
from playwright.sync_api import expect

from concerto.testing import commune


def test_a_page_comes_with_the_policy_and_htmx_still_works_under_it(page, site):
    sceaux = commune("sceaux")
    sceaux.accent_color = "#7a1f5c"
    sceaux.save()
    response = page.goto(site.url + "/sceaux/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for directive in ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'",
                      "base-uri 'self'", "connect-src 'self'", "img-src 'self' data:"]:
        assert directive in policy
    assert "geolocation=(self)" in response.headers["permissions-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    # The nonce'd style applies: the commune's colour is the page's accent.
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    assert accent == "#7a1f5c"
    # htmx without eval nor its own <style>: the commune search answers while one types.
    page.goto(site.url + "/")
    page.get_by_label("Votre commune").press_sequentially("92330")
    expect(page.locator("#search-results").get_by_role("link", name="Sceaux")).to_be_visible()
    assert page.evaluate("document.querySelectorAll('head style').length") == 0


def test_inline_code_slipped_into_a_page_is_blocked_and_fails_the_test(page, site, csp_watch):
    # The real home page with its real headers, its HTML changed on the way (in this test only).
    def inject(route):
        response = route.fetch()
        body = response.text().replace(
            "</main>", '<script>document.title = "piraté"</script><p style="color: red">rouge</p></main>')
        route.fulfill(response=response, body=body)

    page.route(site.url + "/", inject)
    page.goto(site.url + "/")
    assert page.title() != "piraté"  # the policy blocked the script
    red = page.get_by_text("rouge", exact=True)
    expect(red).to_be_visible()
    assert red.evaluate("(element) => getComputedStyle(element).color") != "rgb(255, 0, 0)"  # and the style
    with pytest.raises(AssertionError) as failure:
        csp_watch.check()
    message = str(failure.value)
    assert "Content-Security-Policy violations" in message
    assert re.search(re.escape(site.url) + r"/: script-src-elem blocked inline", message), message
    assert re.search(re.escape(site.url) + r"/: style-src-attr blocked inline", message), message
    # check() took the violations it reported: the rest of this test runs clean.
    page.unroute(site.url + "/")
    page.goto(site.url + "/")

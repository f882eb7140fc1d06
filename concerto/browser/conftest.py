"""Browser tests: Playwright for Python driving Debian's Chromium against a live server, axe on each page."""

import os
import re
import shutil

import pytest
from django.core.management import call_command

# What Chromium says when a navigation replaces the document while a script reads it.
_NAVIGATED = re.compile(r"documentElement|Execution context was destroyed|navigat", re.IGNORECASE)

CHROMIUM = os.environ.get("CONCERTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--lang=fr", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "concerto/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


# Every document of every browser context reports what the Content-Security-Policy blocked to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__concertoCspViolation({
    page: event.documentURI, blocked: event.blockedURI, directive: event.effectiveDirective,
    source: event.sourceFile ? event.sourceFile + ":" + event.lineNumber : "", sample: event.sample || ""
  });
}, true);
"""


class CspWatch:
    """The Content-Security-Policy violations seen by one test, in every browser context it opens, from the
    `securitypolicyviolation` event of each document. (Chromium's "Refused to ..." lines are log entries,
    not console calls: Playwright's "console" event never sees them.)"""

    def __init__(self):
        self.violations = []
        self.contexts = []

    def attach(self, context):
        self.contexts.append(context)
        context.expose_binding("__concertoCspViolation", lambda source, violation: self.violations.append(
            f"{violation['page']}: {violation['directive']} blocked {violation['blocked'] or '?'}"
            f"{' at ' + violation['source'] if violation['source'] else ''}"
            f"{' (' + violation['sample'] + ')' if violation['sample'] else ''}"))
        context.add_init_script(CSP_LISTENER)
        close = context.close

        def close_after_flush(*args, **kwargs):
            self.flush(context)
            return close(*args, **kwargs)

        context.close = close_after_flush

    def flush(self, context=None):
        """Let the reports still on their way from the pages' documents arrive (one round trip each)."""
        from playwright.sync_api import Error as PlaywrightError

        for each in [context] if context else self.contexts:
            for open_page in each.pages:
                try:
                    open_page.evaluate("0")
                except PlaywrightError:
                    pass  # closed or navigating: nothing more will come from that document

    def check(self):
        """Fail, naming each page and what was blocked there, if the policy blocked anything since last time."""
        self.flush()
        violations, self.violations = self.violations, []
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations))


@pytest.fixture(autouse=True)
def csp_watch(request):
    """Watches every browser context the test opens (`browser.new_context`, the `page` fixture's included);
    a test that met a CSP violation fails (pytest_runtest_call below), as do late ones at teardown."""
    watch = CspWatch()
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    if browser is not None:
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            watch.attach(context)
            return context

        browser.new_context = watched_context
    yield watch
    if browser is not None:
        del browser.new_context
    watch.check()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    watch = getattr(item, "funcargs", {}).get("csp_watch")
    if watch is not None:
        watch.check()
    return result


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CONCERTO_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; Django must allow its ORM here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # `expect(...)` waits for what a page will show; give it the pages' own timeout on a loaded machine.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server):
    """The live server with the organisations tree loaded (its database is emptied after each test)."""
    call_command("load_organisations", verbosity=0)
    return live_server


@pytest.fixture
def page(browser, site):
    """A phone-sized page (360 px wide) in French, failing the test on any request to another host."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR")
    outside_requests = []

    def guard(route):
        url = route.request.url
        if url.startswith(site.url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            outside_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not outside_requests, f"Third-party requests were made: {outside_requests}"


@pytest.fixture
def axe_check():
    """`axe_check(page)` fails the test with axe's report if the page has any accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        from playwright.sync_api import Error as PlaywrightError

        # A click that navigates returns before the next page has loaded: let it finish first,
        # and run again if a late navigation still replaced the document under axe.
        page.wait_for_load_state("load")
        try:
            results = axe.run(page)
        except PlaywrightError as error:
            if not _NAVIGATED.search(str(error)):
                raise
            page.wait_for_load_state("load")
            results = axe.run(page)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        # A phone-first page never scrolls sideways at 360 px.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{page.url} scrolls horizontally at {page.viewport_size['width']} px"

    return check

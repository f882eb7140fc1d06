"""What browser tests share besides fixtures: signing in. (Fixtures live in conftest.py; import this module,
never conftest, from a test file.)"""

from django.urls import reverse

from concerto.testing import PASSWORD, fresh_totp_code


def log_in(page, site, email: str, *, totp: bool = False) -> None:
    """Sign EMAIL in on PAGE with the test password, as a person would (by the French labels of the fields and
    the button), then, for staff (TOTP), with a fresh second-factor code. Fails at once, with the address
    reached, when the sign-in does not go through."""
    page.goto(site.url + reverse("account_login"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if totp:
        assert "/2fa/authenticate/" in page.url, page.url
        page.locator("input[name=code]").fill(fresh_totp_code())
        with page.expect_navigation():
            page.locator("main form:has(input[name=code]) button[type=submit]").first.click()
    assert "/compte/login/" not in page.url and "/2fa/authenticate/" not in page.url, page.url

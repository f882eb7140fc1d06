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


def address_search(page, query: str = "rue houdan", *, found: int = 3):
    """Type QUERY in the « Adresse » combobox of PAGE's map widget, as a person would; checks that the list of
    addresses opens with FOUND options (closed before, `aria-expanded` after) and returns (combobox, listbox)."""
    from playwright.sync_api import expect

    combobox = page.get_by_role("combobox", name="Adresse")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    combobox.fill(query)
    listbox = page.get_by_role("listbox", name="Adresses trouvées")
    expect(listbox.get_by_role("option")).to_have_count(found)
    expect(combobox).to_have_attribute("aria-expanded", "true")
    return combobox, listbox


def expect_address_chosen(page, address: str = "12 Rue Houdan 92330 Sceaux", latitude: str = "48.77803") -> None:
    """The map widget of PAGE shows ADDRESS as chosen: in the combobox, its point's latitude, and the status
    line that screen readers hear."""
    from playwright.sync_api import expect

    expect(page.get_by_role("combobox", name="Adresse")).to_have_value(address)
    expect(page.get_by_label("Latitude")).to_have_value(latitude)
    expect(page.locator(".point-widget__status")).to_have_text(f"Adresse choisie\u00a0: {address}.")

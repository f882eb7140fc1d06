"""Quick polls on a phone (360 px): a resident answers in one tap from the commune's page (htmx swaps the card),
sees the results as a chart and a table; a poll that asks why takes the form; an agent reads the results with
their channels. axe on every step."""

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.polls import services
from concerto.components.polls.models import Answer
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona


def _setup():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    persona("resident@example.org", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parole", title="La parole aux habitants")
    component = ComponentFactory(space=space, kind="polls", title="Sondages express", published=True)
    poll = services.poll_create(actor=agent, component=component, question="Un marché le dimanche ?",
                                choices=["Oui", "Non", "Sans avis"], publish=True)
    why_poll = services.poll_create(actor=agent, component=component, question="Quels jeux pour le parc ?",
                                    choices=["Toboggan", "Balançoires"], multiple=True, why="optional",
                                    publish=True)
    return poll, why_poll


def test_a_resident_answers_in_one_tap_from_the_commune_page_and_sees_the_results(page, site, axe_check):
    poll, why_poll = _setup()
    log_in(page, site, "resident@example.org")
    page.goto(site.url + "/sceaux/")
    expect(page.get_by_role("heading", name="Sondages express")).to_be_visible()
    axe_check(page)
    card = page.locator(f"#sondage-{poll.pk}")
    card.get_by_role("button", name="Oui").click()
    expect(card.get_by_text("Merci : votre réponse est enregistrée.")).to_be_visible()
    expect(page.locator(f"#sondage-{poll.pk}").get_by_text("Vous avez répondu à ce sondage.")).to_be_visible()
    expect(page.locator(f"#sondage-{poll.pk} svg.chart")).to_have_count(1)
    axe_check(page)
    page.locator(f"#sondage-{poll.pk} summary").click()
    expect(page.locator(f"#sondage-{poll.pk} table")).to_contain_text("Oui")
    axe_check(page)
    assert Answer.objects.get(poll=poll).channel == "web"

    page.goto(site.url + why_poll.get_absolute_url())
    axe_check(page)
    page.get_by_label("Toboggan").check()
    page.get_by_label("Pourquoi ?").fill("x" * 1001)
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("1\u202f001 caractères", exact=False).first).to_be_visible()
    axe_check(page)
    page.get_by_label("Pourquoi ?").fill("Pour les petits.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Merci : votre réponse est enregistrée.")).to_be_visible()
    axe_check(page)
    assert Answer.objects.get(poll=why_poll).why == "Pour les petits."


def test_an_agent_reads_the_results_with_their_channels(page, site, axe_check):
    poll, _why_poll = _setup()
    from concerto.core.accounts.models import User

    resident = User.objects.get(email="resident@example.org")
    services.poll_answer(poll=poll, user=resident, choices=[poll.choices.first().pk], channel="chatbot")
    for path in (poll.component.get_absolute_url(), "/sceaux/sondages/"):
        page.goto(site.url + path)
        expect(page.get_by_text("Un marché le dimanche ?").first).to_be_visible()
        axe_check(page)
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(site.url + poll.component.get_backoffice_url())
    axe_check(page)
    page.get_by_role("link", name="Résultats").first.click()
    expect(page.get_by_role("heading", name="Réponses par canal")).to_be_visible()
    axe_check(page)
    page.goto(site.url + poll.component.get_backoffice_url() + "nouveau/")
    page.get_by_role("button", name="Publier le sondage").click()
    expect(page.get_by_text("Écrivez la question.").first).to_be_visible()
    axe_check(page)

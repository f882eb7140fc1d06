"""Opinion debates on a phone (360 px): an anonymous visitor votes on three statements with htmx and without
JavaScript, writes a statement, and opens the results page with its map and table; while writing, similar
statements show up (htmx, or the check button without JavaScript) with a link to vote on them. axe on every step
that runs JavaScript."""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.testing import ComponentFactory, SpaceFactory, commune

TEXTS = ("Piétonniser la rue Houdan le dimanche.", "Planter des arbres devant chaque école.",
         "Ouvrir les cours d’école le samedi.", "Créer une piste cyclable avenue de la gare.")


def _debate(groups: bool = False):
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, slug="centre-ville", title="Le centre-ville")
    component = ComponentFactory(space=space, kind="opinions", title="Débats", published=True)
    conversation = Conversation.objects.create(
        component=component, question="Comment rendre le centre-ville plus agréable ?", published_at=timezone.now(),
        audience=Conversation.Audience.ANYONE, opens_at=timezone.now() - timedelta(days=1))
    statements = [Statement.objects.create(conversation=conversation, text=text, status="accepted", seed=True)
                  for text in TEXTS]
    if groups:
        rng = random.Random(5)
        more = [Statement.objects.create(conversation=conversation, text=f"Affirmation numéro {n}", status="accepted")
                for n in range(4)]
        Vote.objects.bulk_create(
            Vote(statement=statement, participant=f"p{n}", value=(1 if n % 2 == i % 2 else -1)
                 if rng.random() > 0.1 else 0)
            for n in range(30) for i, statement in enumerate(statements + more))
        services.recompute_groups(conversation)
    return conversation


def _vote_three(page, conversation):
    for left in (4, 3, 2):
        expect(page.locator("#vote")).to_contain_text(f"Encore {left} affirmations")
        page.locator("#vote").get_by_role("button", name="D’accord", exact=True).click()
        # With htmx in the swapped card, without JavaScript at the top of the page that comes back.
        expect(page.get_by_text("Votre vote est enregistré.").first).to_be_visible()


def test_an_anonymous_visitor_votes_writes_and_reads_the_results(page, site, axe_check):
    conversation = _debate()
    page.goto(site.url + conversation.get_absolute_url())
    expect(page.get_by_role("heading", name="Comment rendre le centre-ville plus agréable ?")).to_be_visible()
    axe_check(page)
    _vote_three(page, conversation)
    axe_check(page)
    assert Vote.objects.count() == 3 and Vote.objects.values("participant").distinct().count() == 1
    page.get_by_label("Votre affirmation").fill("x" * 300)
    page.get_by_role("button", name="Envoyer mon affirmation").click()
    expect(page.get_by_text("la vôtre en a 300").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Votre affirmation").fill("Des bancs à l’ombre sur la place.")
    page.get_by_role("button", name="Envoyer mon affirmation").click()
    expect(page.get_by_text("une fois relue par les modérateurs").first).to_be_visible()
    page.get_by_role("link", name="Voir les résultats").first.click()
    expect(page.get_by_role("heading", name="Les votes sur chaque affirmation")).to_be_visible()
    axe_check(page)


@contextmanager
def _without_javascript(browser, site, conversation):
    """A phone's page (360 px) on CONVERSATION with JavaScript off."""
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport={"width": 360, "height": 780})
    page = context.new_page()
    try:
        page.goto(site.url + conversation.get_absolute_url())
        yield page
    finally:
        context.close()


def test_voting_without_javascript(browser, site):
    conversation = _debate()
    with _without_javascript(browser, site, conversation) as page:
        _vote_three(page, conversation)
        expect(page.get_by_role("heading", name="Vos votes")).to_be_visible()
    assert Vote.objects.count() == 3


def test_the_results_page_shows_the_map_and_its_table(page, site, axe_check):
    conversation = _debate(groups=True)
    page.goto(site.url + conversation.get_results_url())
    expect(page.get_by_role("img", name="Carte des opinions", exact=False)).to_be_visible()
    table = page.get_by_role("table", name="Les groupes (la carte sous forme de tableau)")
    expect(table).to_contain_text("Groupe A")
    expect(table).to_contain_text("Groupe B")
    axe_check(page)
    page.get_by_text("Afficher le tableau").click()
    expect(page.get_by_role("table").last).to_contain_text("Piétonniser")
    axe_check(page)


def test_while_writing_similar_statements_come_with_a_way_to_vote_on_them(page, site, axe_check):
    conversation = _debate()
    page.goto(site.url + conversation.get_absolute_url() + "#proposer")
    page.get_by_label("Votre affirmation").press_sequentially("Il faudrait des arbres devant les écoles")
    region = page.locator("#similar-statements")
    expect(region).to_contain_text("Affirmations semblables déjà dans le débat")
    expect(region).to_contain_text(TEXTS[1])
    expect(region).not_to_contain_text(TEXTS[0])
    axe_check(page)
    # Sent anyway as it stands: near enough to be asked for a confirmation.
    page.get_by_label("Votre affirmation").fill("Planter des arbres devant les écoles de la ville.")
    page.get_by_role("button", name="Envoyer mon affirmation").click()
    expect(page.get_by_text("ressemble à des affirmations déjà dans le débat").first).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer la mienne quand même")).to_be_visible()
    axe_check(page)
    # Voting on the existing one instead: the link puts it on the voting card.
    page.locator("#similar-statements").get_by_role("link", name="Voter sur cette affirmation").first.click()
    expect(page.locator("#vote")).to_contain_text(TEXTS[1])
    page.locator("#vote").get_by_role("button", name="D’accord", exact=True).click()
    expect(page.get_by_text("Votre vote est enregistré.").first).to_be_visible()
    assert Vote.objects.get().statement.text == TEXTS[1]
    assert Statement.objects.count() == len(TEXTS)


def test_checking_for_similar_statements_without_javascript(browser, site):
    # No axe here: it runs in the page's JavaScript (the pages are the same, checked in the test above).
    with _without_javascript(browser, site, _debate()) as page:
        page.get_by_label("Votre affirmation").fill("Une piste pour les vélos avenue de la gare")
        page.get_by_role("button", name="Chercher des affirmations semblables").click()
        expect(page.locator("#similar-statements")).to_contain_text(TEXTS[3])
        expect(page.get_by_label("Votre affirmation")).to_have_value("Une piste pour les vélos avenue de la gare")
    assert Statement.objects.count() == len(TEXTS)

"""A thread with stances, replies, votes and a hidden comment, in a 360 px French Chromium, checked by axe.

It uses the browser fixtures of concerto/browser (a live server, a page that fails on third-party
requests, axe); it runs with the other browser tests, at the end of the suite.
"""

import os

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.news import services as news
from concerto.components.news.models import Post
from concerto.core.participation import services as participation
from concerto.core.participation.models import Comment, CommentVote
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.fixture
def thread(monkeypatch):
    monkeypatch.setattr(Post, "comment_stances", True, raising=False)  # as a proposal's model says
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, title="Réaménagement du jardin", slug="jardin")
    StepFactory(space=space, title="Ateliers")
    component = ComponentFactory(space=space, kind="news", title="Actualités du jardin")
    writer = persona("auteur@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    post = news.post_create(author=writer, component=component, title="Premier atelier samedi",
                            body="Rendez-vous à la Ménagerie.", publish=True)
    neighbour = persona("voisin@example.org", display_name="Jean Voisin")
    other = persona("voisine@example.org", display_name="Inès Durand")
    moderator = persona("moderation@sceaux.example.org", role="moderator", organisation=sceaux, mfa=False)
    first = participation.comment_create(author=neighbour, target=post, body="Bonne idée, j'y serai.",
                                         stance="for")
    participation.comment_create(author=other, target=post, body="Pourquoi un samedi ?", parent=first)
    participation.comment_create(author=other, target=post, body="Trop de bruit pour le quartier.",
                                 stance="against")
    rude = participation.comment_create(author=other, target=post, body="Un commentaire insultant.")
    participation.comment_create(author=neighbour, target=post, body="Restons calmes.", parent=rude)
    participation.moderation_hide(moderator=moderator, content=rude, reason="Insultes")
    participation.comment_vote(user=other, comment=first, value=1)
    return {"post": post, "first": first}


def _screenshot(tab, name):
    """With CONCERTO_SCREENSHOTS=/some/dir, keep a full-page picture, as concerto/browser does."""
    if os.environ.get("CONCERTO_SCREENSHOTS"):
        os.makedirs(os.environ["CONCERTO_SCREENSHOTS"], exist_ok=True)
        tab.screenshot(path=os.path.join(os.environ["CONCERTO_SCREENSHOTS"], f"{name}.png"), full_page=True)


def test_a_thread_passes_axe_and_works_with_a_thumb(page, site, axe_check, thread):  # noqa: F811
    post, first = thread["post"], thread["first"]
    page.goto(site.url + post.get_absolute_url())
    expect(page.get_by_text("Positions exprimées : 1 pour · 1 contre")).to_be_visible()
    expect(page.get_by_text("Ce commentaire a été masqué par la modération.")).to_be_visible()
    expect(page.get_by_text("Restons calmes.")).to_be_visible()
    axe_check(page)

    persona("resident@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    log_in(page, site, "resident@example.org")
    page.goto(site.url + post.get_absolute_url())
    axe_check(page)

    # Agree with the first comment: HTMX swaps the buttons, the page does not reload.
    agree = page.locator(f"#vote-up-{first.pk}")
    expect(agree.get_attribute("aria-pressed") == "false" and agree).to_have_text("D’accord (1)")
    page.evaluate("window.notReloaded = true")
    agree.click()
    # (Not wait_for_function with an expression: Playwright would eval it, which the page's CSP forbids.)
    expect(page.locator(f"#vote-up-{first.pk}")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator(f"#vote-up-{first.pk}")).to_contain_text("D’accord (2)")
    assert CommentVote.objects.filter(comment=first, user__email="resident@example.org", value=1).exists()
    axe_check(page)
    _screenshot(page, "comments-voted")

    # Reply from the disclosure under the first comment.
    page.get_by_text("Répondre", exact=False).first.click()
    reply_box = page.locator(f"#id_reply_{first.pk}_body")
    expect(reply_box).to_be_visible()
    axe_check(page)
    _screenshot(page, "comments-reply-open")
    reply_box.fill("Samedi, c'est quand tout le monde est libre.")
    with page.expect_navigation():
        page.locator(f"form:has(#id_reply_{first.pk}_body) button[type=submit]").click()
    expect(page.get_by_text("Votre réponse est publiée.")).to_be_visible()
    assert Comment.objects.filter(parent=first, author__email="resident@example.org").exists()

    # A comment with a stance from the form at the bottom.
    page.locator("form.comments__new textarea").fill("Je viendrai avec mes enfants.")
    page.locator("form.comments__new label:has-text('Pour')").click()
    with page.expect_navigation():
        page.locator("form.comments__new button[type=submit]").click()
    expect(page.get_by_text("Positions exprimées : 2 pour · 1 contre")).to_be_visible()
    axe_check(page)

    # An empty comment: the error page passes axe too.
    with page.expect_navigation():
        page.locator("form.comments__new button[type=submit]").click()
    expect(page.get_by_text("Écrivez votre commentaire avant de l’envoyer.").first).to_be_visible()
    axe_check(page)


def test_comments_reserved_to_verified_residents_say_why_and_lead_to_the_verification(page, site, axe_check,
                                                                                        thread):
    post = thread["post"]
    component = post.component
    component.verified_actions = ["comment"]
    component.save()
    persona("habitante@example.org", display_name="Camille Martin", residence=commune("sceaux"))

    page.goto(site.url + post.get_absolute_url())
    expect(page.get_by_text("Connectez-vous, puis vérifiez votre résidence")).to_be_visible()
    axe_check(page)
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + post.get_absolute_url())
    expect(page.get_by_text("Seuls les habitants vérifiés de Sceaux peuvent le faire.")).to_be_visible()
    expect(page.get_by_role("button", name="Publier mon commentaire")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Vérifier ma résidence").click()
    page.wait_for_url("**/residence/sceaux/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vérifier")

"""Every page of the site passes axe and fits a 360 px phone, for each persona, with and without form errors.

Set CONCERTO_SCREENSHOTS=/some/dir to also save a full-page screenshot of each page checked.
"""

import os
import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.news import services as news
from concerto.core.participation import services as participation
from concerto.core.spaces.models import Space
from concerto.testing import (
    ComponentFactory,
    SpaceFactory,
    StepFactory,
    commune,
    persona,
)

SCREENSHOTS = os.environ.get("CONCERTO_SCREENSHOTS")


def check(page, axe_check, name: str) -> None:
    """Check the page that is showing: one visible h1, no axe violation, no sideways scroll."""
    assert page.locator("h1:visible").count() == 1, f"{page.url}: expected one h1"
    axe_check(page)
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def visit(page, site, axe_check, name: str, path: str, status: int = 200) -> None:
    response = page.goto(site.url + path)
    assert response.status == status, f"{path} answered {response.status}"
    check(page, axe_check, name)


def submit(page, form: str = "main form:has(button[type=submit])") -> None:
    """Send the first form of the page matching FORM and wait for the answer."""
    with page.expect_navigation():
        page.locator(form).first.locator("button[type=submit]").first.click()


def news_space():
    """A published space of Sceaux with a step, a news component, a published post with comments
    (one of them hidden by moderation, one reported) and a draft."""
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, title="Réaménagement du jardin de la Ménagerie",
                         slug="jardin-menagerie", status=Space.Status.PUBLISHED)
    step = StepFactory(space=space, title="Ateliers avec les habitants")
    component = ComponentFactory(space=space, kind="news", title="Actualités du projet")
    writer = persona("auteur@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    post = news.post_create(author=writer, component=component, title="Premier atelier le 12 juin",
                            summary="Venez dessiner le jardin avec nous.",
                            body="Rendez-vous à la Ménagerie.\n\nApportez vos idées.", publish=True)
    draft = news.post_create(author=writer, component=component, title="Compte rendu à venir", body="Bientôt.")
    neighbour = persona("voisin@example.org", display_name="Jean Voisin")
    kept = participation.comment_create(author=neighbour, target=post, body="Bonne idée, j'y serai.")
    participation.comment_create(author=neighbour, target=post, body="Un commentaire hors sujet.")
    hidden = participation.comment_create(author=neighbour, target=post, body="Un commentaire insultant.")
    moderator = persona("moderation@sceaux.example.org", role="moderator", organisation=sceaux, mfa=False)
    participation.moderation_report(reporter=moderator, content=kept, reason="off_topic",
                                    details="Sans rapport avec l'atelier.")
    participation.moderation_hide(moderator=moderator, content=hidden, reason="Propos insultants")
    return {"space": space, "step": step, "component": component, "post": post, "draft": draft,
            "comment": kept}


def test_public_pages_pass_axe_in_french_and_english(page, site, axe_check):
    data = news_space()
    space, component, post = data["space"], data["component"], data["post"]
    sceaux = space.organisation
    comment_type = ContentType.objects.get_for_model(data["comment"])

    visit(page, site, axe_check, "home", "/")
    visit(page, site, axe_check, "search-results", "/communes/?q=Sceaux")
    visit(page, site, axe_check, "search-postcode", "/communes/?q=92330")
    visit(page, site, axe_check, "search-nothing", "/communes/?q=Zzzz")
    visit(page, site, axe_check, "commune", f"/{sceaux.slug}/")
    visit(page, site, axe_check, "territory", f"/{sceaux.parent.slug}/")
    visit(page, site, axe_check, "metropole", f"/{sceaux.parent.parent.slug}/")
    visit(page, site, axe_check, "space", space.get_absolute_url())
    visit(page, site, axe_check, "news-list", component.get_absolute_url())
    visit(page, site, axe_check, "news-post", post.get_absolute_url())
    expect(page.get_by_text("Bonne idée, j'y serai.")).to_be_visible()
    visit(page, site, axe_check, "org-news", reverse("news_organisation:index", args=[sceaux.slug]))
    visit(page, site, axe_check, "not-found", "/commune-inconnue/", status=404)
    for slug in ["accessibilite", "mentions-legales", "donnees-personnelles", "contact", "plan-du-site"]:
        visit(page, site, axe_check, f"page-{slug}", f"/pages/{slug}/")
    # Anonymous people who want to report are sent to the sign-in page, which keeps where they were going.
    page.goto(site.url + reverse("participation:report", args=[comment_type.pk, data["comment"].pk]))
    assert "/compte/login/" in page.url

    page.goto(site.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    visit(page, site, axe_check, "en-space", space.get_absolute_url())
    visit(page, site, axe_check, "en-news-post", post.get_absolute_url())
    visit(page, site, axe_check, "en-login", reverse("account_login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your account")


def test_api_docs_pass_axe(page, site, axe_check):
    page.goto(site.url + "/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    check(page, axe_check, "api-docs")


def test_account_pages_pass_axe_with_and_without_errors(page, site, axe_check):
    persona("camille@example.org")

    visit(page, site, axe_check, "login", reverse("account_login"))
    page.locator("input[name=login]").fill("camille@example.org")
    page.locator("input[name=password]").fill("pas le bon mot de passe")
    submit(page)
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    check(page, axe_check, "login-wrong-password")

    visit(page, site, axe_check, "signup", reverse("account_signup"))
    page.locator("input[name=email]").fill("pas-une-adresse")
    page.locator("input[name=password1]").fill("court")
    page.locator("input[name=password2]").fill("autre")
    submit(page)
    check(page, axe_check, "signup-errors")

    visit(page, site, axe_check, "password-reset", reverse("account_reset_password"))
    page.locator("input[name=email]").fill("")
    submit(page)
    check(page, axe_check, "password-reset-errors")
    page.locator("input[name=email]").fill("camille@example.org")
    submit(page)
    check(page, axe_check, "password-reset-done")


def test_resident_pages_pass_axe(page, site, axe_check):
    data = news_space()
    post, comment = data["post"], data["comment"]
    resident = persona("resident@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    participation.notification_send(recipients=[resident], verb="news.published", title=post.title,
                                    body="Une nouvelle actualité.", url=post.get_absolute_url())
    log_in(page, site, resident.email)

    visit(page, site, axe_check, "profile", reverse("accounts:profile"))
    page.locator("input[name=demographics_consent]").check()
    page.locator("input[name=birth_year]").fill("1850")
    submit(page)
    expect(page.get_by_text(re.compile("entre 1900 et")).first).to_be_visible()
    check(page, axe_check, "profile-bad-year")
    visit(page, site, axe_check, "data", reverse("accounts:data_export"))
    visit(page, site, axe_check, "delete", reverse("accounts:delete"))
    page.locator("input[name=password]").fill("pas le bon mot de passe")
    submit(page)
    check(page, axe_check, "delete-wrong-password")
    visit(page, site, axe_check, "notifications", reverse("accounts:notifications"))
    visit(page, site, axe_check, "notification-settings", reverse("accounts:notification_settings"))
    visit(page, site, axe_check, "tokens", reverse("accounts:tokens"))
    page.locator("main form input[type=text]").first.fill("Mon script")
    submit(page)
    check(page, axe_check, "tokens-created")
    visit(page, site, axe_check, "email", reverse("account_email"))
    visit(page, site, axe_check, "password-change", reverse("account_change_password"))
    visit(page, site, axe_check, "mfa-index", reverse("mfa_index"))
    visit(page, site, axe_check, "mfa-totp", reverse("mfa_activate_totp"))
    page.locator("input[name=code]").fill("000000")
    submit(page)
    check(page, axe_check, "mfa-totp-wrong-code")

    visit(page, site, axe_check, "news-post-signed-in", post.get_absolute_url())
    page.locator("form.comments__new button[type=submit]").click()
    page.wait_for_load_state()
    check(page, axe_check, "comment-empty")
    comment_type = ContentType.objects.get_for_model(comment)
    visit(page, site, axe_check, "report", reverse("participation:report", args=[comment_type.pk, comment.pk]))
    submit(page)
    check(page, axe_check, "report-errors")
    visit(page, site, axe_check, "logout", reverse("account_logout"))


def test_staff_pages_pass_axe(page, site, axe_check):
    data = news_space()
    space, step, component, post = data["space"], data["step"], data["component"], data["post"]
    sceaux = space.organisation
    admin = persona("admin@sceaux.example.org", role="admin", organisation=sceaux,
                    display_name="Administratrice de Sceaux")
    log_in(page, site, admin.email, totp=True)
    org, sp = sceaux.slug, space.slug

    visit(page, site, axe_check, "mfa-index-active", reverse("mfa_index"))
    visit(page, site, axe_check, "bo-dashboard", reverse("backoffice:dashboard"))
    visit(page, site, axe_check, "bo-organisation", reverse("backoffice:organisation", args=[org]))
    visit(page, site, axe_check, "bo-space-create", reverse("backoffice:space_create", args=[org]))
    submit(page)
    check(page, axe_check, "bo-space-create-errors")
    visit(page, site, axe_check, "bo-space", reverse("backoffice:space", args=[org, sp]))
    visit(page, site, axe_check, "bo-space-edit", reverse("backoffice:space_edit", args=[org, sp]))
    visit(page, site, axe_check, "bo-step-create", reverse("backoffice:step_create", args=[org, sp]))
    submit(page)
    check(page, axe_check, "bo-step-create-errors")
    visit(page, site, axe_check, "bo-step-edit", reverse("backoffice:step_edit", args=[org, sp, step.pk]))
    visit(page, site, axe_check, "bo-step-delete", reverse("backoffice:step_delete", args=[org, sp, step.pk]))
    visit(page, site, axe_check, "bo-component-add", reverse("backoffice:component_add", args=[org, sp]))
    submit(page)
    check(page, axe_check, "bo-component-add-errors")
    visit(page, site, axe_check, "bo-component",
          reverse("backoffice:component", args=[org, sp, component.pk]))
    draft_component = ComponentFactory(space=space, kind="news", title="Brouillon", published=False)
    visit(page, site, axe_check, "bo-component-delete",
          reverse("backoffice:component_delete", args=[org, sp, draft_component.pk]))
    visit(page, site, axe_check, "bo-team", reverse("backoffice:roles", args=[org]))
    page.locator("main form input[type=email]").first.fill("pas-une-adresse")
    submit(page)
    check(page, axe_check, "bo-team-errors")
    waiting = persona("en-attente@sceaux.example.org", role="agent", organisation=sceaux, pending=True)
    visit(page, site, axe_check, "bo-team-waiting", reverse("backoffice:roles", args=[org]))
    visit(page, site, axe_check, "bo-role-desk",
          reverse("backoffice:role_desk_activate", args=[org, waiting.roles.get().pk]))
    submit(page)
    check(page, axe_check, "bo-role-desk-errors")
    moderator_role = sceaux.roles.get(kind="moderator")
    visit(page, site, axe_check, "bo-role-revoke", reverse("backoffice:role_revoke", args=[org, moderator_role.pk]))
    visit(page, site, axe_check, "bo-settings", reverse("backoffice:settings", args=[org]))
    visit(page, site, axe_check, "bo-audit", reverse("backoffice:audit", args=[org]))

    news_args = [org, sp, component.pk]
    visit(page, site, axe_check, "bo-news", reverse("news_backoffice:index", args=news_args))
    visit(page, site, axe_check, "bo-news-create", reverse("news_backoffice:create", args=news_args))
    submit(page)
    check(page, axe_check, "bo-news-create-errors")
    visit(page, site, axe_check, "bo-news-edit", reverse("news_backoffice:edit", args=[*news_args, post.pk]))
    visit(page, site, axe_check, "bo-news-delete",
          reverse("news_backoffice:delete", args=[*news_args, data["draft"].pk]))
    visit(page, site, axe_check, "news-draft-preview", data["draft"].get_absolute_url())

    visit(page, site, axe_check, "bo-moderation", reverse("participation_backoffice:queue", args=[org]))
    expect(page.get_by_text("Bonne idée, j'y serai.")).to_be_visible()
    visit(page, site, axe_check, "bo-hidden", reverse("participation_backoffice:hidden", args=[org]))
    expect(page.get_by_text("Un commentaire insultant.")).to_be_visible()

    page.goto(site.url + reverse("backoffice:dashboard"))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    visit(page, site, axe_check, "en-bo-space", reverse("backoffice:space", args=[org, sp]))
    visit(page, site, axe_check, "en-bo-moderation", reverse("participation_backoffice:queue", args=[org]))


def test_the_metropole_boundaries_page_passes_axe(page, site, axe_check):
    from concerto.testing import metropole

    admin = persona("admin@metropole.example.org", role="admin", organisation=metropole(),
                    display_name="Administratrice de la Métropole")
    log_in(page, site, admin.email, totp=True)
    url = reverse("territory_backoffice:boundaries", args=[metropole().slug])
    visit(page, site, axe_check, "bo-boundaries", url)
    submit(page, "main form:has(input[type=file])")
    check(page, axe_check, "bo-boundaries-errors")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ontours")


def test_digest_pages_pass_axe(page, site, axe_check):
    from concerto.core.participation.digests import digest_subscription_set

    resident = persona("resident@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    subscription = digest_subscription_set(user=resident, frequency="weekly")
    url = reverse("digest_unsubscribe", args=[subscription.token])
    visit(page, site, axe_check, "digest-unsubscribe", url)  # no session: the email's link
    page.get_by_role("button", name="Arrêter le résumé").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Vous ne recevrez plus le résumé")
    check(page, axe_check, "digest-unsubscribed")
    visit(page, site, axe_check, "digest-unsubscribe-bad", reverse("digest_unsubscribe", args=["pas-le-bon"]),
          status=404)
    log_in(page, site, resident.email)
    visit(page, site, axe_check, "notification-settings-digest", reverse("accounts:notification_settings"))
    page.get_by_label("Chaque jour").check()
    page.get_by_role("button", name="Enregistrer mon choix de résumé").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Chaque jour")).to_be_checked()
    check(page, axe_check, "notification-settings-digest-saved")

"""A consultation on a phone: a resident answers a questionnaire (a conditional question appears as they
answer), sends it and sees the confirmation; axe on the form, the confirmation and the results."""

import os

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.consultations import building, services
from concerto.components.consultations.models import Question, Response
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

Kind = Question.Kind
SCREENSHOTS = os.environ.get("CONCERTO_SCREENSHOTS")


def shot(page, name: str) -> None:
    """With CONCERTO_SCREENSHOTS=/some/dir, keep a full-page screenshot of the page."""
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"consultation-{name}.png"), full_page=True)


def _setup():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc", title="Le parc de demain")
    StepFactory(space=space, title="Questionnaire")
    component = ComponentFactory(space=space, kind="consultations", title="Votre avis sur le parc",
                                 settings={"participation": "account", "results_visibility": "public"})
    building.questionnaire_intro_update(actor=agent, component=component,
                                        intro="Le parc sera réaménagé en 2027. Dites-nous ce qui compte pour vous.")
    habits = building.section_create(actor=agent, component=component, title="Vos habitudes")
    transport = building.question_create(actor=agent, section=habits, kind=Kind.SINGLE, required=True,
                                         label="Comment venez-vous au parc ?",
                                         options=["À pied", "À vélo", "En voiture"], other_option=True)
    building.question_create(actor=agent, section=habits, kind=Kind.NUMBER, required=True, min_value=1,
                             max_value=120, label="Combien de minutes dure votre trajet à vélo ?",
                             condition_option=transport.options.get(label="À vélo"))
    building.question_create(actor=agent, section=habits, kind=Kind.MULTIPLE, max_choices=2,
                             label="Qu'y faites-vous ?", options=["Promenade", "Sport", "Pique-nique"])
    wishes = building.section_create(actor=agent, component=component, title="Vos souhaits")
    building.question_create(actor=agent, section=wishes, kind=Kind.SCALE, scale="1-5", required=True,
                             label="Êtes-vous satisfait du parc ?", scale_min_label="Pas du tout",
                             scale_max_label="Tout à fait")
    building.question_create(actor=agent, section=wishes, kind=Kind.RANKING, label="Classez ces priorités",
                             options=["Ombre", "Bancs"])
    building.question_create(actor=agent, section=wishes, kind=Kind.LONG_TEXT, label="Vos idées")
    return component


def test_a_resident_answers_a_questionnaire_on_a_phone(page, site, axe_check):
    component = _setup()
    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    expect(page.get_by_role("heading", name="Votre avis sur le parc")).to_be_visible()
    expect(page.get_by_role("group", name="Vos habitudes")).to_be_visible()
    bike_question = page.get_by_label("Combien de minutes dure votre trajet à vélo ?")
    assert bike_question.is_hidden()  # shown only to those who cycle
    other_text = page.get_by_label("Votre autre réponse")
    assert other_text.is_hidden()
    axe_check(page)
    shot(page, "form")

    # A first try without the required answers: the error summary, then the fields.
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Répondez à cette question.").first).to_be_visible()
    axe_check(page)
    shot(page, "errors")

    page.get_by_role("radio", name="À vélo").check()
    bike_question.wait_for(state="visible")
    bike_question.fill("12")
    page.get_by_role("checkbox", name="Promenade").check()
    page.get_by_role("radio", name="4", exact=True).check()
    page.get_by_label("Bancs").select_option("1")
    page.get_by_label("Ombre").select_option("2")
    page.get_by_label("Vos idées").fill("Des fontaines d'eau potable près des jeux.")
    axe_check(page)
    shot(page, "filled")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url("**/merci/")

    expect(page.get_by_role("heading", name="Vos réponses sont envoyées")).to_be_visible()
    expect(page.get_by_text("Des fontaines d'eau potable près des jeux.")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier mes réponses")).to_be_visible()
    axe_check(page)
    shot(page, "confirmation")
    response = Response.objects.get()
    assert response.is_submitted and response.answers.get(number=12).question.kind == Kind.NUMBER

    page.get_by_role("link", name="Voir les résultats").click()
    page.wait_for_url("**/resultats/")
    expect(page.get_by_text("1 réponse comptée")).to_be_visible()
    transport = page.locator("section.result", has=page.get_by_role("heading", name="Comment venez-vous au parc ?"))
    expect(transport.get_by_text("1 (100 %)")).to_be_visible()  # the bar of "À vélo"
    transport.get_by_text("Voir les chiffres dans un tableau").click()
    expect(page.get_by_role("table", name="Comment venez-vous au parc ?")).to_be_visible()
    axe_check(page)
    shot(page, "results")


def test_answers_started_on_the_phone_are_kept_if_the_page_is_left(page, site, axe_check):
    component = _setup()
    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    page.get_by_role("radio", name="À vélo").check()
    page.get_by_label("Vos idées").fill("Plus de bancs à l'ombre.")
    page.wait_for_timeout(600)  # the draft is written to the browser's storage after a short pause
    page.goto(site.url + "/")
    page.goto(site.url + component.get_absolute_url())
    restored = "Nous avons repris les réponses que vous aviez commencées sur cet appareil."
    expect(page.get_by_text(restored)).to_be_visible()
    expect(page.get_by_label("Vos idées")).to_have_value("Plus de bancs à l'ombre.")
    expect(page.get_by_role("radio", name="À vélo")).to_be_checked()
    expect(page.get_by_label("Combien de minutes dure votre trajet à vélo ?")).to_be_visible()
    axe_check(page)
    assert not Response.objects.exists()  # kept on the device only, nothing sent


def test_the_back_office_of_a_consultation_passes_axe(page, site, axe_check):
    component = _setup()
    services.response_submit(
        component=component, respondent=Response._meta.get_field("respondent").related_model.objects.get(
            email="habitante@example.org"),
        answers={question.pk: value for question, value in _some_answers(component)})
    log_in(page, site, "agent@sceaux.example.org", totp=True)

    base = site.url + component.get_backoffice_url()
    transport = Question.objects.get(component=component, kind=Kind.SINGLE)
    for path in ("", "introduction/", "sections/nouvelle/", f"sections/{transport.section_id}/questions/nouvelle/",
                 f"sections/{transport.section_id}/questions/nouvelle/?type=scale",
                 f"questions/{transport.pk}/modifier/", f"questions/{transport.pk}/supprimer/", "reponses/",
                 "reponses/saisir/"):
        page.goto(base + path)
        assert page.locator("h1:visible").count() == 1, path
        axe_check(page)
        shot(page, "backoffice-" + (path.strip("/").replace("/", "-").replace("?", "-") or "builder"))
    # A form with errors: the paper entry with a date in the future.
    page.goto(base + "reponses/saisir/")
    page.get_by_label("Date de la réponse").fill("2999-01-01")
    page.get_by_role("button", name="Enregistrer cette réponse").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_be_visible()
    axe_check(page)
    page.goto(site.url + component.get_absolute_url() + "resultats/")
    axe_check(page)


def _some_answers(component):
    questions = {question.kind: question for question in Question.objects.filter(component=component)}
    transport = questions[Kind.SINGLE]
    return [(transport, {"option": transport.options.get(label="À pied").pk, "other": ""}),
            (questions[Kind.SCALE], 4), (questions[Kind.LONG_TEXT], "Plus d'ombre.")]

"""Bad input: a clear French error, status 400, nothing saved half-way, the previous response untouched;
the outsider changes nothing; no URL of the component answers a server error."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from concerto import testing
from concerto.components.consultations import building, services
from concerto.components.consultations.models import Answer, Question, Response, Section
from concerto.core.audit.models import AuditEntry

from .conftest import answers, form_data, make_consultation, option

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "responses": list(Response.objects.values_list("pk", "status", "updated_at")),
        "answers": sorted(Answer.objects.values_list("question_id", "option_id", "rank", "number", "date", "text")),
        "questions": list(Question.objects.values_list("pk", "label", "position")),
        "sections": list(Section.objects.values_list("pk", "title", "position")),
    }


def bad_inputs(q):
    """(what, data overrides, French message) of answers the form must refuse."""
    bike = str(option(q.transport, "À vélo").pk)
    return [
        ("a required question missing", {"transport": ""}, "Répondez à cette question."),
        ("a choice not in the question", {"transport": str(option(q.activities, "Sport").pk)},
         "Sélectionnez un choix valide"),
        ("a choice that is not a number", {"transport": "vélo"}, "Sélectionnez un choix valide"),
        ("too many choices", {"activities": [str(o.pk) for o in q.activities.options.all()[:3]]},
         "Choisissez au plus 2 réponses."),
        ("a number below the minimum", {"transport": bike, "bike_days": "-1"}, "supérieure ou égale à 0"),
        ("a number above the maximum", {"transport": bike, "bike_days": "8"}, "inférieure ou égale à 7"),
        ("a number that is not one", {"transport": bike, "bike_days": "trois"}, "Saisissez un nombre."),
        ("an invalid date", {"visit": "31/02/2026"}, "Saisissez une date valide."),
        ("a date that is not one", {"visit": "demain"}, "Saisissez une date valide."),
        ("a scale value out of range", {"satisfaction": "6"}, "Sélectionnez un choix valide"),
        ("a short text too long", {"name_it": "x" * 301}, "au plus 300 caractères"),
        ("a long text too long", {"ideas": "x" * 5001}, "au plus 5000 caractères"),
        ("an other text too long", {"q3_other": "x" * 301}, "au plus 300 caractères"),
        ("a ranking with twice the same rank", {"rank": ["1", "1", "2"]},
         "Rang donné deux fois\u00a0: 1. Rang manquant\u00a0: 3."),
        ("a ranking left half-way", {"rank": ["1", "", ""]}, "Rangs manquants\u00a0: 2, 3."),
        # The map field's own messages (concerto.core.maps); checked here to be errors next to the field.
        ("a point outside the Métropole", {"point": ("43.2965", "5.3698")}, "Métropole du Grand Paris"),
        ("a point with one coordinate", {"point": ("48.8", "")}, f'id="id_{q.place.field_name}_error"'),
        ("a NUL character", {"name_it": "Le\x00parc"}, "caractère nul"),
    ]


@pytest.fixture
def previous(consultation, questionnaire, resident):
    """The resident already answered: a bad second submission must leave that response as it was."""
    services.response_submit(component=consultation, answers=answers(questionnaire, satisfaction=2),
                             respondent=resident)
    return snapshot()


def _data(q, overrides):
    data = form_data(q)
    for name, value in overrides.items():
        if name == "rank":
            for index, rank in enumerate(value):
                data[f"{q.priorities.field_name}_{index}"] = rank
        elif name == "point":
            data[f"{q.place.field_name}_latitude"], data[f"{q.place.field_name}_longitude"] = value
        elif name == "q3_other":
            data[q.activities.other_field_name] = value
            data[q.activities.field_name] = [str(option(q.activities, "Autre").pk)]
        else:
            data[getattr(q, name).field_name] = value
    return data


def test_every_bad_answer_is_a_french_form_error_and_nothing_changes(client, resident, consultation, questionnaire,
                                                                    previous):
    client.force_login(resident)
    url = consultation.get_absolute_url() + "modifier/"
    for what, overrides, message in bad_inputs(questionnaire):
        response = client.post(url, _data(questionnaire, overrides))
        html = response.content.decode()
        assert response.status_code == 400, what
        assert message in html, (what, re.findall(r'class="field-error"[^>]*>.*?</p>', html, re.S))
        assert "Il y a un problème" in html, what
        assert snapshot() == previous, what


def test_the_error_summary_links_to_the_first_input_of_a_radio_question(client, resident, consultation,
                                                                       questionnaire):
    client.force_login(resident)
    html = client.post(consultation.get_absolute_url(), _data(questionnaire, {"transport": ""})).content.decode()
    assert f'href="#id_{questionnaire.transport.field_name}_0"' in html
    assert f'id="id_{questionnaire.transport.field_name}_0"' in html


def test_a_response_for_a_question_of_another_questionnaire_is_refused(consultation, questionnaire, resident, space,
                                                                      agent):
    other = make_consultation(space, title="Autre")
    section = building.section_create(actor=agent, component=other, title="Partie")
    foreign = building.question_create(actor=agent, section=section, kind=Question.Kind.SHORT_TEXT, label="?")
    with pytest.raises(services.ValidationError):
        services.response_submit(component=consultation, respondent=resident,
                                 answers={**answers(questionnaire), foreign.pk: "intrus"})
    assert not Response.objects.exists()


def test_a_failure_while_saving_leaves_nothing_half_saved(consultation, questionnaire, resident, previous,
                                                         monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Answer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.response_submit(component=consultation, answers=answers(questionnaire, satisfaction=5),
                                 respondent=resident)
    assert snapshot() == previous


# ---------------------------------------------------------------- the outsider


def test_the_outsider_can_neither_see_nor_edit_sceauxs_questionnaire(staff_client, outsider, consultation,
                                                                     questionnaire):
    client = staff_client(outsider)
    before = snapshot()
    audit = AuditEntry.objects.count()
    base = consultation.get_backoffice_url()
    q = questionnaire
    urls = ["", "introduction/", "sections/nouvelle/", f"sections/{q.transport.section_id}/modifier/",
            f"sections/{q.transport.section_id}/supprimer/", f"sections/{q.transport.section_id}/questions/nouvelle/",
            f"questions/{q.transport.pk}/modifier/", f"questions/{q.transport.pk}/supprimer/",
            "reponses/", "reponses/saisir/", "export.csv", "export.xlsx"]
    for suffix in urls:
        assert client.get(base + suffix).status_code == 403, suffix
        assert client.post(base + suffix, {"title": "Piraté", "label": "Piraté", "intro": "Piraté"}).status_code \
            in (403, 405), suffix
        via_montreuil = (base + suffix).replace("/gestion/sceaux/", "/gestion/montreuil/")
        assert client.get(via_montreuil).status_code == 404, suffix
        assert client.post(via_montreuil, {"title": "Piraté"}).status_code in (404, 405), suffix
    for suffix in (f"questions/{q.transport.pk}/deplacer/", f"sections/{q.transport.section_id}/deplacer/"):
        assert client.post(base + suffix, {"direction": "down"}).status_code == 403
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit


def test_the_outsider_cannot_reach_a_draft_consultation_of_sceaux(staff_client, outsider, space, step, agent):
    component = make_consultation(space, published=False)
    client = staff_client(outsider)
    for suffix in ("", "resultats/", "merci/", "donnees/reponses.csv"):
        assert client.get(component.get_absolute_url() + suffix).status_code == 404, suffix


# ---------------------------------------------------------------- no server error


JUNK = "Bonjour \x00 <script>alert(1)</script> 🎉 " + "é" * 6000


def junk_post(q):
    data = {name: JUNK for name in ("title", "description", "intro", "label", "help_text", "options", "new_options",
                                    "scale", "scale_min_label", "min_value", "max_value", "max_choices", "section",
                                    "condition_option", "direction", "action", "about-channel", "about-residence",
                                    "about-answered_on", "q", "canal", "commune")}
    for question in q:
        data[question.field_name] = [JUNK, "9" * 30, "-1"]
        data[question.other_field_name] = JUNK
        data[f"{question.field_name}_0"] = "9" * 30
        data[f"{question.field_name}_latitude"] = "nan"
        data[f"{question.field_name}_longitude"] = "inf"
    data["file"] = SimpleUploadedFile("x.png", b"%PDF", content_type="image/png")
    return data


def test_no_url_of_the_component_answers_a_server_error(consultation, questionnaire, resident, agent, outsider,
                                                       space):
    from django.urls import get_resolver

    anonymous_component = make_consultation(space, participation="anonymous", title="Sans compte")
    from .conftest import build_questionnaire

    build_questionnaire(anonymous_component, agent)
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    q = list(vars(questionnaire).values())
    ids = {"question_id": questionnaire.transport.pk, "section_id": questionnaire.transport.section_id,
           "option_id": option(questionnaire.transport, "À pied").pk,
           "response_id": Response.objects.first().pk}
    routes = []
    for namespace, base_of in (("consultations", lambda c: c.get_absolute_url()),
                               ("consultations_backoffice", lambda c: c.get_backoffice_url())):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            routes.append((base_of, str(pattern.pattern)))
    clients = {"anonymous": Client(), "resident": Client(), "staff": Client(), "outsider": Client()}
    clients["resident"].force_login(resident)
    testing.login_with_mfa(clients["staff"], agent)
    testing.login_with_mfa(clients["outsider"], outsider)
    checked = 0

    def check(who, response, url):
        nonlocal checked
        assert response.status_code < 500, (who, url, response.status_code)
        checked += 1

    for base_of, route in routes:
        url = base_of(consultation) + re.sub(r"<int:(\w+)>", lambda m: str(ids[m[1]]), route)
        for who, client in clients.items():
            check(who, client.get(url), url)
            check(who, client.get(url, {"page": "x", "canal": "\x00", "q": JUNK[:50], "type": "\x00",
                                        "commune": "x" * 300}), url)
            check(who, client.post(url, junk_post(q)), url)
            check(who, client.post(url, {}), url)
        if "<int:" in route:
            for junk in (0, "9" * 30):
                url = base_of(consultation) + re.sub(r"<int:(\w+)>", str(junk), route)
                for who in ("anonymous", "staff"):
                    check(who, clients[who].get(url), url)
                    check(who, clients[who].post(url, junk_post(q)), url)
        if base_of(consultation).startswith("/sceaux/"):
            url = base_of(anonymous_component) + re.sub(r"<int:(\w+)>", lambda m: str(ids[m[1]]), route)
            for who in ("anonymous", "resident"):
                check(who, clients[who].get(url), url)
                check(who, clients[who].post(url, junk_post(q)), url)
    assert checked > 300

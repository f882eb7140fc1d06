"""What every kind of resident's submission shares (core/participation/submissions), seen through the two
components that use it: a proposal and a budget project behave alike where the kernel says they should, and
differ only where their model says so (a withdrawn proposal stays public, a withdrawn project leaves)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concerto.components.budgets import services as budget_services
from concerto.components.proposals import services as proposal_services
from concerto.core.participation.services import comment_create, moderation_hide, moderation_restore
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, UserFactory

SCEAUX_POINT = (48.7745, 2.2990)  # the Parc de Sceaux
MONTREUIL_POINT = (48.8617, 2.4432)  # the Hôtel de Ville of Montreuil
LYON_POINT = (45.7640, 4.8357)  # far outside the Métropole


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def space(sceaux):
    space = SpaceFactory(organisation=sceaux, slug="participer", title="Participer à Sceaux")
    StepFactory(space=space, title="Dépôt")
    return space


def _budgets_component(space, **settings):
    """A budgets component of SPACE taking projects during its step, with SETTINGS."""
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif")
    manifest, step = component.manifest, space.steps.get()
    component.settings = manifest.clean_settings({**manifest.settings_for(component), **settings})
    component.step_settings = {str(step.pk): manifest.clean_step_settings(
        {**manifest.step_settings_for(component, step), "submissions_open": True})}
    component.save()
    return component


@pytest.fixture
def author(db, sceaux):
    return UserFactory(email="auteur@example.org", display_name="Alex Dupont", residence=sceaux)


def _proposal_create(space, author, **values):
    component = ComponentFactory(space=space, kind="proposals", title="Idées")
    return proposal_services.proposal_create(author=author, component=component, **{
        "title": "Des arbres fruitiers", "text": "<p>Des pommiers dans les cours.</p>", **values})


def _project_create(space, author, agent, **values):
    component = _budgets_component(space)
    budget_services.budget_create(actor=agent, component=component, name="Commune", amount=100_000)
    return budget_services.project_create(author=author, component=component, **{
        "title": "Un jardin partagé", "text": "<p>Des bacs et un composteur.</p>", "estimated_cost": 20_000,
        **values})


@pytest.fixture(params=["proposal", "project"])
def submission(request, space, author, agent):
    if request.param == "proposal":
        return _proposal_create(space, author)
    return _project_create(space, author, agent)


def _api_url(submission) -> str:
    if submission.component.kind == "proposals":
        return f"/api/v1/proposals/proposals/{submission.pk}"
    return f"/api/v1/budgets/projects/{submission.pk}"


def test_comments_are_counted_on_every_kind_of_submission_through_moderation_and_deletion(
        client, submission, resident, moderator):
    first = comment_create(author=resident, target=submission, body="Bonne idée")
    comment_create(author=moderator, target=submission, body="Merci", parent=first)
    assert client.get(_api_url(submission)).json()["comments"] == 2
    moderation_hide(moderator=moderator, content=first, reason="Hors sujet")
    assert client.get(_api_url(submission)).json()["comments"] == 1
    moderation_restore(moderator=moderator, content=first)
    assert client.get(_api_url(submission)).json()["comments"] == 2
    first.delete()  # its reply goes with it
    assert client.get(_api_url(submission)).json()["comments"] == 0


def test_a_withdrawn_proposal_stays_public_and_a_withdrawn_project_leaves(client, space, author, agent):
    proposal = _proposal_create(space, author)
    project = _project_create(space, author, agent)
    proposal_services.proposal_withdraw(actor=author, proposal=proposal)
    budget_services.project_withdraw(actor=author, project=project)

    shown = client.get(f"/api/v1/proposals/proposals/{proposal.pk}")
    assert shown.status_code == 200 and shown.json()["withdrawn"] is True
    assert [row["id"] for row in client.get("/api/v1/proposals/proposals").json()["items"]] == [proposal.pk]
    assert client.get(f"/api/v1/budgets/projects/{project.pk}").status_code == 404
    assert client.get("/api/v1/budgets/projects").json()["items"] == []
    # The comment form's permission asks the target whether it is public: the withdrawn project says no.
    proposal.refresh_from_db()
    project.refresh_from_db()
    assert proposal.is_public and not project.is_public


def test_only_the_author_changes_or_withdraws_a_submission_and_only_until_it_is_blocked(
        submission, author, resident, agent):
    error = proposal_services.ProposalError if submission.component.kind == "proposals" else (
        budget_services.ProjectError)
    update = (proposal_services.proposal_update if submission.component.kind == "proposals"
              else budget_services.project_update)
    withdraw = (proposal_services.proposal_withdraw if submission.component.kind == "proposals"
                else budget_services.project_withdraw)
    target = {"proposal": submission} if submission.component.kind == "proposals" else {"project": submission}
    with pytest.raises(error):
        update(actor=resident, title="Autre titre", **target)
    with pytest.raises(error):
        withdraw(actor=resident, **target)
    if submission.component.kind == "proposals":
        comment_create(author=resident, target=submission, body="J’aime")  # a comment freezes a proposal
    else:
        budget_services.project_evaluate(actor=agent, project=submission, eligibility="eligible")
    with pytest.raises(error):
        update(actor=author, title="Autre titre", **target)
    submission.refresh_from_db()
    assert submission.title != "Autre titre"


def test_a_proposal_goes_anywhere_in_the_metropole_and_a_project_only_within_its_commune(
        boundaries, space, author, agent, montreuil):
    proposal = _proposal_create(space, author, point=MONTREUIL_POINT)
    assert proposal.commune == montreuil
    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            _project_create(space, author, agent, point=MONTREUIL_POINT)
        assert refused.value.message_dict["location"] == [
            "Ce lieu est en dehors de Sceaux\u00a0: choisissez un lieu qui s’y trouve."]
        with pytest.raises(ValidationError) as far:
            _proposal_create(space, author, point=LYON_POINT)
        assert far.value.message_dict["location"] == [
            "Ce lieu est hors de la Métropole du Grand Paris. Choisissez un lieu dans l’une de ses communes."]
        with pytest.raises(ValidationError) as invalid:
            _proposal_create(space, author, point=(91, 2))
        assert invalid.value.message_dict["location"] == ["Ce lieu n’est pas valide."]


def test_content_is_cleaned_alike_with_each_components_own_words(space, author, agent):
    proposal = _proposal_create(space, author, text='<p onclick="x()">Bien</p><script>alert(1)</script>')
    project = _project_create(space, author, agent, text='<p onclick="x()">Bien</p><script>alert(1)</script>')
    for submission in (proposal, project):
        assert "script" not in submission.text and "onclick" not in submission.text
        assert "Bien" in submission.text
    with translation.override("fr"):
        with pytest.raises(ValidationError) as proposal_refused:
            _proposal_create(space, author, title="  ", text="<script>x</script>")
        with pytest.raises(ValidationError) as project_refused:
            _project_create(space, author, agent, title="x" * 151)
    assert set(proposal_refused.value.message_dict) == {"title", "text"}
    assert project_refused.value.message_dict["title"] == ["Le titre est trop long\u00a0: 150 caractères au plus."]


def test_a_category_of_another_component_is_refused_for_every_kind(space, author, agent):
    other = ComponentFactory(space=space, kind="proposals", title="Autres idées")
    foreign = proposal_services.category_create(actor=agent, component=other, name="Ailleurs")
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        _proposal_create(space, author, category=foreign)
    assert refused.value.message_dict["category"] == ["Choisissez une des catégories de la liste."]


def test_api_lists_narrow_to_a_commune_and_an_unknown_commune_is_a_404(
        boundaries, client, space, author, agent, sceaux):
    _proposal_create(space, author, point=SCEAUX_POINT)
    _project_create(space, author, agent, point=SCEAUX_POINT)
    for url in ("/api/v1/proposals/proposals", "/api/v1/budgets/projects", "/api/v1/events/events"):
        assert client.get(url, {"commune": "commune-inconnue"}).status_code == 404, url
        assert client.get(url, {"organisation": "commune-inconnue"}).status_code == 404, url
        assert client.get(url, {"commune": "montreuil"}).json()["items"] == [], url
    for url in ("/api/v1/proposals/proposals", "/api/v1/budgets/projects"):
        assert len(client.get(url, {"commune": sceaux.slug}).json()["items"]) == 1, url
        assert client.get(url, {"organisation": "montreuil"}).json()["items"] == [], url
        assert len(client.get(url, {"organisation": sceaux.slug, "space": space.pk}).json()["items"]) == 1, url


def test_api_items_say_where_they_are_with_absolute_links(client, space, author, agent, sceaux):
    proposal = _proposal_create(space, author)
    project = _project_create(space, author, agent)
    for submission in (proposal, project):
        data = client.get(_api_url(submission)).json()
        assert data["organisation"] == sceaux.slug
        assert (data["space"], data["component"]) == (space.pk, submission.component.pk)
        assert data["url"] == f"http://testserver{submission.get_absolute_url()}"
        assert data["image"] is None and data["commune"] is None and data["category"] is None


def test_list_pages_are_numbered_in_french_and_keep_their_filters(client, space, author, agent):
    component = _budgets_component(space, projects_per_page=5)
    budget_services.budget_create(actor=agent, component=component, name="Commune", amount=100_000)
    for number in range(7):
        budget_services.project_create(author=author, component=component, title=f"Jardin {number}",
                                       text="<p>Des bacs.</p>", estimated_cost=1000)
    html = client.get(component.get_absolute_url(), {"q": "Jardin"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Page 1 sur 2" in html
    assert 'href="?q=Jardin&amp;page=2" rel="next">Page suivante</a>' in html


def test_a_hidden_submission_takes_no_comment_and_leaves_the_public_api(client, submission, resident, moderator):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from concerto.core.participation.models import Comment

    moderation_hide(moderator=moderator, content=submission, reason="Propos injurieux")
    client.force_login(resident)
    url = reverse("participation:comment", args=[ContentType.objects.get_for_model(submission).pk, submission.pk])
    assert client.post(url, {"body": "Je commente quand même"}).status_code == 404
    assert not Comment.objects.exists()
    assert client.get(_api_url(submission)).status_code == 404
    submission.refresh_from_db()
    assert not submission.is_public


def test_api_gives_an_image_by_its_absolute_address(client, space, author, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerto.components.proposals.tests.conftest import image_bytes

    proposal = _proposal_create(space, author, image_alt="Un pommier en fleurs",
                                image=SimpleUploadedFile("pommier.png", image_bytes(), content_type="image/png"))
    image = client.get(_api_url(proposal)).json()["image"]
    assert image.startswith("http://testserver/") and image.endswith(".png")
    assert client.get(_api_url(proposal)).json()["image_alt"] == "Un pommier en fleurs"


def test_the_map_of_a_list_gives_the_located_public_submissions_with_their_pages(client, space, author, agent):
    import json

    from django.urls import reverse

    proposal = _proposal_create(space, author, point=SCEAUX_POINT)
    project = _project_create(space, author, agent, point=SCEAUX_POINT)
    for submission, single in ((proposal, "proposition"), (project, "projet")):
        component = submission.component
        kind = component.kind
        args = [space.organisation.slug, space.slug, component.pk]
        if kind == "proposals":
            hidden = proposal_services.proposal_create(author=author, component=component, title="Masquée",
                                                       text="<p>Texte</p>", point=SCEAUX_POINT)
            proposal_services.proposal_create(author=author, component=component, title="Sans lieu",
                                              text="<p>Texte</p>")
        else:
            hidden = budget_services.project_create(author=author, component=component, title="Masqué",
                                                    text="<p>Texte</p>", estimated_cost=1000, point=SCEAUX_POINT)
            budget_services.project_create(author=author, component=component, title="Sans lieu",
                                           text="<p>Texte</p>", estimated_cost=1000)
        type(hidden).objects.filter(pk=hidden.pk).update(hidden_at="2026-01-01T00:00:00Z")
        url = reverse(f"{kind}:points", args=args)
        response = client.get(url)
        assert response["Content-Type"] == "application/geo+json"
        data = json.loads(response.content)
        assert data["truncated"] is False
        [feature] = data["features"]
        assert feature["properties"]["title"] == submission.title
        assert feature["properties"]["url"] == submission.get_absolute_url()
        assert feature["geometry"]["coordinates"] == [SCEAUX_POINT[1], SCEAUX_POINT[0]]
        assert len(json.loads(client.get(url, {single: submission.pk}).content)["features"]) == 1
        assert json.loads(client.get(url, {single: "1 OR 1=1"}).content)["features"] == []


@pytest.mark.parametrize("kind", ["proposal", "project"])
def test_a_replaced_image_leaves_the_storage_once_the_change_is_saved(
        space, author, agent, kind, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerto.components.proposals.tests.conftest import image_bytes

    def upload(name):
        return SimpleUploadedFile(name, image_bytes(), content_type="image/png")

    create, update, key = ((_proposal_create, proposal_services.proposal_update, "proposal") if kind == "proposal"
                           else (lambda s, a, **v: _project_create(s, a, agent, **v),
                                 budget_services.project_update, "project"))
    submission = create(space, author, image=upload("avant.png"), image_alt="Avant")
    old_name, storage = submission.image.name, submission.image.storage
    assert storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        updated = update(actor=author, **{key: submission}, image=upload("apres.png"), image_alt="Après")
    assert storage.exists(updated.image.name) and updated.image.name != old_name
    assert not storage.exists(old_name)

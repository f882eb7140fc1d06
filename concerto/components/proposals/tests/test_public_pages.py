"""What residents see and do on the public proposals pages: list, filters, orders, map, similar
proposals, submitting, editing, withdrawing, supporting."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.components.proposals import services, views
from concerto.components.proposals.models import Proposal, Support
from concerto.core.participation.models import Comment, Follow
from concerto.core.participation.services import moderation_hide
from concerto.core.spaces.models import Space
from concerto.testing import StepFactory, UserFactory, commune, login_with_mfa

from .conftest import configure, image_bytes

pytestmark = pytest.mark.django_db


def _url(component, name="index", *args):
    space = component.space
    return reverse(f"proposals:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def _create(component, author, title, text="Texte de la proposition.", **extra):
    return services.proposal_create(author=author, component=component, title=title, text=text, **extra)


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card__link" href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def many(proposals, author):
    """25 proposals, "Idée 00" the oldest."""
    created = [_create(proposals, author, f"Idée {n:02d}") for n in range(25)]
    now = timezone.now()
    for number, proposal in enumerate(created):
        Proposal.objects.filter(pk=proposal.pk).update(created_at=now - timedelta(minutes=100 - number))
    return created


# --- The list -----------------------------------------------------------------------------------------

def test_the_list_shows_public_proposals_with_their_figures(client, proposals, proposal, resident, category):
    services.support_add(user=resident, proposal=proposal)
    html = client.get(_url(proposals)).content.decode()
    assert "Planter des arbres fruitiers dans les écoles" in html
    assert "Nature en ville" in html and "1 soutien" in html and "0 commentaire" in html
    assert "Déposer une proposition" in html
    assert "1 proposition" in html


def test_hidden_proposals_disappear_and_withdrawn_ones_stay_marked(client, proposals, author, moderator):
    hidden = _create(proposals, author, "Publicité pour un magasin")
    withdrawn = _create(proposals, author, "Idée abandonnée")
    moderation_hide(moderator=moderator, content=hidden, reason="Spam")
    services.proposal_withdraw(actor=author, proposal=withdrawn)
    html = client.get(_url(proposals)).content.decode()
    assert "Publicité pour un magasin" not in html
    assert "Idée abandonnée" in html and "Retirée" in html
    assert client.get(hidden.get_absolute_url()).status_code == 404
    page = client.get(withdrawn.get_absolute_url()).content.decode()
    assert "ne peut plus être soutenue" in page and "Soutenir cette proposition" not in page


def test_the_list_paginates_with_the_setting_and_orders_by_recent(client, proposals, many):
    configure(proposals, proposals_per_page=10)
    first = client.get(_url(proposals) + "?tri=recent").content.decode()
    assert _titles(first) == [f"Idée {n:02d}" for n in range(24, 14, -1)]
    assert "Page 1 sur 3" in first and "25 propositions" in first
    # The next page keeps the order chosen.
    assert re.search(r'href="\?[^"]*tri=recent[^"]*&amp;page=2" rel="next">Page suivante</a>', first)
    third = client.get(_url(proposals) + "?tri=recent&page=3").content.decode()
    assert _titles(third) == [f"Idée {n:02d}" for n in range(4, -1, -1)]
    assert client.get(_url(proposals) + "?page=abc&tri=n-importe").status_code == 200


def test_most_supported_and_most_commented_orders(client, proposals, many, resident):
    services.support_add(user=resident, proposal=many[3])
    services.support_add(user=UserFactory(), proposal=many[3])
    services.support_add(user=resident, proposal=many[7])
    from concerto.core.participation.services import comment_create

    comment_create(author=resident, target=many[11], body="Bravo")
    assert _titles(client.get(_url(proposals) + "?tri=supports").content.decode())[:3] == [
        "Idée 03", "Idée 07", "Idée 24"]
    assert _titles(client.get(_url(proposals) + "?tri=comments").content.decode())[0] == "Idée 11"


def test_the_random_order_is_stable_for_a_seed_and_pages_do_not_overlap(client, proposals, many):
    configure(proposals, proposals_per_page=10, default_order="random")
    html = client.get(_url(proposals)).content.decode()
    seed = re.search(r'graine=(\d+)', html).group(1)
    pages = [_titles(client.get(_url(proposals) + f"?tri=random&graine={seed}&page={n}").content.decode())
             for n in (1, 2, 3)]
    assert pages[0] == _titles(html)  # the first page, reached again through its link, is the same
    seen = [title for page in pages for title in page]
    assert sorted(seen) == sorted(f"Idée {n:02d}" for n in range(25))
    other = _titles(client.get(_url(proposals) + "?tri=random&graine=12345").content.decode())
    assert other != pages[0]
    assert _titles(client.get(_url(proposals) + "?tri=random&graine=12345").content.decode()) == other
    # The next-page link carries the seed.
    assert f"graine={seed}&amp;page=2" in html


def test_filters_by_category_status_and_accent_free_search(client, proposals, agent, author, category, proposal):
    mobility = services.category_create(actor=agent, component=proposals, name="Mobilités")
    bike = _create(proposals, author, "Des arceaux à vélos", text="Devant la boulangerie.", category=mobility)
    services.proposal_answer(actor=agent, proposal=bike, status="accepted", text="Oui")
    url = _url(proposals)
    assert _titles(client.get(url, {"categorie": mobility.pk}).content.decode()) == ["Des arceaux à vélos"]
    assert _titles(client.get(url, {"statut": "accepted"}).content.decode()) == ["Des arceaux à vélos"]
    assert _titles(client.get(url, {"statut": "unanswered"}).content.decode()) == [proposal.title]
    assert _titles(client.get(url, {"q": "ECOLE"}).content.decode()) == [proposal.title]
    assert _titles(client.get(url, {"q": "velos boulangerie"}).content.decode()) == ["Des arceaux à vélos"]
    empty = client.get(url, {"q": "piscine"}).content.decode()
    assert "Aucune proposition ne correspond à ces filtres." in empty
    # Unknown or malformed values are ignored, never an error.
    for bad in ({"categorie": "999999"}, {"categorie": "abc"}, {"statut": "bidon"}, {"q": "x\x00y"},
                {"commune": "-1"}, {"graine": "-5", "tri": "random"}, {"q": "a" * 5000}):
        assert client.get(url, bad).status_code == 200, bad


def test_filter_by_commune(client, proposals, author, boundaries):
    _create(proposals, author, "Un banc au parc", point=(48.7787, 2.2905))
    _create(proposals, author, "Sans lieu")
    html = client.get(_url(proposals)).content.decode()
    assert 'name="commune"' not in html  # one commune only: nothing to choose
    _create(proposals, author, "À la limite, côté Montreuil", point=(48.8618, 2.4432))
    sceaux = commune("sceaux")
    html = client.get(_url(proposals)).content.decode()
    assert f'<option value="{sceaux.pk}">Sceaux</option>' in html and ">Montreuil</option>" in html
    assert _titles(client.get(_url(proposals), {"commune": sceaux.pk}).content.decode()) == ["Un banc au parc"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_page_size(client, proposals, author, agent, resident,
                                                                 category, signed_in):
    for number in range(60):
        proposal = _create(proposals, author, f"Idée {number}", category=category)
        services.support_add(user=resident, proposal=proposal)
    if signed_in:
        client.force_login(resident)
    counts = {}
    for per_page in (5, 50):
        configure(proposals, proposals_per_page=per_page)
        for order in ("recent", "random", "supports"):
            client.get(_url(proposals), {"tri": order})  # warm caches (content types, sessions)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_url(proposals), {"tri": order, "categorie": category.pk})
            assert response.status_code == 200
            assert len(_titles(response.content.decode())) == per_page
            counts[(per_page, order)] = len(queries)
    assert counts[(5, "recent")] > 5  # the page was really measured
    assert counts[(5, "recent")] == counts[(50, "recent")]
    assert counts[(5, "random")] == counts[(50, "random")]
    assert counts[(5, "supports")] == counts[(50, "supports")]


# --- The map ------------------------------------------------------------------------------------------

def test_the_map_points_are_geojson_of_the_filtered_located_proposals(client, proposals, author, category,
                                                                        monkeypatch):
    located = [_create(proposals, author, f"Lieu {n}", point=(48.7787, 2.2905 + n / 1000)) for n in range(4)]
    _create(proposals, author, "Sans lieu")
    _create(proposals, author, "Ailleurs dans la liste", point=(48.78, 2.29), category=category)
    data = json.loads(client.get(_url(proposals, "points"), {"tri": "recent"}).content)
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    titles = [feature["properties"]["title"] for feature in data["features"]]
    assert "Sans lieu" not in titles and len(titles) == 5
    feature = next(f for f in data["features"] if f["properties"]["title"] == "Lieu 0")
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.2905, 48.7787]}
    assert feature["properties"]["url"] == located[0].get_absolute_url()
    filtered = json.loads(client.get(_url(proposals, "points"), {"categorie": category.pk}).content)
    assert [f["properties"]["title"] for f in filtered["features"]] == ["Ailleurs dans la liste"]
    monkeypatch.setattr(views, "MAP_LIMIT", 2)
    capped = json.loads(client.get(_url(proposals, "points")).content)
    assert len(capped["features"]) == 2 and capped["truncated"] is True


def test_the_map_view_keeps_the_list(client, proposals, proposal):
    html = client.get(_url(proposals), {"vue": "carte"}).content.decode()
    assert "data-map-points" in html and "carte.geojson?" in html
    assert proposal.title in html
    assert "500 au plus" in html


# --- Similar proposals --------------------------------------------------------------------------------

def test_similar_proposals_ignore_accents_case_and_stop_words(client, proposals, author, proposal):
    _create(proposals, author, "Un arbre devant la mairie")
    _create(proposals, author, "Rénover le gymnase")
    html = client.get(_url(proposals, "similar"), {"title": "des ARBRES pour l'ECOLE"}).content.decode()
    assert html.index(proposal.title) < html.index("Un arbre devant la mairie")
    assert "gymnase" not in html
    assert "Idées semblables déjà proposées" in html
    assert client.get(_url(proposals, "similar"), {"title": "pour les des"}).content.decode().strip() == ""


def test_similar_proposals_leave_out_withdrawn_hidden_and_other_components(client, proposals, author, moderator,
                                                                          space):
    from concerto.testing import ComponentFactory

    gone = _create(proposals, author, "Piscine municipale rénovée")
    hidden = _create(proposals, author, "Piscine gratuite")
    services.proposal_withdraw(actor=author, proposal=gone)
    moderation_hide(moderator=moderator, content=hidden)
    other = ComponentFactory(space=space, kind="proposals")
    _create(other, author, "Piscine en plein air")
    assert "Piscine" not in client.get(_url(proposals, "similar"), {"title": "piscine"}).content.decode()


# --- Submitting ---------------------------------------------------------------------------------------

def _form_data(**overrides):
    data = {"title": "Un composteur au square", "text": "Pour réduire nos déchets.", "location_latitude": "",
            "location_longitude": ""}
    data.update(overrides)
    return data


def test_anonymous_visitors_are_asked_to_sign_in_to_submit(client, proposals):
    response = client.get(_url(proposals, "create"))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_a_resident_submits_a_proposal_with_an_image_and_a_place(client, proposals, resident, category):
    client.force_login(resident)
    form = client.get(_url(proposals, "create")).content.decode()
    assert "Titre de votre proposition" in form and "Nature en ville" in form
    assert 'hx-get="' + _url(proposals, "similar") in form and 'aria-live="polite"' in form
    response = client.post(_url(proposals, "create"), _form_data(
        category=category.pk, image=SimpleUploadedFile("compost.png", image_bytes(), content_type="image/png"),
        image_alt="Un bac à compost en bois", location_latitude="48,7787", location_longitude="2.2905"))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.author == resident and proposal.category == category
    assert proposal.image.name.startswith("proposals/") and (proposal.latitude, proposal.longitude) == (48.7787,
                                                                                                         2.2905)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Votre proposition est publiée." in page
    assert 'alt="Un bac à compost en bois"' in page
    assert "Modifier ma proposition" in page and "Retirer ma proposition" in page
    assert "Vous ne pouvez pas soutenir votre propre proposition." in page


@pytest.mark.parametrize("overrides, message", [
    ({"title": "x" * 151}, "au plus 150 caractères"),
    ({"title": ""}, "Donnez un titre à votre proposition."),
    ({"text": "y" * 5001}, "au plus 5000 caractères"),
    ({"category": "999999"}, "Choisissez une des catégories de la liste."),
    ({"category": ""}, "Choisissez une catégorie."),
    ({"location_latitude": "45.7640", "location_longitude": "4.8357"}, "hors de la Métropole du Grand Paris"),
    ({"location_latitude": "48.77"}, "la latitude et la longitude"),
    ({"image": "fake"}, "JPEG, PNG ou WebP"),
    ({"image": "no-alt"}, "Décrivez l"),
])
def test_bad_input_is_a_400_with_a_french_error_and_keeps_what_was_typed(client, proposals, resident, category,
                                                                        overrides, message):
    client.force_login(resident)
    data = _form_data(category=category.pk, text="Mon long texte qui ne doit pas être perdu.")
    if overrides.get("image") == "fake":
        overrides = {"image": SimpleUploadedFile("photo.png", b"<script>not an image</script>", "image/png"),
                     "image_alt": "Photo"}
    elif overrides.get("image") == "no-alt":
        overrides = {"image": SimpleUploadedFile("photo.png", image_bytes(), "image/png")}
    data.update(overrides)
    response = client.post(_url(proposals, "create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Il y a un problème" in html
    if "text" not in overrides:
        assert "Mon long texte qui ne doit pas être perdu." in html
    assert not Proposal.objects.exists()


def test_a_failed_submission_shows_similar_proposals(client, proposals, resident, proposal):
    client.force_login(resident)
    html = client.post(_url(proposals, "create"), _form_data(title="Des arbres fruitiers", text="")).content.decode()
    assert proposal.title in html and "Idées semblables déjà proposées" in html


def test_submissions_closed_say_when_and_refuse_a_post(client, proposals, space, step, resident):
    today = timezone.localdate()
    later = StepFactory(space=space, title="Deuxième dépôt", start_date=today + timedelta(days=10),
                        end_date=today + timedelta(days=20))
    configure(proposals, step=step, submissions_open=False)
    configure(proposals, step=later, submissions_open=True)
    client.force_login(resident)
    listing = client.get(_url(proposals)).content.decode()
    assert "Le dépôt des propositions est fermé." in listing and "Ouvre le" in listing
    assert "Déposer une proposition</a>" not in listing
    page = client.get(_url(proposals, "create"))
    assert page.status_code == 200 and "Ouvre le" in page.content.decode()
    response = client.post(_url(proposals, "create"), _form_data())
    assert response.status_code == 403 and "Le dépôt des propositions est fermé." in response.content.decode()
    assert not Proposal.objects.exists()


# --- Editing and withdrawing --------------------------------------------------------------------------

def test_the_author_edits_until_the_first_support_then_the_page_says_why_not(client, proposal, author, resident,
                                                                            category):
    client.force_login(author)
    edit = _url(proposal.component, "edit", proposal.pk)
    assert "Planter des arbres" in client.get(edit).content.decode()
    response = client.post(edit, _form_data(title="Planter des pommiers", text="Nouveau texte", category=category.pk))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Planter des pommiers"

    services.support_add(user=resident, proposal=proposal)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "ne peut plus être modifiée" in page and "Modifier ma proposition</a>" not in page
    blocked = client.get(edit)
    assert blocked.status_code == 200 and "déjà reçu des soutiens" in blocked.content.decode()
    assert "<form" not in blocked.content.decode().split("<main")[1].split("</main>")[0]
    refused = client.post(edit, _form_data(title="Changement tardif", category=category.pk))
    assert refused.status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Planter des pommiers"


def test_someone_else_cannot_edit_or_withdraw(client, proposal, resident, outsider):
    for user in (resident, outsider):
        client.force_login(user)
        assert client.get(_url(proposal.component, "edit", proposal.pk)).status_code == 403
        assert client.post(_url(proposal.component, "withdraw", proposal.pk)).status_code == 403
    proposal.refresh_from_db()
    assert not proposal.is_withdrawn


def test_the_author_withdraws_after_a_confirmation(client, proposal, author):
    client.force_login(author)
    url = _url(proposal.component, "withdraw", proposal.pk)
    confirm = client.get(url).content.decode()
    assert "restera visible" in confirm
    proposal.refresh_from_db()
    assert not proposal.is_withdrawn
    response = client.post(url)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_withdrawn
    assert "Votre proposition est retirée." in client.get(proposal.get_absolute_url()).content.decode()


# --- Supporting ---------------------------------------------------------------------------------------

def test_a_resident_supports_once_and_can_take_it_back(client, proposal, resident):
    client.force_login(resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Soutenir cette proposition" in page
    url = _url(proposal.component, "support", proposal.pk)
    first = client.post(url, follow=True).content.decode()
    assert "Merci\u00a0: vous soutenez cette proposition." in first and "1 soutien" in first
    again = client.post(url, follow=True).content.decode()
    assert "Vous soutenez déjà cette proposition." in again
    assert Support.objects.filter(user=resident).count() == 1
    assert client.get(url).status_code == 405
    client.post(_url(proposal.component, "unsupport", proposal.pk))
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_supporting_sends_anonymous_visitors_to_sign_in(client, proposal):
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Connectez-vous pour soutenir cette proposition" in page
    response = client.post(_url(proposal.component, "support", proposal.pk))
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert not Support.objects.exists()


def test_the_limit_message_names_the_limit_and_remaining_supports_show(client, proposals, step, author, resident):
    configure(proposals, step=step, supports_per_participant=1)
    first, second = _create(proposals, author, "Idée A"), _create(proposals, author, "Idée B")
    client.force_login(resident)
    assert "Vous pouvez encore soutenir 1 proposition ici." in client.get(first.get_absolute_url()).content.decode()
    client.post(_url(proposals, "support", first.pk))
    html = client.post(_url(proposals, "support", second.pk), follow=True).content.decode()
    assert "Vous avez déjà soutenu 1 propositions, le maximum autorisé ici." in html
    assert not Support.objects.filter(proposal=second).exists()


def test_the_threshold_shows_progress_and_marks_reached_proposals(client, proposals, proposal, resident):
    configure(proposals, support_threshold=2)
    services.support_add(user=resident, proposal=proposal)
    html = client.get(_url(proposals)).content.decode()
    assert "1 / 2 soutiens" in html and "Seuil atteint" not in html
    assert "2 soutiens pour être examinée" in html
    services.support_add(user=UserFactory(), proposal=proposal)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "2 / 2 soutiens" in html and "Seuil atteint" in html


def test_the_official_answer_shows_on_the_proposal(client, proposal, agent):
    services.proposal_answer(actor=agent, proposal=proposal, status="rejected",
                             text="Les cours sont trop petites pour des arbres fruitiers.")
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Réponse de Sceaux" in html and "Rejetée" in html
    assert "Les cours sont trop petites" in html


# --- Comments, follows, reports -----------------------------------------------------------------------

def _target(obj):
    return ContentType.objects.get_for_model(obj).pk, obj.pk


def test_residents_comment_with_a_stance_and_the_counter_follows(client, proposal, resident):
    client.force_login(resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Publier mon commentaire" in page
    response = client.post(reverse("participation:comment", args=_target(proposal)),
                           {"body": "Je suis pour !", "stance": "for"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.stance == "for"
    proposal.refresh_from_db()
    assert proposal.comment_count == 1
    assert "Je suis pour !" in client.get(proposal.get_absolute_url()).content.decode()


def test_comments_switched_off_by_the_component_setting(client, proposals, proposal, resident):
    configure(proposals, comments_enabled=False)
    client.force_login(resident)
    assert "Publier mon commentaire" not in client.get(proposal.get_absolute_url()).content.decode()
    response = client.post(reverse("participation:comment", args=_target(proposal)), {"body": "Bonjour"})
    assert response.status_code == 403 and not Comment.objects.exists()


def test_residents_follow_a_proposal(client, proposal, resident):
    client.force_login(resident)
    assert "Suivre" in client.get(proposal.get_absolute_url()).content.decode()
    response = client.post(reverse("participation:follow", args=_target(proposal)))
    assert response.status_code == 302
    assert Follow.objects.filter(user=resident, target_id=proposal.pk).exists()


def test_a_proposal_can_be_reported_and_hidden_by_moderation(client, staff_client, proposal, resident, moderator):
    client.force_login(resident)
    report_url = reverse("participation:report", args=_target(proposal))
    assert report_url in client.get(proposal.get_absolute_url()).content.decode()
    form = client.get(report_url)
    assert form.status_code == 200 and "Des pommiers et des poiriers" in form.content.decode()
    assert client.post(report_url, {"reason": "off_topic"}).status_code == 302
    moderation = staff_client(moderator)
    queue = moderation.get("/gestion/sceaux/moderation/").content.decode()
    assert "Des pommiers et des poiriers" in queue
    moderation.post(reverse("participation_backoffice:hide", args=["sceaux", *_target(proposal)]),
                    {"reason": "Hors sujet"})
    proposal.refresh_from_db()
    assert proposal.is_hidden
    client.force_login(resident)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert proposal.title not in client.get(_url(proposal.component)).content.decode()


# --- Drafts and tenancy -------------------------------------------------------------------------------

def test_an_unpublished_component_is_a_404_for_the_public_and_the_outsider(client, proposals, proposal, outsider,
                                                                          agent):
    proposals.published = False
    proposals.save()
    for user in (None, outsider):
        if user:
            client.force_login(user)
        for url in (_url(proposals), proposal.get_absolute_url(), _url(proposals, "points"),
                    _url(proposals, "similar") + "?title=arbres", _url(proposals, "create")):
            assert client.get(url).status_code == 404, url
        assert client.post(_url(proposals, "support", proposal.pk)).status_code == 404
    login_with_mfa(client, agent)
    assert client.get(_url(proposals)).status_code == 200
    assert "Seule l’équipe de la collectivité voit cette page" in client.get(proposal.get_absolute_url()
                                                                              ).content.decode()


def test_a_draft_space_hides_its_proposals(client, proposals, proposal, outsider):
    Space.objects.filter(pk=proposals.space_id).update(status=Space.Status.DRAFT)
    client.force_login(outsider)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert client.post(_url(proposals, "support", proposal.pk)).status_code == 404


def test_a_component_is_only_reachable_under_its_own_commune(client, proposals, proposal):
    assert client.get(_url(proposals).replace("/sceaux/", "/montreuil/")).status_code == 404
    assert client.get(proposal.get_absolute_url().replace("/sceaux/", "/montreuil/")).status_code == 404


def test_a_proposal_of_another_component_is_a_404(client, proposals, proposal, space):
    from concerto.testing import ComponentFactory

    other = ComponentFactory(space=space, kind="proposals")
    assert client.get(_url(other, "detail", proposal.pk)).status_code == 404


def test_a_place_in_another_commune_is_refused_and_a_place_here_finds_its_commune(client, proposals, resident,
                                                                                  boundaries):
    client.force_login(resident)
    montreuil = client.post(_url(proposals, "create"), _form_data(location_latitude="48.8618",
                                                                  location_longitude="2.4432"))
    assert montreuil.status_code == 400 and "hors de Sceaux" in montreuil.content.decode()
    response = client.post(_url(proposals, "create"), _form_data(location_latitude="48.7787",
                                                                 location_longitude="2.2905"))
    assert response.status_code == 302
    assert Proposal.objects.get().commune == commune("sceaux")


def test_past_the_send_limits_proposals_and_supports_get_the_429_page_and_nothing_is_saved(
        client, rate_limits, proposals, proposal, resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"proposal": (1, 3600), "support": (0, 600)}
    client.force_login(resident)
    category = proposal.category_id
    assert client.post(_url(proposals, "create"), _form_data(category=category)).status_code == 302
    refused = client.post(_url(proposals, "create"), _form_data(title="Encore une idée", category=category))
    assert refused.status_code == 429 and "Vous avez beaucoup envoyé" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert not Proposal.objects.filter(title="Encore une idée").exists()
    refused = client.post(_url(proposals, "support", proposal.pk))
    assert refused.status_code == 429 and "Vous avez beaucoup envoyé" in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_a_phone_photo_is_published_without_its_gps_position_or_device(client, proposals, resident, category):
    from concerto.testing import jpeg_with_gps, stored_image_metadata

    client.force_login(resident)
    photo = SimpleUploadedFile("IMG_2041.jpg", jpeg_with_gps(size=(640, 480)), content_type="image/jpeg")
    response = client.post(_url(proposals, "create"), _form_data(
        category=category.pk, image=photo, image_alt="Le composteur"))
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.image.name.endswith(".jpg") and (proposal.image.width, proposal.image.height) == (640, 480)
    assert stored_image_metadata(proposal.image) == {}
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert proposal.image.url in page

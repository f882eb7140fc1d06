"""Public names: asked at sign-up, unique, and a « Participant NNNN » of one's own for who gives none."""

import importlib

import pytest
from django.apps import apps
from django.template import Context, Template

from concerto import testing
from concerto.core.accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = "/compte/signup/"
PROFILE = "/compte/profil/"
PASSWORD = "un mot de passe solide"


def signup(client, email, display_name):
    return client.post(SIGNUP, {"email": email, "display_name": display_name, "password1": PASSWORD,
                                "password2": PASSWORD})


def test_signup_asks_a_public_name_with_its_help_text_and_requires_it(client):
    page = client.get(SIGNUP).content.decode()
    assert "Nom public ou pseudonyme" in page
    assert "Affiché sur vos contributions\u00a0; un pseudonyme convient" in page
    response = signup(client, "sans-nom@example.org", "")
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not User.objects.filter(email="sans-nom@example.org").exists()


def test_signup_keeps_the_public_name_chosen(client):
    response = signup(client, "louise@example.org", "  Louise   du 92 ")
    assert response.status_code == 302
    assert User.objects.get(email="louise@example.org").public_name == "Louise du 92"


def test_a_public_name_in_use_is_refused_whatever_its_case(client, resident):
    response = signup(client, "autre@example.org", resident.display_name.upper())
    assert response.status_code == 200
    assert "Quelqu’un utilise déjà ce nom public" in response.content.decode()
    assert not User.objects.filter(email="autre@example.org").exists()


def test_default_names_are_reserved_but_one_may_keep_ones_own(client):
    user = testing.UserFactory(display_name="")
    assert user.display_name.startswith("Participant ")
    client.force_login(user)
    data = {"birth_year": "", "residence": "", "gender": ""}
    refused = client.post(PROFILE, {**data, "display_name": "Participant 1"})
    assert "sont réservés aux personnes qui n’en donnent pas" in refused.content.decode()
    kept = client.post(PROFILE, {**data, "display_name": user.display_name})
    assert kept.status_code == 302
    renamed = client.post(PROFILE, {**data, "display_name": "Lou"})
    assert renamed.status_code == 302
    user.refresh_from_db()
    assert user.public_name == "Lou"


def test_accounts_created_without_a_name_never_share_one():
    names = {User.objects.create_user(f"p{n}@example.org", "x").public_name for n in range(40)}
    assert len(names) == 40
    assert all(name.startswith("Participant ") and name.split()[1].isdigit() for name in names)


def test_the_migration_names_everyone_once():
    User.objects.create_user("a@example.org", "x")
    User.objects.create_user("b@example.org", "x")
    User.objects.create_user("c@example.org", "x", display_name="Camille")
    User.objects.create_user("d@example.org", "x", display_name="camille")
    # Accounts from before the migration: no name at all.
    User.objects.filter(email__in=["a@example.org", "b@example.org"]).update(display_name="")
    migration = importlib.import_module("concerto.core.accounts.migrations.0006_public_names")
    migration.give_public_names(apps, None)
    names = dict(User.objects.values_list("email", "display_name"))
    assert names["c@example.org"] == "Camille"
    assert names["d@example.org"] == "camille 2"
    assert names["a@example.org"].startswith("Participant ") and names["b@example.org"].startswith("Participant ")
    assert len({name.casefold() for name in names.values()}) == len(names)


def test_every_template_names_people_through_one_filter(resident):
    render = Template("{% load people %}{{ user|public_name }}|{{ gone|public_name }}|{{ gone|public_name:'x' }}")
    text = render.render(Context({"user": resident, "gone": None}))
    assert text == f"{resident.display_name}|Participant anonyme|x"


def test_no_template_prints_an_author_without_the_filter():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[3]
    pattern = re.compile(r"(author|entered_by|evaluator)\.(public_name|display_name)")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.html") if pattern.search(p.read_text())]
    assert offenders == []

import pytest

from concerto import testing


@pytest.fixture
def superuser(db):
    user = testing.persona("root@metropole.example.org", mfa=True, display_name="Super")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_admin_lists_communes_filtered_by_kind_and_found_by_name(staff_client, superuser):
    client = staff_client(superuser)

    response = client.get("/admin/territory/organisation/", {"kind__exact": "commune", "q": "sceaux"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sceaux" in page
    assert "Vallée Sud-Grand Paris</a>" not in page  # the territory itself is filtered out
    assert "1 collectivité" in page


def test_admin_search_finds_a_commune_by_insee_code(staff_client, superuser):
    response = staff_client(superuser).get("/admin/territory/organisation/", {"q": "93048"})

    assert "Montreuil" in response.content.decode()


def test_admin_change_page_opens_for_a_commune(staff_client, superuser, sceaux):
    response = staff_client(superuser).get(f"/admin/territory/organisation/{sceaux.pk}/change/")

    assert response.status_code == 200
    assert "Code INSEE" in response.content.decode()


def test_admin_refuses_an_accent_colour_too_light_for_white_text(staff_client, superuser, sceaux):
    client = staff_client(superuser)
    url = f"/admin/territory/organisation/{sceaux.pk}/change/"
    data = {"kind": "commune", "name": "Sceaux", "slug": "sceaux", "parent": sceaux.parent_id,
            "insee_code": "92071", "postcodes": '["92330"]', "accent_color": "#fbbf24"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Cette couleur est trop claire pour un texte blanc" in response.content.decode()
    sceaux.refresh_from_db()
    assert sceaux.accent_color == ""


def test_agent_without_staff_status_cannot_open_the_admin(staff_client, outsider):
    response = staff_client(outsider).get("/admin/territory/organisation/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

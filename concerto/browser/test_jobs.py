"""A long back-office task in the worker: an agent uploads the census list on a phone, the page shows a
progress bar while the job waits and runs, then its outcome (htmx asks again every two seconds; a plain
"Actualiser" link does the same without JavaScript). axe at 360 px and at 1280 px."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.accounts import verification
from concerto.testing import commune, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENSUS = "nom;prénom;date de naissance\n" + "".join(f"Martin{n};Camille;14/07/1985\n" for n in range(3000))


def test_an_agent_follows_a_census_upload_then_reads_its_outcome(page, site, axe_check, settings, tmp_path,
                                                                  monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the job waits for the worker
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    census = tmp_path / "liste.csv"
    census.write_text(CENSUS, encoding="utf-8")

    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(site.url + reverse("backoffice:verification_census", args=["sceaux"]))
    page.get_by_label("Liste des habitants (fichier CSV)").set_input_files(census)
    page.get_by_role("button", name="Déposer la liste").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1, name="Liste des habitants de Sceaux")).to_be_visible()
    bar = page.get_by_role("progressbar", name="En attente du processus de tâches…")
    expect(bar).to_be_visible()
    expect(page.get_by_role("link", name="Actualiser")).to_be_visible()
    axe_check(page)

    # The worker runs the job; the page, still open, shows its outcome by itself.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    expect(page.get_by_text("La liste des habitants est remplacée\u00a0: 3000 personnes")).to_be_visible(
        timeout=10_000)
    expect(bar).to_have_count(0)
    assert verification.setup_for(organisation=sceaux).census_size == 3000
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    axe_check(page)
    page.get_by_role("link", name="Toutes les tâches").click()
    expect(page.get_by_role("cell", name="Terminée")).to_be_visible()
    axe_check(page)

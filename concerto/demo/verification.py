"""The demo's online verification: Sceaux has a census list and sends codes, so a resident can verify from
home and vote in Sceaux's participatory budget without going to the town hall (see README.md)."""

from concerto.core.accounts import verification
from concerto.core.spaces.models import Component

# Sceaux's census list in the demo: what a visitor types on « Vérifier ma résidence » (the persona
# habitant@sceaux.demo is Camille Martin, born on 14/07/1985). Real lists hold thousands of people.
SCEAUX_CENSUS = """nom;prénom;date de naissance
Martin;Camille;14/07/1985
Dubois;Angela Claire Louise;24/08/1962
Lefèvre;Jeanne;02/03/1990
Nguyen;Minh;30/11/1978
"""


def demo_load(*, actor, organisation) -> None:
    """ORGANISATION verifies online: census list, codes by text message (written to the server's log in the
    demo) and by post, FranceConnect where the installation has it; its budgets' votes need a verification."""
    verification.census_upload(agent=actor, organisation=organisation, data=SCEAUX_CENSUS.encode())
    verification.setup_update(agent=actor, organisation=organisation, sms_enabled=True, post_enabled=True,
                              franceconnect_enabled=True)
    for component in Component.objects.filter(space__organisation=organisation, kind="budgets"):
        component.settings = {**component.settings, "vote_requires_verification": True}
        component.save(update_fields=["settings"])

"""The demo's concertation plans, actors and print kit (`manage.py load_demo`): Montreuil's local plan (PLU) has a
published plan with actors of its directory and a poster with a few scans; Sceaux's garden of the Ménagerie, in
preparation, a draft plan. Safe to run again (the plans are written over, the actors found by name, the poster by
its title). Montreuil also sent a campaign to the 15-29 year-olds who asked for invitations to take part (four demo
residents), with a few opens and visits. A member of the Maison de quartier Lounès-Matoub (`asso@montreuil.demo`)
comments « au nom de » it on the item the demo hands over (one of Montreuil's budget projects: the kernel imports
no component)."""

import datetime

from django.utils import timezone

from concerto.core.mobilisation import campaigns, kits, links, members, services
from concerto.core.mobilisation.models import Actor, ActorMember, Campaign, Plan, PrintKit
from concerto.core.participation.models import Comment
from concerto.core.participation.services import comment_create

MONTREUIL_ACTORS = (
    ("Maison de quartier Lounès-Matoub", "association", "La Noue, Clos-Français", True,
     "Centre social : accueil, ateliers, accompagnement des familles."),
    ("Collège Jean-Jaurès", "school", "Centre-ville", False, "Collège public, 600 élèves."),
    ("Association des commerçants du Bas-Montreuil", "trader", "Bas-Montreuil", False,
     "Fédère une centaine de commerces de proximité."),
    ("Collectif Murs à pêches", "collective", "Saint-Antoine, Murs-à-Pêches", False,
     "Habitants et jardiniers qui font vivre les murs à pêches."),
    ("Bailleur social Montreuil Habitat", "public_body", "La Noue, Le Morillon", True,
     "Office public de l'habitat de la ville."),
)


def _actor(organisation, actor, name, kind, quartiers, priority, description):
    item = Actor.objects.filter(organisation=organisation, name=name).first()
    return services.actor_save(actor=actor, organisation=organisation, existing=item, values={
        "name": name, "kind": kind, "quartiers": quartiers, "priority_area": priority, "description": description,
        "website": ""})


def demo_load(*, montreuil_actor, plu, sceaux_actor, menagerie, association_member=None, behalf_target=None) -> None:
    actors = [_actor(plu.organisation, montreuil_actor, *row) for row in MONTREUIL_ACTORS]
    plan = services.plan_of(plu)
    plan.stakeholders.all().delete()
    plan.milestones.all().delete()
    today = timezone.localdate()
    sections = dict((section.slug, section) for section in services.SECTIONS)
    services.plan_section_save(actor=montreuil_actor, plan=plan, section=sections["question"], values={
        "question": "Quelle ville voulons-nous en 2040\u00a0: où construire, où garder des espaces verts, comment "
                    "se déplacer\u00a0?",
        "open_to_change": "Les orientations d'aménagement des quartiers, la place de la nature en ville, les "
                          "hauteurs et la densité autour des futures gares, les règles pour les commerces.",
        "not_open": "Les objectifs de logement fixés par la loi et par le schéma directeur régional s'imposent "
                    "au PLU\u00a0: le nombre de logements à construire n'est pas soumis à la concertation."})
    services.plan_section_save(actor=montreuil_actor, plan=plan, section=sections["decision"], values={
        "decision": "Le projet de PLU arrêté puis approuvé après l'enquête publique.",
        "decision_maker": "Le conseil municipal de Montreuil",
        "decision_date": today + datetime.timedelta(days=200)})
    services.plan_section_save(actor=montreuil_actor, plan=plan, section=sections["publics"], values={
        "age_bands": ["15-29", "75+"], "actor_kinds": ["association", "trader", "school"],
        "quartiers": "La Noue, Le Morillon, Bel-Air", "priority_areas": True,
        "publics_note": "Les réunions publiques du diagnostic ont surtout réuni des propriétaires de plus de "
                        "60 ans\u00a0: les jeunes, les locataires du parc social et les commerçants sont à aller "
                        "chercher."})
    for actor, role, reached_by in zip(actors, (
            "Co-organiser les ateliers de La Noue", "Un débat en classe de 3e", "Relayer l'enquête en boutique",
            "Une marche exploratoire", "Affichage dans les halls"), (
            "Réunion de lancement", "Professeurs d'histoire-géographie", "Lettre du président",
            "Réunion du collectif", "Chargée de concertation du bailleur"), strict=True):
        services.stakeholder_add(actor=montreuil_actor, plan=plan,
                                 values={"actor": actor, "name": "", "role": role, "reached_by": reached_by})
    for days, kind, title, public in ((-50, "posters", "Affiches dans les halls d'immeuble", "Locataires"),
                                      (-30, "relay", "Lettre des commerçants", "Commerçants"),
                                      (-4, "event", "Atelier de quartier à La Noue", "Habitants de La Noue"),
                                      (10, "event", "Marche exploratoire aux Murs à pêches", "Tous"),
                                      (20, "campaign", "Message aux 18-29 ans abonnés", "15-29 ans")):
        services.milestone_add(actor=montreuil_actor, plan=plan, values={
            "date": today + datetime.timedelta(days=days), "kind": kind, "title": title, "public": public})
    services.plan_section_save(actor=montreuil_actor, plan=plan, section=sections["canaux"],
                               values={"channels": ["web", "events", "street", "print", "partners", "chat"]})
    services.plan_section_save(actor=montreuil_actor, plan=plan, section=sections["retours"], values={
        "feedback": "Un bilan de la concertation, public, dira pour chaque thème ce qui a été retenu et "
                    "pourquoi\u00a0; chaque contribution recevra une réponse dans son suivi.",
        "feedback_date": today + datetime.timedelta(days=100)})
    services.plan_publish(actor=montreuil_actor, plan=plan)
    draft = services.plan_of(menagerie)
    services.plan_section_save(actor=sceaux_actor, plan=draft, section=sections["question"], values={
        "question": "Que souhaitez-vous pour le jardin de la Ménagerie\u00a0?",
        "open_to_change": "Les jeux, les bancs, les plantations, les horaires.", "not_open": ""})
    if draft.status != Plan.Status.DRAFT:
        services.plan_unpublish(actor=sceaux_actor, plan=draft)
    _poster(montreuil_actor, plu)
    _campaign(montreuil_actor, plu)
    if association_member is not None and behalf_target is not None:
        _on_behalf(montreuil_actor, actors[0], association_member, behalf_target)


def _poster(actor, plu) -> None:
    """An A4 poster for the PLU, scanned a few times over the last weeks (once: found by its title)."""
    title = "Quelle ville voulons-nous en 2040\u00a0?"
    if PrintKit.objects.filter(organisation=plu.organisation, title=title).exists():
        return
    target = kits.target_of(plu.organisation, f"space:{plu.pk}")
    if target is None:  # the space is not published
        return
    kit = kits.kit_create(actor=actor, organisation=plu.organisation, target=target, format="poster_a4", title=title,
                          text="Le plan local d'urbanisme se prépare\u00a0: dites-nous où construire, où garder des "
                               "espaces verts et comment se déplacer. Scannez et donnez votre avis.")
    today = timezone.localdate()
    for days_ago, visits in ((40, 3), (21, 9), (12, 5), (3, 4), (0, 2)):
        for _visit in range(visits):
            links.short_link_count(link=kit.link, day=today - datetime.timedelta(days=days_ago))


YOUNG_RESIDENTS = (("ines.montreuil@demo.concerto.test", "Inès B.", 19), ("yanis.montreuil@demo.concerto.test",
                   "Yanis K.", 23), ("lou.montreuil@demo.concerto.test", "Lou M.", 27),
                   ("malik.montreuil@demo.concerto.test", "Malik S.", 52))


def _campaign(actor, plu) -> None:
    """Montreuil's campaign to the 15-29 year-olds about the PLU, sent once (found by its subject)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    subject = "Le PLU, c’est votre ville dans quinze ans"
    organisation = plu.organisation
    if Campaign.objects.filter(organisation=organisation, subject=subject).exists():
        return
    year = timezone.localdate().year
    for email, name, age in YOUNG_RESIDENTS:
        person, created = get_user_model().objects.get_or_create(email=email, defaults={
            "display_name": name, "residence": organisation, "birth_year": year - age,
            "demographics_consent_at": timezone.now()})
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
            EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        campaigns.campaign_optin(user=person)
    campaign = campaigns.campaign_save(
        actor=actor, organisation=organisation, channel="email", subject=subject, space=plu,
        text="Où construire, où garder des espaces verts, comment se déplacer\u00a0: la concertation sur le plan "
             "local d’urbanisme est ouverte jusqu’au printemps. Dix minutes suffisent pour donner votre avis.",
        target=plu.get_absolute_url(), segment={"age_band": "15-29"})
    campaigns.campaign_send(actor=actor, campaign=campaign)
    while campaigns.campaign_batch.call(campaign.pk):  # the demo sends at once, without the worker
        pass
    campaign.refresh_from_db()
    Campaign.objects.filter(pk=campaign.pk).update(opens=2)
    for _visit in range(2):
        links.short_link_count(link=campaign.link)
def _on_behalf(agent, association, person, target) -> None:
    """PERSON, a confirmed member of ASSOCIATION, comments on TARGET on its behalf (once)."""
    if not ActorMember.objects.filter(actor=association, user=person).exists():
        members.member_confirm(user=person, member=members.member_add(actor=agent, item=association,
                                                                      email=person.email))
    body = ("La Maison de quartier soutient ce projet\u00a0: nos ateliers du mercredi peuvent aider à le faire "
            "vivre avec les familles de La Noue.")
    if not Comment.objects.filter(author=person, body=body).exists():
        comment_create(author=person, target=target, body=body, on_behalf_of=association)

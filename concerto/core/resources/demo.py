"""The resource centre of the demo (`manage.py load_demo`): the guides the issue lists, written in plain French, and
five templates published by the Métropole: two made from the demo's spaces (Sceaux's participatory budget,
Montreuil's local-plan consultation), three written out (reports service, youth consultation and debate,
neighbourhood walk); and the network of practice's first exchanges (`network_demo_load`)."""

from concerto.core.participation.services import comment_create
from concerto.core.resources import services
from concerto.core.resources.models import Guide, NetworkQuestion, ProcessTemplate, SharedExample
from concerto.core.spaces.models import Space

GUIDES = [
    ("budget-participatif", "method", "Mener un budget participatif",
     "Les étapes d'un budget participatif, de l'enveloppe au suivi des projets réalisés.",
     "<p>Un budget participatif confie aux habitants le choix de projets financés par une part du budget "
     "d'investissement de la collectivité.</p>"
     "<ol><li><strong>Fixer le cadre.</strong> Le conseil municipal vote l'enveloppe et un règlement\u00a0: qui peut "
     "proposer, qui peut voter (âge, résidence), quels projets sont recevables (investissement, intérêt général, "
     "compétence de la commune).</li>"
     "<li><strong>Recueillir les idées.</strong> En ligne, sur papier en mairie et lors de stands dans les "
     "quartiers.</li>"
     "<li><strong>Étudier la faisabilité.</strong> Les services estiment le coût de chaque projet et publient les "
     "raisons de chaque refus.</li>"
     "<li><strong>Faire voter.</strong> En ligne et sur papier, avec des horaires et des lieux accessibles.</li>"
     "<li><strong>Réaliser et rendre compte.</strong> Suivez publiquement chaque projet lauréat jusqu'à sa "
     "livraison.</li></ol>"
     "<p>Conseil\u00a0: annoncez le calendrier complet dès le départ, et dites ce que deviennent les idées non "
     "retenues.</p>"),
    ("concertation-plu", "method", "Concerter sur un plan local d'urbanisme",
     "Associer les habitants pendant toute l'élaboration ou la révision du PLU.",
     "<p>L'élaboration et la révision d'un plan local d'urbanisme font l'objet d'une concertation obligatoire "
     "(code de l'urbanisme, article L103-2). Dans la Métropole du Grand Paris, le PLU intercommunal est élaboré "
     "par l'établissement public territorial\u00a0; Paris a son propre PLU.</p>"
     "<ul><li>La délibération qui lance la procédure fixe les objectifs poursuivis et les modalités de la "
     "concertation (article L103-3).</li>"
     "<li>Le public doit pouvoir accéder aux informations et formuler des observations et propositions, qui sont "
     "enregistrées et conservées (article L103-4).</li>"
     "<li>À la fin, le bilan de la concertation est présenté à l'assemblée, qui en délibère\u00a0; il est joint au "
     "dossier de l'enquête publique (article L103-6).</li></ul>"
     "<p>En pratique\u00a0: un diagnostic partagé, des ateliers par quartier, un questionnaire en ligne et sur papier, "
     "puis un bilan public qui dit ce qui a été retenu et pourquoi.</p>"),
    ("debat-jeunes", "method", "Organiser un débat avec les jeunes",
     "Aller vers les jeunes, leur donner la parole et leur répondre.",
     "<ul><li>Allez là où ils sont\u00a0: collèges, lycées, missions locales, clubs de sport, réseaux sociaux.</li>"
     "<li>Préférez des formats courts\u00a0: sondages rapides, questions posées par messagerie, un débat avec les élus "
     "sur un thème qu'ils ont choisi.</li>"
     "<li>Répondez à chaque question, même par un refus motivé, et dites quand.</li>"
     "<li>Données personnelles\u00a0: en France, un mineur peut consentir seul au traitement de ses données pour un "
     "service en ligne à partir de 15 ans\u00a0; en dessous, l'accord d'un parent est nécessaire. Ne demandez que ce "
     "qui sert.</li></ul>"),
    ("habitants-qpv", "inclusion", "Toucher les habitants des quartiers prioritaires",
     "Aller vers celles et ceux qui participent le moins.",
     "<p>Les habitants des quartiers prioritaires de la politique de la ville (QPV) sont souvent moins présents "
     "dans les réunions publiques. Quelques pratiques qui aident\u00a0:</p>"
     "<ul><li>Aller vers\u00a0: stands au pied des immeubles, sur le marché, à la sortie des écoles.</li>"
     "<li>Passer par les relais\u00a0: centres sociaux, associations, conseils citoyens, gardiens, médiateurs.</li>"
     "<li>Proposer plusieurs canaux\u00a0: papier, SMS, messagerie, en plus du site.</li>"
     "<li>Choisir des horaires et des lieux accessibles, et un français simple\u00a0; traduire si besoin.</li>"
     "<li>Mesurer qui a participé pendant la démarche, pour corriger avant la fin.</li></ul>"),
    ("obligations-legales", "law", "Les obligations légales de la participation du public",
     "Ce que disent le code de l'urbanisme et le code de l'environnement, en bref.",
     "<p>Cette fiche résume\u00a0; elle ne remplace pas les textes en vigueur, à lire sur Légifrance.</p>"
     "<h2>Code de l'urbanisme</h2>"
     "<p>Les articles L103-2 et suivants imposent une concertation associant, pendant toute la durée de "
     "l'élaboration du projet, les habitants, les associations locales et les autres personnes concernées, "
     "notamment pour l'élaboration et la révision du PLU et pour certains projets et opérations d'aménagement. "
     "Ses objectifs et modalités sont fixés à l'avance\u00a0; son bilan est rendu public.</p>"
     "<h2>Code de l'environnement</h2>"
     "<p>L'article L120-1 fixe les objectifs de la participation du public aux décisions qui ont une incidence "
     "sur l'environnement\u00a0: chacun a le droit d'accéder aux informations pertinentes, de disposer de délais "
     "raisonnables pour formuler des observations et propositions, et d'être informé de la manière dont elles "
     "ont été prises en compte.</p>"
     "<ul><li>Débat public et concertation préalable\u00a0: articles L121-1 et suivants (Commission nationale du débat "
     "public).</li>"
     "<li>Enquête publique, conduite par un commissaire enquêteur\u00a0: articles L123-1 et suivants.</li>"
     "<li>Participation du public par voie électronique, pour certains projets, plans et programmes sans enquête "
     "publique\u00a0: article L123-19.</li></ul>"
     "<p>Dans tous les cas\u00a0: informer tôt, laisser le temps de contribuer, publier ce qui a été retenu et "
     "pourquoi.</p>"),
    ("marche-exploratoire", "method", "Organiser une marche exploratoire",
     "Parcourir un quartier avec ses habitantes et habitants pour repérer ce qui doit changer.",
     "<ol><li>Préparez le parcours avec un petit groupe d'habitants, souvent des habitantes, à des heures "
     "différentes (jour, soir).</li>"
     "<li>Pendant la marche, notez les constats\u00a0: éclairage, cheminements, propreté, sentiment de sécurité.</li>"
     "<li>Restituez les constats aux services et aux élus, puis rendez compte de ce qui sera fait.</li></ol>"),
]

QUESTIONS_YOUTH = {
    "intro": "<p>Tes idées pour la ville, en cinq minutes.</p>",
    "sections": [{"title": "Toi et ta ville", "description": "", "questions": [
        {"kind": "multiple", "label": "Quels sujets comptent le plus pour toi\u00a0?", "required": True,
         "options": ["Sport et loisirs", "Transports", "Études et emploi", "Climat", "Sécurité"],
         "other_option": True, "condition": None},
        {"kind": "scale", "label": "Te sens-tu écouté par la mairie\u00a0?", "scale": "1-5",
         "scale_min_label": "Pas du tout", "scale_max_label": "Tout à fait", "options": [], "condition": None},
        {"kind": "long_text", "label": "Quelle question poserais-tu aux élus\u00a0?", "options": [],
         "condition": None},
    ]}],
}


def _guides_load() -> dict:
    guides = {}
    for position, (slug, topic, title, summary, body) in enumerate(GUIDES):
        guides[slug], _created = Guide.objects.get_or_create(
            slug=slug, defaults={"topic": topic, "title": title, "summary": summary, "body": body,
                                 "position": position})
    return guides


def _step(title, offset, days, guidance="", description=""):
    return {"title": title, "description": description, "guidance": guidance, "offset_days": offset,
            "duration_days": days}


def _component(kind, title, *, content=None, step_settings=None):
    return {"kind": kind, "title": title, "settings": {}, "step_settings": step_settings or {},
            "verified_actions": [], "content": content or {}}


def demo_load(*, actor, metropole) -> int:
    """Load the guides and templates once. Returns how many templates it made."""
    guides = _guides_load()
    if ProcessTemplate.objects.exists():
        return 0
    made = 0
    from_spaces = [
        ("sceaux", "budget-participatif-2026", "Budget participatif", ProcessTemplate.Kind.BUDGET,
         "Des idées des habitants au vote, puis au suivi des projets réalisés.", ["budget-participatif"],
         ["Annoncez l'enveloppe et le règlement avant d'ouvrir les dépôts.",
          "Publiez les raisons de chaque refus.", "Ouvrez aussi le vote sur papier en mairie.",
          "Suivez chaque projet lauréat publiquement."]),
        ("montreuil", "plan-local-urbanisme", "Concertation sur le plan local d'urbanisme (PLU)",
         ProcessTemplate.Kind.PLANNING,
         "Une concertation réglementaire\u00a0: diagnostic, ateliers, questionnaire, bilan.",
         ["concertation-plu", "obligations-legales"],
         ["Présentez les objectifs fixés par la délibération.", "Un atelier par quartier, en soirée.",
          "Joignez le bilan de la concertation au dossier d'enquête publique."]),
    ]
    for org_slug, slug, name, kind, summary, guide_slugs, guidance in from_spaces:
        space = Space.objects.filter(organisation__slug=org_slug, slug=slug).first()
        if space is not None:
            services.template_publish(actor=actor, organisation=metropole, space=space, name=name, summary=summary,
                                      kind=kind, audience=ProcessTemplate.Audience.EVERYONE, guidance=guidance,
                                      guides=[guides[s] for s in guide_slugs])
            made += 1
    declared = [
        ("service-signalements", "Service de signalements", ProcessTemplate.Kind.REPORTS,
         ProcessTemplate.Audience.EVERYONE, "Un service ouvert toute l'année pour signaler un problème dans "
         "l'espace public, suivi jusqu'à sa résolution.",
         [_step("Service ouvert", 0, 365, "<p>Dites sous combien de jours les services répondent, et tenez-le.</p>")],
         [_component("reports", "Signaler un problème"), _component("news", "Actualités")], []),
        ("consultation-jeunes", "Consultation des jeunes avec messagerie et débat", ProcessTemplate.Kind.DEBATE,
         ProcessTemplate.Audience.YOUTH, "Les jeunes répondent par messagerie ou en ligne, posent leurs questions "
         "aux élus, puis en débattent avec eux.",
         [_step("Questions des jeunes", 0, 21, "<p>Diffusez le lien et le numéro de messagerie dans les lycées et "
                "les missions locales.</p>"),
          _step("Débat avec les élus", 21, 7, "<p>Un débat court, animé par des jeunes.</p>"),
          _step("Réponses", 28, 30, "<p>Publiez une réponse à chaque question.</p>")],
         [_component("consultations", "Ton avis en cinq minutes", content=QUESTIONS_YOUTH,
                     step_settings={"1": {"answers_open": False}, "2": {"answers_open": False}}),
          _component("questions", "Pose ta question aux élus"),
          _component("polls", "Sondages rapides"),
          _component("events", "Le débat")],
         ["debat-jeunes"]),
        ("marche-exploratoire", "Marche exploratoire", ProcessTemplate.Kind.WALK,
         ProcessTemplate.Audience.NEIGHBOURHOOD,
         "Parcourir un quartier avec ses habitantes et habitants, noter ce qui doit changer, rendre compte.",
         [_step("Préparation du parcours", 0, 14, "<p>Constituez le groupe avec les relais du quartier.</p>"),
          _step("Marche", 14, 1, "<p>Une marche de jour, une de soir.</p>"),
          _step("Restitution", 15, 30, "<p>Présentez les constats aux services et aux élus.</p>")],
         [_component("events", "Les marches"),
          _component("proposals", "Les constats",
                     content={"categories": ["Éclairage", "Cheminements", "Propreté", "Sentiment de sécurité"]}),
          _component("news", "Actualités")],
         ["marche-exploratoire", "habitants-qpv"]),
    ]
    for slug, name, kind, audience, summary, steps, components, guide_slugs in declared:
        services.template_declare(actor=actor, organisation=metropole, slug=slug, name=name, summary=summary,
                                  kind=kind, audience=audience, steps=steps, components=components,
                                  description=summary, guides=[guides[s] for s in guide_slugs])
        made += 1
    return made


def network_demo_load(*, sceaux_actor, montreuil_actor) -> None:
    """The network of practice (issue 18), once: Sceaux shares its participatory budget as an example, Montreuil's
    agent comments on the Métropole's budget template and asks the network a question, Sceaux's agent answers."""
    if SharedExample.objects.exists() or NetworkQuestion.objects.exists():
        return
    budget = Space.objects.filter(organisation__slug="sceaux", slug="budget-participatif-2026").first()
    if budget is not None and budget.is_published:
        services.example_share(
            actor=sceaux_actor, organisation=budget.organisation, space=budget, kind=ProcessTemplate.Kind.BUDGET,
            topics=budget.topics.all(),
            text="Ce qui a marché\u00a0: six semaines de dépôt des idées, annoncées dans le journal municipal, et le "
                 "vote sur papier en mairie et sur les marchés (38\u202f% des votes).\n"
                 "À éviter\u00a0: refuser une idée sans dire pourquoi\u00a0; publiez chaque raison.\n"
                 "Chiffres\u00a0: 212 idées, 41 projets soumis au vote, 2\u202f870 votants.")
    template = ProcessTemplate.objects.published().filter(kind=ProcessTemplate.Kind.BUDGET).first()
    if template is not None:
        comment_create(author=montreuil_actor, target=template,
                       body="Nous l'avons repris à Montreuil\u00a0: prévoyez trois semaines pour l'étude de "
                            "faisabilité, les services en ont eu besoin.")
    question = services.network_question_ask(
        actor=montreuil_actor, organisation=montreuil_actor.roles.first().organisation,
        title="Comment faire voter les moins de 25\u00a0ans à un budget participatif\u00a0?",
        body="À Montreuil, ils ont fait 3\u202f% des votes l'an dernier. Qu'avez-vous essayé\u00a0?")
    comment_create(author=sceaux_actor, target=question,
                   body="À Sceaux, un stand au lycée Lakanal et le vote par messagerie\u00a0: 12\u202f% des votes "
                        "viennent des moins de 25\u00a0ans.")

"""The DCAT-AP catalogue of every dataset of every scope, built as an rdflib graph (one graph, two
serialisations: JSON-LD and Turtle), kept in the cache until a file is written again."""

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from concerto.core.opendata import datasets, files
from concerto.core.opendata.models import OpenDataFile
from concerto.core.territory.models import Organisation

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"
SIRENE = "https://data.siren-api.fr/"  # not dereferenceable by itself; the SIREN is also given as dct:identifier
FILE_TYPES = {"csv": "CSV", "json": "JSON", "geojson": "GEOJSON"}
CATALOGUE_SECONDS = 3600

LICENCES = {
    "etalab-2.0": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "Licence Ouverte 2.0"),
    "odbl-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "Open Database License (ODbL) 1.0"),
}
METROPOLE = {"name": "Métropole du Grand Paris", "siren": "200054781"}


def licence_of(organisation: Organisation | None) -> tuple[str, str]:
    code = getattr(organisation, "open_data_licence", "") or "etalab-2.0"
    return LICENCES.get(code, LICENCES["etalab-2.0"])


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _publisher(graph: Graph, organisation: Organisation | None) -> URIRef:
    name = organisation.name if organisation is not None else METROPOLE["name"]
    siren = organisation.siren if organisation is not None else METROPOLE["siren"]
    node = URIRef(site_url(organisation.get_absolute_url() if organisation is not None else "/"))
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, Literal(name, lang="fr")))
    graph.add((node, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority")))
    if siren:
        graph.add((node, DCTERMS.identifier, Literal(siren)))
    return node


def _contact(graph: Graph, organisation: Organisation | None) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, VCARD.Organization))
    graph.add((node, VCARD.fn, Literal(organisation.name if organisation is not None else METROPOLE["name"])))
    email = getattr(organisation, "contact_email", "") or settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].strip(">")
    if email:
        graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    graph.add((node, VCARD.hasURL, URIRef(site_url(reverse("opendata:index")))))
    return node


def dataset_path(published: datasets.Published, organisation: Organisation | None) -> str:
    return reverse("opendata:dataset", args=[datasets.scope_slug(organisation), published.dataset.name])


def download_path(published: datasets.Published, organisation: Organisation | None, fmt: str) -> str:
    return reverse("opendata:download", args=[datasets.scope_slug(organisation), published.dataset.name, fmt])


def related_files(published: datasets.Published, organisation: Organisation | None) -> list[tuple]:
    """The files of PUBLISHED that its component serves itself, (title, path, media type, EU file type)."""
    related = published.dataset.related
    if related is None:
        return []
    return list(related(components=datasets.scope_components(organisation, published.kind), organisation=organisation))


def dataset_url(published: datasets.Published, organisation: Organisation | None) -> str:
    return site_url(dataset_path(published, organisation))


def download_url(published: datasets.Published, organisation: Organisation | None, fmt: str) -> str:
    return site_url(download_path(published, organisation, fmt))


def build() -> Graph:
    """The catalogue as a graph: every dataset of every scope with a published space."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    written = {(f.dataset, f.organisation_id, f.format): f for f in OpenDataFile.objects.all()}
    scopes = files.scopes()
    catalog = URIRef(site_url(reverse("opendata:catalogue", args=["ttl"])).removesuffix(".ttl"))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Concerto : données ouvertes de la participation", lang="fr")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Les jeux de données ouverts de la participation citoyenne des communes de la Métropole du Grand Paris : "
        "espaces, propositions, budgets participatifs, signalements, rencontres, sondages et participation.",
        lang="fr")))
    graph.add((catalog, DCTERMS.publisher, _publisher(graph, scopes[0])))
    graph.add((catalog, FOAF.homepage, URIRef(site_url(reverse("opendata:index")))))
    graph.add((catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/FRA")))
    with translation.override("fr"):
        for organisation in scopes:
            for published in datasets.scope_datasets(organisation):
                graph.add((catalog, DCAT.dataset, _dataset(graph, published, organisation, written)))
    return graph


def _dataset(graph, published, organisation, written) -> URIRef:
    dataset = published.dataset
    node = URIRef(dataset_url(published, organisation))
    where = organisation.name if organisation is not None else METROPOLE["name"]
    licence, _licence_name = licence_of(organisation)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(f"{datasets.scope_slug(organisation)}/{dataset.name}")))
    graph.add((node, DCTERMS.title, Literal(f"{dataset.title} ({where})", lang="fr")))
    graph.add((node, DCTERMS.description, Literal(str(dataset.description), lang="fr")))
    graph.add((node, DCTERMS.publisher, _publisher(graph, organisation)))
    graph.add((node, DCTERMS.accrualPeriodicity, URIRef(EU_FREQUENCY + dataset.frequency)))
    graph.add((node, DCAT.theme, URIRef(EU_THEME + dataset.theme)))
    graph.add((node, DCAT.contactPoint, _contact(graph, organisation)))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCAT.keyword, Literal("participation citoyenne", lang="fr")))
    if organisation is not None and organisation.insee_code:
        graph.add((node, DCTERMS.spatial, URIRef(INSEE_COMMUNE + organisation.insee_code)))
    elif organisation is None or organisation.kind == Organisation.Kind.METROPOLE:
        graph.add((node, DCTERMS.spatial, URIRef("http://id.insee.fr/geo/intercommunalite/" + METROPOLE["siren"])))
    modified = None
    for fmt in files.formats(dataset):
        record = written.get((dataset.name, organisation.pk if organisation is not None else None, fmt))
        distribution = URIRef(download_url(published, organisation, fmt))
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.accessURL, node))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add((distribution, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/"
                                                         + files.MEDIA_TYPES[fmt])))
        graph.add((distribution, DCTERMS.format, URIRef(EU_FILE_TYPE + FILE_TYPES[fmt])))
        graph.add((distribution, DCTERMS.license, URIRef(licence)))
        graph.add((distribution, DCTERMS.title, Literal(f"{dataset.title} ({fmt.upper()})", lang="fr")))
        if record is not None:
            # "274.0": the lexical form Turtle's decimal shorthand writes, so both serialisations read back the same.
            graph.add((distribution, DCAT.byteSize, Literal(f"{record.size}.0", datatype=XSD.decimal)))
            graph.add((distribution, DCTERMS.modified, Literal(record.generated_at, datatype=XSD.dateTime)))
            modified = max(modified or record.generated_at, record.generated_at)
    for title, path, media_type, file_type in related_files(published, organisation):
        distribution = URIRef(site_url(path))
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.accessURL, node))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add((distribution, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media_type)))
        graph.add((distribution, DCTERMS.format, URIRef(EU_FILE_TYPE + file_type)))
        graph.add((distribution, DCTERMS.license, URIRef(licence)))
        graph.add((distribution, DCTERMS.title, Literal(str(title), lang="fr")))
    if modified is not None:
        graph.add((node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.license, URIRef(licence)))
    return node


def serialised(fmt: str) -> str:
    """The catalogue as JSON-LD ("jsonld") or Turtle ("ttl"), from the cache when it holds it."""
    cached = cache.get(files.CATALOGUE_CACHE_KEY) or {}
    if fmt not in cached:
        graph = build()
        cached = {"jsonld": graph.serialize(format="json-ld", auto_compact=True),
                  "ttl": graph.serialize(format="turtle")}
        cache.set(files.CATALOGUE_CACHE_KEY, cached, CATALOGUE_SECONDS)
    return cached[fmt]

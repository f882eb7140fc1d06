"""The registry of components (and later channels).

Each component ships a `manifest.py` that calls `register(ComponentManifest(...))`. At start-up,
CoreConfig.ready() imports the `manifest` module of every installed app, so adding a component touches
its own folder and INSTALLED_APPS, nothing else. Core reads components only through their manifests.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import rules
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string, module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Deferred:
    """A manifest's hook (an export, statistics, a summary, personal data...) named by the dotted PATH of
    a function, imported at its first call: manifests are read while the apps load, before a component's
    models and services can be imported."""

    path: str

    def __call__(self, *args, **kwargs):
        return import_string(self.path)(*args, **kwargs)


@dataclass(frozen=True)
class Setting:
    """A typed setting of a component, global or per step."""

    name: str
    type: type  # bool, int, str
    default: Any
    label: str = ""
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    min_value: int | None = None
    max_value: int | None = None

    def clean(self, raw: Any) -> Any:
        """Turn RAW (from a form, JSON or the database) into a value of the setting's type."""
        if raw is None or raw == "":
            return self.default if self.type is not bool else False
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in {"1", "true", "on", "yes"}:
                return True
            if str(raw).lower() in {"0", "false", "off", "no"}:
                return False
            raise ValidationError(_("“%(value)s” is not yes or no.") % {"value": raw})
        if self.type is int:
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": raw}) from None
            if self.min_value is not None and value < self.min_value:
                raise ValidationError(_("The value must be at least %(min)s.") % {"min": self.min_value})
            if self.max_value is not None and value > self.max_value:
                raise ValidationError(_("The value must be at most %(max)s.") % {"max": self.max_value})
            return value
        value = str(raw).strip()
        if self.choices and value not in {key for key, _label in self.choices}:
            raise ValidationError(_("“%(value)s” is not one of the allowed choices.") % {"value": value})
        return value


@dataclass(frozen=True)
class Action:
    """Something a person does in a component that a space can restrict to verified residents."""

    name: str
    label: str


@dataclass(frozen=True)
class PeriodicJob:
    """A function(now) run on a clock (see `manage.py run_periodic`); it returns how many things it did."""

    name: str
    every: int  # seconds
    run: Callable


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification a component sends (its verb), for the person's preferences page and for its
    delivery: the CHANNELS it goes to unless the person turned one off, and, for the email channel, EMAIL,
    the dotted path of a function(recipient, notice) -> EmailMessage | None that writes it (None: the
    kernel's plain email; the function returns None when the email is outdated). BECAUSE says at the foot
    of the plain email why the person gets it (None: because they follow the page)."""

    verb: str
    label: Any  # lazy translated
    channels: tuple[str, ...] = ("site", "email")
    email: str = ""
    because: Any = None
    opt_in_channels: bool = True  # False: the opt-in channels (push) are not offered (a newsletter goes by email)
    # True: the kind tells what became of a contribution of the person's (or one they follow): an answer, a merge,
    # a status, a decision. The digest gathers these under « Ce que sont devenues vos contributions ».
    fate: bool = False
    # True: every channel offered is off until the person turns it on (the communes' invitations to take part:
    # nobody gets one without having asked for it).
    opt_in: bool = False

    def default_on(self, channel: str) -> bool:
        """Whether CHANNEL carries this kind for a person who chose nothing."""
        return channel in self.channels and not self.opt_in


@dataclass(frozen=True)
class RoomEntry:
    """What a component takes from a room: contributions written on paper or sticky notes at a meeting, typed in
    afterwards by an organiser (events offers the components that declare one as the place where an event's
    contributions go, and never imports them).

    - `form(component, data)`: a Django form, bound to DATA (a QueryDict) or empty when DATA is None, whose
      `room_values()` returns, once valid, the keyword arguments of `record`;
    - `record(*, actor, component, day, **values)`: saves one anonymous contribution with the in-person channel
      (the contributions ledger row included, with `contribution_kind`), dated DAY; raises ValidationError
      (keyed by the form's field names) on what the form cannot know (submissions closed...);
    - `template`: renders the whole <form method="post"> (CSRF token, fields, button) on the events page (it
      receives `form`), and `head_template` what the page needs in its <head> (CSS, JS), if anything;
    - `note`: a sentence shown above the form (optional).
    """

    form: Callable
    record: Callable
    contribution_kind: str
    template: str
    head_template: str = ""
    note: Any = ""


@dataclass(frozen=True)
class InputWindow:
    """A way a component takes people's input, for the cards of spaces: it is open while the step setting
    SETTING (a yes/no step setting, e.g. "voting_open") is on; an empty SETTING means always open. UNTIL is
    the card's text with the last day (« Vote ouvert jusqu'au %(date)s »), OPEN the text without a date."""

    setting: str
    until: Any  # lazy translated, with %(date)s
    open: Any  # lazy translated


@dataclass(frozen=True)
class IdeaSource:
    """What a component's items offer to become items of another component of the same space (ideas that
    become budget projects), without either importing the other:

    - `candidates(component)`: a queryset of the component's Submission items that may still become something
      (public, not withdrawn, not merged, not rejected);
    - `supporters(item)`: the ids of the accounts that supported ITEM (they follow what it becomes).
    """

    candidates: Callable
    supporters: Callable


@dataclass(frozen=True)
class ChatStep:
    """One small step of a conversation, that every chat transport (Messenger, the web chat...) can show: KIND is
    "text", "question" (TEXT with up to 11 CHOICES, (label, payload) pairs, shown as quick replies or buttons),
    "link" (TEXT with a button to URL, labelled LABEL), "image" (URL of a picture, TEXT as its caption) or
    "location" (TEXT asking for a place, sent back as "lat,lng"). ACCEPTS "image" says the step waits for a photo:
    a transport that takes files shows a way to send one (the web chat's file field)."""

    kind: str
    text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    url: str = ""
    label: str = ""
    accepts: str = ""


@dataclass(frozen=True)
class ChatPerson:
    """Who writes in a chat: USER, the linked account (None when the chat is not linked to one), KEY, a stable
    anonymous key of the chat participant (for "one response per participant"), CHANNEL, the ledger's channel."""

    user: Any
    key: str
    channel: str = "chatbot"
    platform: str = ""  # "messenger", "telegram", "sms", "web": what the person can send (no photo by SMS)


@dataclass(frozen=True)
class ChatAttachment:
    """A file a person sent in a chat, already fetched by the transport (from the platform, in the worker): KIND
    ("image"), CONTENT (the bytes, unchecked: the component runs them through the kernel's upload checks), NAME,
    or ERROR when it could not be fetched ("download": the platform failed or timed out; "too_large": over the
    transport's download limit)."""

    kind: str
    content: bytes = b""
    name: str = ""
    error: str = ""


@dataclass(frozen=True)
class ChatTurn:
    """What a component answers in a conversation: STEPS to show, its STATE to keep until the next message, and
    DONE when its part of the conversation is over (the engine shows the menu again)."""

    steps: list
    state: dict = field(default_factory=dict)
    done: bool = False


@dataclass(frozen=True)
class Conversation:
    """What a component offers in a chat (concerto/channels), without the chat importing it:

    - `items(organisation)`: what is open in the commune, a list of (ref, title) pairs (REF is the component's
      own string, e.g. a component id);
    - `turn(*, ref, state, text, payload, person, organisation)`: one exchange, a ChatTurn. The first call of a
      conversation about REF has an empty STATE and no TEXT nor PAYLOAD. Writes go through the component's own
      services, with PERSON's account or key and the `chatbot` channel;
    - `questions(ref)` (optional): see below.

    With ATTACHMENTS true, `turn` also takes `attachments`, a tuple of ChatAttachment (a photo sent in the
    message; empty otherwise). A place the person shares comes as the PAYLOAD "lat,lng".
    """

    items: Callable
    turn: Callable
    # Optional, for the chat's drop-off figures: function(ref) -> the questions of REF in the order the chat
    # asks them, as (key, title, answered) triples: KEY as the turn's state keeps answers (`state["answers"]`
    # keys, `state["skipped"]` items), ANSWERED how many finished chat responses answer it.
    questions: Callable | None = None
    attachments: bool = False


@dataclass(frozen=True)
class AgendaItem:
    """A public dated item of a component that someone hosts (an event), read by other components without
    importing the one that holds it: the public profile of an elected official lists the events they hosted,
    an answer to a question invites to one. ORGANISER is the text the item names its host with."""

    title: str
    url: str
    starts_at: Any
    organiser: str = ""
    place: str = ""  # where it happens, in words (a print kit writes it under the date)


@dataclass(frozen=True)
class DatasetField:
    """A column of an open dataset, as a Table Schema field: NAME, TYPE ("string", "integer", "number",
    "boolean", "date", "datetime") and a DESCRIPTION in words (lazy translated)."""

    name: str
    type: str
    description: Any = ""


def dataset_fields(names: tuple[str, ...], *own: DatasetField) -> tuple[DatasetField, ...]:
    """The table schema of NAMES, in that order: a dataset's OWN fields (DatasetField), else the ones every
    dataset words the same (identifier, title, text, category, commune and its INSEE code, position, address, kind,
    status, answer, comments, dates of submission and withdrawal, page address)."""
    shared = {
        "id": DatasetField("id", "integer", gettext_lazy("Identifier")),
        "title": DatasetField("title", "string", gettext_lazy("Title")),
        "text": DatasetField("text", "string", gettext_lazy("Text, as published on the site")),
        "description": DatasetField("description", "string", gettext_lazy("Text, as published on the site")),
        "category": DatasetField("category", "string", gettext_lazy("Category")),
        "commune": DatasetField("commune", "string", gettext_lazy("Commune")),
        "commune_insee": DatasetField("commune_insee", "string", gettext_lazy("INSEE code of the commune")),
        "latitude": DatasetField("latitude", "number", gettext_lazy("Latitude (WGS 84)")),
        "longitude": DatasetField("longitude", "number", gettext_lazy("Longitude (WGS 84)")),
        "address": DatasetField("address", "string", gettext_lazy("Address")),
        "kind": DatasetField("kind", "string", gettext_lazy("Kind")),
        "status": DatasetField("status", "string", gettext_lazy("Status")),
        "public_answer": DatasetField("public_answer", "string", gettext_lazy("Answer")),
        "comments": DatasetField("comments", "integer", gettext_lazy("Comments")),
        "created_at": DatasetField("created_at", "datetime", gettext_lazy("Submitted on")),
        "withdrawn_at": DatasetField("withdrawn_at", "datetime", gettext_lazy("Withdrawn on")),
        "url": DatasetField("url", "string", gettext_lazy("Address of the page")),
    }
    mine = {field.name: field for field in own}
    return tuple(mine.get(name) or shared[name] for name in names)


@dataclass(frozen=True)
class PerComponent:
    """An OpenDataset's ROWS read component by component: the function named by the dotted PATH takes one component
    and returns (or yields) its rows."""

    path: str

    def __call__(self, *, components, organisation):
        rows_of = import_string(self.path)
        for component in components:
            yield from rows_of(component)


@dataclass(frozen=True)
class OpenDataset:
    """A dataset the open-data portal (concerto/core/opendata) publishes, for one organisation or for the whole
    Métropole:

    - NAME: its part of the address (`/donnees/<scope>/<name>/`), unique across the site;
    - TITLE and DESCRIPTION: in words (lazy translated), shown on the portal and in the DCAT catalogue;
    - FIELDS: its table schema (DatasetField), the order of the CSV columns;
    - ROWS: function(*, components, organisation) -> an iterable of dicts keyed by the fields' names, read in
      chunks (never a list of a million rows). COMPONENTS are the published components of the manifest's kind in
      the published spaces of ORGANISATION (None: of the whole Métropole); nothing about the people, and counts
      that could single someone out left out (see `opendata.SMALL_COUNT`);
    - LOCATED: the rows have `latitude` and `longitude` (the portal also offers GeoJSON);
    - FREQUENCY: how often the files are written again, a code of the EU frequency vocabulary ("DAILY");
    - THEME: its code in the EU data themes vocabulary ("GOVE", "REGI"...);
    - RELATED: function(*, components, organisation) -> (title, path, media type, EU file type) of files of the
      dataset the component already serves in a format of its own (a budget's anonymous ballots as a pabulib file):
      the portal links them and the catalogue lists them as distributions. Optional.
    """

    name: str
    title: Any
    description: Any
    fields: tuple[DatasetField, ...]
    rows: Callable
    located: bool = False
    frequency: str = "DAILY"
    theme: str = "GOVE"
    related: Callable | None = None
    sources: tuple[str, ...] = ()


# Open data: a count of fewer people than this is left out wherever it could single someone out (a cell that crosses
# a commune, a channel and a month; a choice of a questionnaire few answered). Below 5 people, someone who knows a
# neighbour took part could recognise them; 5 is the usual floor of small-cell suppression in published statistics.
SMALL_COUNT = 5


def small_count_hidden(count) -> bool:
    """Whether COUNT (of people) is left out of an open dataset: more than none and fewer than SMALL_COUNT."""
    return count is not None and 0 < count < SMALL_COUNT


@dataclass(frozen=True)
class Linkable:
    """A kind of the component's items that a decision may answer (core/accountability), without the kernel
    importing the component: MODEL ("proposals.Proposal"), LABEL (lazy, « Proposition »), and SEARCH,
    function(*, organisation_ids, query) -> a queryset of MODEL's public items of those organisations whose
    title or text holds QUERY ("" for the most recent). Each item has `title` (or a readable `str()`),
    `get_absolute_url()` and `organisation`."""

    model: str
    label: Any
    search: Callable


@dataclass(frozen=True)
class FreeText:
    """A text a person wrote in a component, that themes (core/texts/themes.py) read: KIND names what it is
    ("proposals.proposal", "consultations.answer"...), ID its id in that kind (KIND and ID together are unique
    across the site), TEXT the plain text (no HTML), URL where an agent reads it, CREATED_AT when it was written."""

    kind: str
    id: int
    text: str
    url: str
    created_at: Any = None


@dataclass(frozen=True)
class ComponentManifest:
    name: str  # the `kind` stored on Component, also the URL namespace
    label: Any  # lazy translated
    url_segment: str = ""  # the component's part of public URLs, in French ("actualites"); name by default
    description: Any = ""
    public_urls: str = ""  # dotted path of the public URLconf module
    backoffice_urls: str = ""  # dotted path of the back-office URLconf module
    organisation_urls: str = ""  # dotted path of a URLconf mounted at /<org_slug>/<segment>/ (optional)
    space_urls: str = ""  # dotted path of a URLconf mounted at /<org_slug>/<space_slug>/<segment>/ (optional)
    # (prefix, dotted path) of URLconfs mounted at the site's root, for standards that fix their own address
    # (Open311 at /open311/v2/); the namespace is "<name>_<first word of the prefix>" (optional).
    site_urls: tuple[tuple[str, str], ...] = ()
    actions: tuple[Action, ...] = ()
    settings: tuple[Setting, ...] = ()
    step_settings: tuple[Setting, ...] = ()
    # name -> function(component) returning a list of dicts (open data exports).
    exports: dict[str, Callable] = field(default_factory=dict)
    # function(component) -> dict of figures shown on the space page and in dashboards.
    statistics: Callable | None = None
    # function(component, request) -> short HTML-safe summary for the space page (optional).
    summary: Callable | None = None
    # dotted path of a django-ninja Router mounted by the API at /api/v1/<name>/ (optional).
    api_router: str = ""
    # RGPD: function(user) -> dict of everything the component holds about USER (for the export),
    # and function(user) -> None that anonymises or deletes it when the account is deleted.
    personal_data: Callable | None = None
    erase_personal_data: Callable | None = None
    # Work done on a clock, by `manage.py run_periodic`: each job runs every `every` seconds and must be safe
    # to run twice (two runners, or a runner restarted).
    periodic: tuple["PeriodicJob", ...] = ()
    # function(component) -> how many things people put in it that the contributions ledger does not count
    # (registrations...): a component holding any can no longer be deleted, only unpublished.
    participation_count: Callable | None = None
    # What an organiser may type in from a meeting's room into this component (see RoomEntry), or None.
    room_entry: RoomEntry | None = None
    # The participation overview (core/participation/overview.py): function(components) -> list of
    # core.charts.Chart for the components of this kind in the organisation or space (top proposals...).
    overview: Callable | None = None
    # The commune's dialogue figures (core/participation/dialogue.py, issue 15): function(components) -> list of
    # core.charts.Chart for the components of this kind in the organisation and below (poll answers by channel,
    # questions asked and answered...). Public figures only. Optional.
    dialogue: Callable | None = None
    # The space's synthesis for elected officials (core/backoffice/synthesis.py, issue 17): function(component) ->
    # list of core.synthesis.Section (figures, a short table, residents' texts quoted), each linked to its source
    # page or CSV. Optional.
    synthesis: Callable | None = None

    # The comparison across communes (core/comparison, issue 18): function(*, groups, since, until) -> {key: dict of
    # figures} for GROUPS, {key: a set of organisation ids} (an organisation and those below it), counting the items
    # of each group in [SINCE, UNTIL); figures keyed by the names `comparison.figures.FIGURES` declares
    # ("answer_median_days"...), None when a group has none. Reads its rows once for all groups (the kernel's
    # `comparison.figures.by_group`). Public figures only: they are shown to everyone. Optional.
    comparison: Callable | None = None
    # Named permissions: "<name>.<verb>" -> a `rules` predicate(user, component). The registry adds each
    # with rules.add_perm, so pages, the API and chat channels ask the same question by name:
    # `user.has_perm("budgets.read_review", component)` (or the kernel lookup's `permission=`).
    permissions: dict[str, Callable] = field(default_factory=dict)
    # The kinds of notification the component sends (see NotificationKind); a verb not declared goes to the
    # site and by email, with the plain email.
    notifications: tuple[NotificationKind, ...] = ()
    # Prometheus figures read from the database when the metrics are scraped (concerto/core/metrics.py): a
    # function() yielding prometheus_client metric families (gauges) named "concerto_<name>_...". Optional.
    metrics: Callable | None = None
    # How it takes people's input, the most important first (see InputWindow): the cards of spaces show the
    # first one open today, and « Open to participation » lists only spaces with one open.
    input_windows: tuple[InputWindow, ...] = ()
    # Its items may become items of another component of the space (see IdeaSource), or None.
    idea_source: IdeaSource | None = None
    # RGPD: the kinds of personal data the component keeps for a limited time (accounts.privacy.RetentionRule),
    # purged by the periodic retention job and listed on the privacy page.
    retention: tuple = ()
    # The component's audit actions in words: code ("reports.note_added") -> lazy label, shown on the audit
    # log page instead of the code (concerto/core/audit/labels.py has the kernel's).
    audit_labels: dict[str, Any] = field(default_factory=dict)
    # What it offers in chats (see Conversation): concerto/channels lists its items and hands it the turns.
    conversation: Conversation | None = None
    # For a component that keeps contributions under an anonymous key of its own (a chat participant's
    # `chat:<platform>:<id>`): function(*, key, user) -> int that gives USER what was recorded under KEY (its rows
    # and, through `participation.services.contribution_author_set`, their ledger rows) when the person links that
    # chat to their account; returns how many contributions it gave. Optional.
    anonymous_claim: Callable | None = None
    # Its public dated items (see AgendaItem): function(organisation, *, organiser="", upcoming=False, limit=50)
    # -> list of AgendaItem of the organisation, those whose organiser names ORGANISER (case does not matter)
    # when given, only those still to come with UPCOMING, the most recent first. Optional.
    agenda: Callable | None = None
    # What it shows on an organisation's page (a commune's open quick polls...): function(organisation, request)
    # -> HTML-safe text placed under the spaces ("" for nothing). Optional.
    organisation_block: Callable | None = None
    # Its open datasets (see OpenDataset), published by the open-data portal at /donnees/.
    open_datasets: tuple[OpenDataset, ...] = ()
    # What it adds to people's email digests (participation/digests.py), for a batch at once: function(people)
    # with PEOPLE a list of (user, since) -> {user id: list of (title, url, text) new for that user since SINCE}
    # (polls open to them, answers to their questions); a person with nothing new is left out. A few queries for
    # the whole batch, not a few per person. Optional.
    digest_section: Callable | None = None
    # What an organisation's newsletter may point to (participation/newsletters.py): function(organisation) ->
    # list of (title, url, text) of its items worth a block (the open polls that concern it); [] for nothing.
    newsletter_blocks: Callable | None = None
    # What of its items a decision may answer (see Linkable): the agents' picker searches them, the trail names
    # them. Optional.
    linkables: tuple = ()
    # Process templates (core/resources): function(component) -> a JSON-able dict of what a template keeps of the
    # component besides its title and settings (a consultation's questions), never what people put in it; and
    # function(*, actor, component, content) that puts it into a new component. None: the kernel's default (its
    # categories, `resources.content`).
    template_export: Callable | None = None
    template_import: Callable | None = None

    # The free texts of one component that themes read (core/texts): function(component) -> an iterable of
    # FreeText, only what is public or accepted by moderation (nothing hidden, rejected or withdrawn), read in
    # chunks. Optional.
    free_texts: Callable | None = None
    # The contributions ledger's kinds that bring such a text ("proposals.proposal"): a new one queues the themes'
    # recomputation; other contributions (supports, votes) cost nothing.
    free_text_kinds: tuple[str, ...] = ()

    @property
    def segment(self) -> str:
        return self.url_segment or self.name

    def clean_settings(self, raw: dict, schema: tuple[Setting, ...] | None = None, *,
                       current: dict | None = None) -> dict:
        """Validate RAW against SCHEMA (the global settings by default); raise ValidationError per field.

        A partial update keeps what it does not name: a setting absent from RAW takes its CURRENT value (what
        is stored, `settings_for`/`step_settings_for`), else its default. Left out is not "off": a missing
        yes/no setting read as False once let non-residents vote. (Present but empty is "off" for a yes/no
        setting: an unticked checkbox.)
        """
        schema = self.settings if schema is None else schema
        current = current or {}
        cleaned, errors = {}, {}
        for setting in schema:
            if setting.name not in raw:
                cleaned[setting.name] = (setting.clean(current[setting.name]) if setting.name in current
                                         else setting.default)
                continue
            try:
                cleaned[setting.name] = setting.clean(raw.get(setting.name))
            except ValidationError as error:
                errors[setting.name] = error.messages
        unknown = set(raw) - {s.name for s in schema}
        if unknown:
            errors["__all__"] = [_("Unknown settings: %(names)s") % {"names": ", ".join(sorted(unknown))}]
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean_step_settings(self, raw: dict, *, current: dict | None = None) -> dict:
        return self.clean_settings(raw, self.step_settings, current=current)

    def settings_for(self, component) -> dict:
        values = {s.name: s.default for s in self.settings}
        values.update({k: v for k, v in (component.settings or {}).items() if k in values})
        return values

    def step_settings_for(self, component, step) -> dict:
        values = {s.name: s.default for s in self.step_settings}
        if step is not None:
            stored = (component.step_settings or {}).get(str(step.pk), {})
            values.update({k: v for k, v in stored.items() if k in values})
        return values


_components: dict[str, ComponentManifest] = {}


def register(manifest: ComponentManifest) -> ComponentManifest:
    if manifest.name in _components and _components[manifest.name] != manifest:
        raise ValueError(f"A component named {manifest.name!r} is already registered")
    for name, predicate in manifest.permissions.items():
        if not name.startswith(f"{manifest.name}."):
            raise ValueError(f"Permission {name!r} of {manifest.name!r} must start with {manifest.name + '.'!r}")
        rules.set_perm(name, predicate) if rules.perm_exists(name) else rules.add_perm(name, predicate)
    _components[manifest.name] = manifest
    return manifest


def get(name: str) -> ComponentManifest:
    try:
        return _components[name]
    except KeyError:
        raise LookupError(f"No component named {name!r} is registered") from None


def components() -> list[ComponentManifest]:
    return sorted(_components.values(), key=lambda m: m.name)


def reserved_slugs() -> set[str]:
    """Words a space slug may not take, because URLs under an organisation already use them."""
    # "ressources" and "comparaison": the Métropole's resource centre and comparison pages (/metropole/<word>/).
    return {m.segment for m in components()} | {"espaces", "flux", "recherche", "lettres", "ressources",
                                                "comparaison"}


def room_entry_kinds() -> list[str]:
    """The kinds of component that take contributions typed in from a room (RoomEntry)."""
    return [m.name for m in components() if m.room_entry is not None]


def agenda_items(organisation, *, organiser: str = "", upcoming: bool = False, limit: int = 50) -> list[AgendaItem]:
    """The public dated items of ORGANISATION across the components that declare an `agenda`."""
    items = []
    for manifest in components():
        if manifest.agenda is not None:
            items += manifest.agenda(organisation, organiser=organiser, upcoming=upcoming, limit=limit)
    items.sort(key=lambda item: item.starts_at, reverse=not upcoming)
    return items[:limit]


def choices() -> list[tuple[str, Any]]:
    return [(m.name, m.label) for m in components()]


def autodiscover() -> None:
    """Import the `manifest` module of every installed app that has one."""
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "manifest"):
            import_module(f"{app_config.name}.manifest")

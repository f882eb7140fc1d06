"""Reports in a chat (core.registry.Conversation): report a problem step by step — a category (quick replies), a
description, a photo (or skip it), a place (a shared location, "lat, lng" or a typed address found by the kernel's
geocoder), an email address when the chat is not linked to an account, then a confirmation. The report is sent
through the same `report_create` as the web form (`channel="chatbot"`, the same checks, send limits and commune
boundaries), with the commune's reports component as the page that received it.

The photo arrives already fetched by the transport (in the worker: a webhook never downloads). It goes through
the reports' photo checks at once (type, size, metadata stripped): a bad one is refused with the reason and the
person may send another or skip; what they wrote before is kept. The cleaned photo waits in the storage under
`reports/chat/` until the report is sent or cancelled; one left by an abandoned conversation is deleted after a day
by the periodic job `pending_photos_purge`."""

import dataclasses
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from concerto.components.reports.models import Category, Report
from concerto.components.reports.photos import photo_clean
from concerto.components.reports.services import DESCRIPTION_MAX_LENGTH, commune_for_point, report_create
from concerto.core import geocoding
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.inputs import BadInput, email_check
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.ratelimit import RateLimited
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component

CATEGORIES = 9  # quick replies: the categories, then "Cancel" and the engine's own
PENDING = "reports/chat/"
PENDING_HOURS = 24


def _components(organisation):
    return (Component.objects.published().of_kind("reports").filter(space__organisation=organisation)
            .select_related("space__organisation").order_by("pk"))


def items(organisation) -> list[tuple[str, str]]:
    if not Category.objects.filter(organisation=organisation, active=True).exists():
        return []
    return [(str(component.pk), component.title) for component in _components(organisation)
            if component.space.is_published]


def _categories(organisation) -> list[Category]:
    return list(Category.objects.filter(organisation=organisation, active=True).order_by("name", "pk")[:CATEGORIES])


def _cancel():
    return (_("Cancel"), "r:cancel")


def _ask(step: str, state: dict, organisation, person) -> ChatStep:
    if step == "category":
        categories = _categories(organisation)
        lines = "\n".join(f"{number}. {category.name}" for number, category in enumerate(categories, start=1))
        return ChatStep("question", _("What is the problem about?\n%(lines)s") % {"lines": lines},
                        tuple((f"{number}. {category.name}", f"r:c:{category.pk}")
                              for number, category in enumerate(categories, start=1)) + (_cancel(),))
    if step == "description":
        return ChatStep("text", _("Describe the problem in a few words."))
    if step == "photo":
        if person.platform == "sms":
            return ChatStep("question", _("A photo cannot be sent by text message: you can add one later on the "
                                          "website. Shall we go on without a photo?"),
                            ((_("Skip the photo"), "r:skip"), _cancel()))
        return ChatStep("question", _("Send a photo of the problem, or skip this step."),
                        ((_("Skip the photo"), "r:skip"), _cancel()), accepts="image")
    if step == "location":
        return ChatStep("location", _("Where is it? Share your location, or write the address (or a landmark "
                                      "with the street)."), (_cancel(),))
    if step == "email":
        return ChatStep("text", _("Your email address, to follow your report (it is never shown publicly):"))
    category = Category.objects.filter(pk=state.get("category")).first()
    summary = _("Your report:\n- %(category)s\n- %(description)s\n- %(place)s\n- %(photo)s") % {
        "category": category.name if category else "", "description": state.get("description", ""),
        "place": state.get("address") or f"{state.get('latitude')}, {state.get('longitude')}",
        "photo": _("with a photo") if state.get("photo") else _("without a photo")}
    return ChatStep("question", summary + "\n" + _("Shall I send it to %(commune)s?") % {
        "commune": organisation.name}, ((_("Send"), "r:send"), _cancel()))


def _next(state: dict, person) -> str:
    for step in ("category", "description", "photo", "location"):
        if step not in state.get("done", []):
            return step
    if person.user is None and not state.get("email"):
        return "email"
    return "confirm"


def _forget_photo(state: dict) -> None:
    name = state.pop("photo", "")
    if name and name.startswith(PENDING):
        default_storage.delete(name)


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation, attachments=()) -> ChatTurn:
    component = _components(organisation).filter(pk=ref if ref.isdigit() else 0).first()
    if component is None or not component.space.is_published:
        return ChatTurn([ChatStep("text", _("Reporting is not open here."))], done=True)
    user = person.user if person.user is not None and person.user.is_authenticated else None
    person_user = dataclasses.replace(person, user=user)
    if user is None and not component.setting("anonymous_reports"):
        return ChatTurn([ChatStep("link", _("Sign in to send a report."), label=_("Report on the website"),
                                  url=absolute_url(_form_url(component)))], done=True)
    state = dict(state)
    state.setdefault("done", [])
    if payload == "r:cancel":
        _forget_photo(state)
        return ChatTurn([ChatStep("text", _("Cancelled: nothing was sent."))], done=True)
    if not state.get("step"):
        state["step"] = "category"
        return ChatTurn([_ask("category", state, organisation, person_user)], state=state)
    problem = _take(state, text=text.strip(), payload=payload, attachments=attachments, organisation=organisation,
                    component=component, person=person_user)
    if problem == "sent":
        _forget_photo(state)
        return ChatTurn(state.pop("answer"), done=True)
    steps = [ChatStep("text", problem)] if problem else []
    state["step"] = _next(state, person_user)
    return ChatTurn(steps + [_ask(state["step"], state, organisation, person_user)], state=state)


def _form_url(component) -> str:
    from django.urls import reverse

    space = component.space
    return reverse("reports:create", args=[space.organisation.slug, space.slug, component.pk])


def _take(state: dict, *, text: str, payload: str, attachments, organisation, component, person) -> str:
    """Take the person's answer to the current step into STATE; the problem to tell them ("" when none), or
    "sent" when the report went out (its steps in state["answer"])."""
    step = state["step"]
    done = state["done"]
    if step == "category":
        categories = _categories(organisation)
        chosen = None
        if payload.startswith("r:c:"):
            chosen = next((c for c in categories if str(c.pk) == payload[4:]), None)
        elif text.rstrip(".").isdigit() and 1 <= int(text.rstrip(".")) <= len(categories):
            chosen = categories[int(text.rstrip(".")) - 1]
        elif text:
            chosen = next((c for c in categories if c.name.lower() == text.lower()), None)
        if chosen is None:
            return _("Choose one of the categories of the list.")
        state["category"] = chosen.pk
        done.append("category")
        return ""
    if step == "description":
        if not text:
            return _("Describe the problem in a few words.") if payload or attachments else ""
        if len(text) > DESCRIPTION_MAX_LENGTH:
            return _("The description is too long: %(max)s characters at most.") % {"max": DESCRIPTION_MAX_LENGTH}
        state["description"] = text
        done.append("description")
        return ""
    if step == "photo":
        return _take_photo(state, payload=payload, attachments=attachments)
    if step == "location":
        return _take_place(state, text=text, payload=payload, organisation=organisation)
    if step == "email":
        try:
            email_check(text)
        except BadInput as error:
            return error.message
        state["email"] = text
        return ""
    if payload != "r:send":
        return _("Choose Send, or Cancel.")
    return _send(state, component=component, person=person)


def _take_photo(state: dict, *, payload: str, attachments) -> str:
    done = state["done"]
    if payload == "r:skip":
        done.append("photo")
        return ""
    image = next((attachment for attachment in attachments if attachment.kind == "image"), None)
    if image is None:
        return _("Send a photo, or skip this step.")
    if image.error == "too_large":
        return _("This photo is too large to be received. Send a smaller one, or skip this step.")
    if image.error:
        return _("I could not receive your photo. Send it again, or skip this step.")
    try:
        cleaned = photo_clean(ContentFile(image.content, name=image.name or "photo"))
    except ValidationError as error:
        return " ".join(error.messages) + " " + _("Send another photo, or skip this step.")
    _forget_photo(state)
    state["photo"] = default_storage.save(f"{PENDING}{secrets.token_urlsafe(18)}.jpg", cleaned)
    done.append("photo")
    return ""


def _take_place(state: dict, *, text: str, payload: str, organisation) -> str:
    address = ""
    point = geocoding.point_typed(payload, text)
    if point is not None:
        latitude, longitude = point
    elif len(text) >= 3:
        found = geocoding.address_search(text, limit=1)
        if found is None:
            return _("The address service is not answering right now. Share your location, or write the latitude "
                     "and longitude (for example 48.7765, 2.29).")
        if not found:
            return _("I found no address “%(text)s” in the Métropole. Write the number, the street and the "
                     "commune, or share your location.") % {"text": text[:80]}
        latitude, longitude, address = found[0].latitude, found[0].longitude, found[0].label
    else:
        return _("Share your location, or write the address.")
    try:
        commune = commune_for_point(latitude=latitude, longitude=longitude)
    except ValidationError as error:
        return " ".join(error.messages)
    if commune.pk != organisation.pk:
        # The web form's words for a point outside the component's commune (services._location_errors).
        return _("This point is in %(commune)s, outside %(name)s: reports here go to another commune.") % {
            "commune": commune.name, "name": organisation.name}
    state.update(latitude=latitude, longitude=longitude, address=address)
    state["done"].append("location")
    return ""


STEP_OF_FIELD = {"category": "category", "description": "description", "photos": "photo", "location": "location",
                 "email": "email"}


def _send(state: dict, *, component, person) -> str:
    category = Category.objects.filter(pk=state.get("category")).first()
    photo = state.get("photo")
    photos = [default_storage.open(photo)] if photo and default_storage.exists(photo) else []
    sender = f"user:{person.user.pk}" if person.user is not None else f"chat:{person.key}"
    try:
        report = report_create(
            author=person.user, component=component, category=category, kind=Report.Kind.MALFUNCTION,
            latitude=state.get("latitude"), longitude=state.get("longitude"), description=state.get("description", ""),
            address=state.get("address", ""), photos=photos, email=state.get("email", ""), channel=Channel.CHATBOT,
            sender=sender)
    except ValidationError as error:
        problems = error.message_dict
        field = next((name for name in STEP_OF_FIELD if name in problems), None)
        if field is None:  # the category's extra questions: only the website asks them
            state["answer"] = [ChatStep("link", " ".join(m for ms in problems.values() for m in ms),
                                        url=absolute_url(_form_url(component)), label=_("Report on the website"))]
            return "sent"
        state["done"] = [step for step in state["done"] if step != STEP_OF_FIELD[field]]
        if field == "email":
            state.pop("email", None)
        return " ".join(problems[field])
    except (VerificationRequired, RateLimited) as refused:
        state["answer"] = [ChatStep("text", getattr(refused, "message", "") or str(refused))]
        return "sent"
    finally:
        for file in photos:
            file.close()
    state["answer"] = [
        ChatStep("text", _("Thank you: your report is sent (no. %(id)s). You will be told what becomes of it.")
                 % {"id": report.pk}),
        ChatStep("link", report.category.name, url=absolute_url(report.get_absolute_url()), label=_("See the report")),
    ]
    return "sent"


def pending_photos_purge(now) -> int:
    """Delete the photos sent in chats whose report was neither sent nor cancelled within PENDING_HOURS (a periodic
    job: the conversation was abandoned). Returns how many were deleted."""
    from datetime import timedelta

    if not default_storage.exists(PENDING.rstrip("/")):
        return 0
    deleted = 0
    for name in default_storage.listdir(PENDING.rstrip("/"))[1]:
        path = PENDING + name
        if now - default_storage.get_modified_time(path) > timedelta(hours=PENDING_HOURS):
            default_storage.delete(path)
            deleted += 1
    return deleted

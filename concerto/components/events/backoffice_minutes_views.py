"""Back-office after the event: the minutes and their files, the contributions gathered in the room, the
figures of the component.

Every view is for the managers of the organisation named in the URL; the component must be an events
component of one of its spaces and the event one of that component's: anything else is a 404.
"""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.events import minutes as services
from concerto.components.events.forms_minutes import AttachmentForm, MinutesForm
from concerto.components.events.models import Event, Minutes
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read what agents work on
TABS = "events/backoffice/_tabs.html"


def _event(component: Component, event_id: int) -> Event:
    return item_for(component, Event.objects.select_related("contributions_component__space", "commune"), event_id)

def _tabs() -> str | None:
    """The events helper's tabs, once that template exists."""
    try:
        return select_template([TABS]).template.name
    except TemplateDoesNotExist:
        return None


def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "tabs_template": _tabs(), **extra}


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _minutes_url(component, event) -> str:
    space = component.space
    from django.urls import reverse

    return reverse("events_backoffice:minutes", args=[space.organisation.slug, space.slug, component.pk, event.pk])


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def minutes_edit(request, org_slug, space_slug, component_id, event_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    minutes = Minutes.objects.filter(event=event).first()
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = MinutesForm(request.POST if action == "save" else None, initial=services.minutes_initial(event))
    attachment_form = AttachmentForm(request.POST if action == "attach" else None,
                                     request.FILES if action == "attach" else None, prefix="file")
    ended = services.has_ended(event)
    status = 200
    if action == "save":
        if form.is_valid():
            try:
                services.minutes_save(actor=request.user, event=event, **form.cleaned_data)
            except services.MinutesError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The minutes are saved.") + " " + (
                    _("They are published: the changes show at once.") if minutes and minutes.published_at
                    else _("Publish them when they are ready.")))
                return redirect(_minutes_url(component, event))
        status = 400
    elif action == "attach":
        if minutes is None:
            attachment_form.add_error(None, _("Save the minutes before attaching files."))
        elif attachment_form.is_valid():
            try:
                services.attachment_add(actor=request.user, minutes=minutes, **attachment_form.cleaned_data)
            except ValidationError as error:
                _form_errors(attachment_form, error)
            else:
                messages.success(request, _("The file is attached."))
                return redirect(_minutes_url(component, event))
        status = 400
    elif action == "remove":
        attachment = minutes.attachments.filter(pk=_int(request.POST.get("attachment"))).first() if minutes else None
        if attachment is None:
            raise Http404(_("This file does not exist."))
        services.attachment_remove(actor=request.user, attachment=attachment)
        messages.success(request, _("The file is removed."))
        return redirect(_minutes_url(component, event))
    elif action in ("publish", "unpublish"):
        if minutes is None:
            return HttpResponseBadRequest(_("Write and save the minutes before publishing them."))
        if action == "publish":
            services.minutes_publish(actor=request.user, minutes=minutes)
            messages.success(request, _("The minutes are published. The people registered and the followers of "
                                        "the event are told."))
        else:
            services.minutes_unpublish(actor=request.user, minutes=minutes)
            messages.success(request, _("The minutes are no longer public."))
        return redirect(_minutes_url(component, event))
    elif action:
        return HttpResponseBadRequest(_("Unknown action."))
    return render(request, "events/backoffice/minutes/minutes_form.html", _context(
        component, event=event, minutes=minutes, form=form, attachment_form=attachment_form, ended=ended,
        counts=services.checked_in_counts(event), active_tab="minutes",
        attachments=list(minutes.attachments.order_by("created_at", "pk")) if minutes else [],
        max_size=services.max_attachment_bytes(),
    ), status=status)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def room_contributions(request, org_slug, space_slug, component_id, event_id):
    """Type the contributions gathered in the room, one after another: the empty form comes back after each
    save, with the running count."""
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    target = services.room_target(event)
    entry = services.room_entry(target) if target is not None else None
    form = entry.form(target, request.POST or None) if entry is not None else None
    started = event.starts_at <= _now()
    status = 200
    if request.method == "POST":
        if form is None:
            return HttpResponseBadRequest(_("This event does not say where its contributions go."))
        if form.is_valid():
            try:
                services.room_contribution_enter(actor=request.user, event=event, values=form.room_values())
            except services.MinutesError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                count = event.room_contributions.count()
                messages.success(request, ngettext("Saved (%(count)s entry).", "Saved (%(count)s entries).", count)
                                 % {"count": count})
                space = component.space
                return redirect("events_backoffice:contributions", space.organisation.slug, space.slug,
                                component.pk, event.pk)
        status = 400
    entered = list(services.room_contributions(event)[:20])
    return render(request, "events/backoffice/minutes/room_contributions.html", _context(
        component, event=event, target=target, entry=entry, form=form, started=started, failed=status == 400,
        entered=entered, count=event.room_contributions.count(), active_tab="contributions",
    ), status=status)


def _now():
    from django.utils import timezone

    return timezone.now()


@require_safe
@backoffice_view(MANAGE, read=READ)
def figures(request, org_slug, space_slug, component_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    if request.GET.get("format") == "csv":
        # A small table, sent whole.
        return export_response(services.figures_csv_rows(component), None,
                               f"rencontres-chiffres-{component.pk}.csv", stream=False)
    return render(request, "events/backoffice/minutes/figures.html", _context(
        component, figures=services.figures(component), active_tab="figures"))

"""Back-office of an opinions component: debates (list, create, edit, publish), the moderation queue of
participants' statements (accept / reject with a reason, one or many at once), the results for agents (groups,
figures, a CSV of statements per group, the Polis-format export) and « recompute now », which only queues the
task.

Every view is for the organisation named in the URL, and the component must be an opinions component of one of
its spaces: anything else is a 404, so the agent of another commune learns nothing."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerto.components.opinions import export, moderation
from concerto.components.opinions.manifest import MODERATE
from concerto.components.opinions.models import Conversation, Statement
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.forms import DATETIME_FORMATS, DateTimeInput, form_saved
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read the results
KIND = "opinions"


class ConversationForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Question"), max_length=300,
                               error_messages={"required": gettext_lazy("Write the question.")})
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    seeds = forms.CharField(
        label=gettext_lazy("Seed statements"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One per line, %(max)s characters at most each. Participants vote on them first.")
        % {"max": moderation.STATEMENT_MAX_LENGTH})
    moderation = forms.ChoiceField(label=gettext_lazy("Participants' statements"),
                                   choices=Conversation.Moderation.choices, widget=forms.RadioSelect,
                                   initial=Conversation.Moderation.BEFORE)
    audience = forms.ChoiceField(label=gettext_lazy("Who may take part"), choices=Conversation.Audience.choices,
                                 widget=forms.RadioSelect, initial=Conversation.Audience.ACCOUNT)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens on"), widget=DateTimeInput,
                                   input_formats=DATETIME_FORMATS)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes on"), widget=DateTimeInput,
                                    input_formats=DATETIME_FORMATS, required=False,
                                    help_text=gettext_lazy("Leave empty to keep it open."))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["seeds"] = data["seeds"].splitlines()
        return data


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _component(request, space_slug, component_id):
    return component_for(request, KIND, space_slug=space_slug, component_id=component_id)


def _conversation(component, conversation_id) -> Conversation:
    return item_for(component, Conversation, conversation_id)


def _url(component, name, *args) -> str:
    space = component.space
    return reverse(f"opinions_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


@backoffice_view(MANAGE, read=READ)
def conversation_list(request, org_slug, space_slug, component_id):
    component = _component(request, space_slug, component_id)
    conversations = list(component.conversations.order_by("-created_at"))
    pending = moderation.pending_counts(conversations)
    for conversation in conversations:
        conversation.pending = pending.get(conversation.pk, 0)
    return render(request, "opinions/backoffice/conversation_list.html",
                  _context(component, conversations=conversations, now=timezone.now()))


def _form_page(request, component, conversation):
    if conversation is not None:
        initial = {name: getattr(conversation, name) for name in moderation.EDITABLE_FIELDS}
        initial["opens_at"] = timezone.localtime(conversation.opens_at)
        initial["closes_at"] = timezone.localtime(conversation.closes_at) if conversation.closes_at else None
    else:
        initial = {"opens_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = ConversationForm(request.POST or None, initial=initial)
    if conversation is not None:
        form.fields["seeds"].label = _("Seed statements to add")
        save = lambda: moderation.conversation_update(  # noqa: E731
            actor=request.user, conversation=conversation, **form.values())
        done = _("Your changes are saved.")
    else:
        save = lambda: moderation.conversation_create(  # noqa: E731
            actor=request.user, component=component, publish=request.POST.get("action") == "publish",
            **form.values())
        done = _("The debate is saved.")
    if form_saved(request, form, save, done=done):
        return redirect(component.get_backoffice_url())
    return render(request, "opinions/backoffice/conversation_form.html",
                  _context(component, form=form, conversation=conversation),
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def conversation_create(request, org_slug, space_slug, component_id):
    return _form_page(request, _component(request, space_slug, component_id), None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def conversation_edit(request, org_slug, space_slug, component_id, conversation_id):
    component = _component(request, space_slug, component_id)
    return _form_page(request, component, _conversation(component, conversation_id))


@require_POST
@backoffice_view(MANAGE)
def conversation_publish(request, org_slug, space_slug, component_id, conversation_id):
    component = _component(request, space_slug, component_id)
    moderation.conversation_publish(actor=request.user, conversation=_conversation(component, conversation_id))
    messages.success(request, _("The debate is published: it takes votes from its opening date."))
    return redirect(component.get_backoffice_url())


# The moderation queue ----------------------------------------------------------------------------------------

QUEUE_LIMIT = 200


def _ids(values) -> list[int]:
    return [int(value) for value in values[:QUEUE_LIMIT * 2] if value.isdigit() and len(value) < 10]


@require_http_methods(["GET", "POST"])
@backoffice_view(MODERATE)
def statement_queue(request, org_slug, space_slug, component_id, conversation_id):
    """The statements awaiting moderation, oldest first; accept or reject one (its own buttons) or the ticked
    ones (the buttons under the list), with a reason for a rejection."""
    component = _component(request, space_slug, component_id)
    conversation = _conversation(component, conversation_id)
    if request.method == "POST":
        action, _sep, one = request.POST.get("one", "").partition(":")
        if not action:
            action = request.POST.get("action", "")
        ids = _ids([one] if one else request.POST.getlist("statements"))
        if action not in ("accept", "reject"):
            messages.error(request, _("Choose to accept or to reject."))
        elif not ids:
            messages.error(request, _("Tick at least one statement."))
        else:
            try:
                changed = moderation.statements_moderate(
                    actor=request.user, conversation=conversation, statement_ids=ids, accept=action == "accept",
                    reason=request.POST.get("reason", ""))
            except ValidationError as error:
                for problem in error.messages:
                    messages.error(request, problem)
            else:
                messages.success(request, (_("%(count)s statement(s) accepted.") if action == "accept"
                                           else _("%(count)s statement(s) rejected.")) % {"count": changed})
        return redirect(_url(component, "queue", conversation.pk))
    waiting = conversation.statements.filter(status=Statement.Status.PENDING)
    return render(request, "opinions/backoffice/statement_queue.html", _context(
        component, conversation=conversation, statements=waiting.order_by("created_at", "pk")[:QUEUE_LIMIT],
        waiting=waiting.count(), limit=QUEUE_LIMIT, reason_max=moderation.REASON_MAX_LENGTH))


# Results ---------------------------------------------------------------------------------------------------

def group_name(index: int) -> str:
    return _("Group %(letter)s") % {"letter": chr(ord("A") + index)}


@backoffice_view(MANAGE, read=READ)
def conversation_results(request, org_slug, space_slug, component_id, conversation_id):
    component = _component(request, space_slug, component_id)
    conversation = _conversation(component, conversation_id)
    result = moderation.groups_of(conversation)
    rows = moderation.statement_figures(conversation)
    by_pk = {row["statement"].pk: row["statement"] for row in rows}
    groups = []
    if result is not None and result.k:
        sizes = moderation.group_sizes(result)
        for index in range(result.k):
            groups.append({"name": group_name(index), "size": sizes[index], "representative": [
                by_pk[pk] for pk in result.data.get("representative", {}).get(str(index), []) if pk in by_pk]})
    consensus = [by_pk[pk] for pk in (result.data.get("consensus", []) if result else []) if pk in by_pk]
    return render(request, "opinions/backoffice/conversation_results.html", _context(
        component, conversation=conversation, result=result, groups=groups, consensus=consensus, rows=rows,
        participants=moderation.participant_count(conversation), votes=sum(row["votes"] for row in rows)))


@require_POST
@backoffice_view(MANAGE)
def groups_recompute(request, org_slug, space_slug, component_id, conversation_id):
    component = _component(request, space_slug, component_id)
    conversation = _conversation(component, conversation_id)
    moderation.groups_recompute_now(actor=request.user, conversation=conversation)
    messages.success(request, _("The groups are being computed: reload this page in a minute."))
    return redirect(_url(component, "results", conversation.pk))


@backoffice_view(MANAGE, read=READ)
def statements_csv(request, org_slug, space_slug, component_id, conversation_id):
    """Every statement with its moderation and its agree / disagree / pass counts, in total and per group;
    nothing that names who wrote or voted."""
    component = _component(request, space_slug, component_id)
    conversation = _conversation(component, conversation_id)
    result = moderation.groups_of(conversation)
    k = result.k if result is not None else 0
    header = [_("Statement no."), _("Moderation"), _("Statement"), _("Agree"), _("Disagree"), _("Pass")]
    for index in range(k):
        name = group_name(index)
        header += [f"{name} · {_('Agree')}", f"{name} · {_('Disagree')}", f"{name} · {_('Pass')}"]
    statuses = dict(Statement.Status.choices)
    rows = []
    for row in moderation.statement_figures(conversation):
        statement = row["statement"]
        cells = [statement.pk, str(statuses[statement.status]), statement.text, row["agree"], row["disagree"],
                 row["pass"]]
        for figures in row["groups"]:
            cells += [figures["agree"], figures["disagree"], figures["pass"]]
        rows.append(cells)
    return export_response(rows, header, f"debat-{conversation.pk}-propositions.csv", stream=False)


@backoffice_view(MANAGE, read=READ)
def polis_export(request, org_slug, space_slug, component_id, conversation_id):
    """The Polis openData export of a debate, published or not (the public one serves only published ones)."""
    component = _component(request, space_slug, component_id)
    return export.zip_response(_conversation(component, conversation_id))

"""The chat in the back-office (/gestion/<org>/canaux/): a commune's agents connect its channels (the page
token is kept encrypted and never shown again), check a token against the platform, read the figures (elected
officials too), and answer the people who asked to talk to an agent. Staff never read a conversation otherwise:
a ticket shows only the messages written from the moment the person asked for an agent."""

import re

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db import IntegrityError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from concerto.channels import services, sms
from concerto.channels.figures import figures_for
from concerto.channels.models import ChatChannel, ChatTicket, Platform
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.exports import export_response

# Messenger pages are connected with their page id and token; a Telegram bot with its token only (getMe gives its
# name, setWebhook registers our address and secret); an SMS number with its number, the callback URL then shown.
CONNECTABLE = [(Platform.MESSENGER.value, Platform.MESSENGER.label), (Platform.TELEGRAM.value, Platform.TELEGRAM.label),
               (Platform.SMS.value, Platform.SMS.label)]
TRANSPORTS = (Platform.TELEGRAM, Platform.SMS)


class ChannelForm(forms.Form):
    external_id = forms.RegexField(
        label=gettext_lazy("Page id"), regex=r"^[0-9]{5,30}$", max_length=30,
        help_text=gettext_lazy("The number of the page, in its “About” section on the platform."),
        error_messages={"invalid": gettext_lazy("A page id is made of digits only, for example 100000000000001.")})
    token = forms.CharField(
        label=gettext_lazy("Page access token"), required=False, max_length=1000, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("It is kept encrypted and never shown again."))

    def __init__(self, *args, platform: str = Platform.MESSENGER, has_token: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_token = has_token
        if platform != Platform.MESSENGER:
            # Other platforms (added with their transports) name their account their own way: a bot's id, a
            # phone number. Only the shape is checked here.
            field = self.fields["external_id"]
            field.validators = [RegexValidator(r"^[0-9A-Za-z+_.:-]{3,64}$", field.error_messages["invalid"])]
            field.help_text = ""
        if has_token:
            self.fields["token"].label = _("Replace the token")
            self.fields["token"].help_text = _("A token is saved. Leave empty to keep it.")

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not token and not self.has_token:
            raise forms.ValidationError(_("Give the page access token."))
        if token and any(char.isspace() for char in token):
            raise forms.ValidationError(_("A token has no spaces: copy it again from the platform."))
        return token


class TelegramForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Bot token"), regex=r"^[0-9]{3,15}:[A-Za-z0-9_-]{5,100}$", max_length=120, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Given by @BotFather when the bot was created. It is kept encrypted and never shown "
                               "again."),
        error_messages={"required": gettext_lazy("Give the bot token."),
                        "invalid": gettext_lazy("A bot token looks like 123456789:AA… (digits, a colon, then "
                                                "letters): copy it again from @BotFather.")})


class SmsForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Number or sender"), max_length=20, strip=True,
        help_text=gettext_lazy("The OVHcloud virtual number people write to (+33 7 00 00 00 01), or the sender "
                               "name validated by OVHcloud (3 to 11 letters or digits)."),
        error_messages={"required": gettext_lazy("Give the number people write to.")})

    def clean_number(self):
        value = self.cleaned_data["number"]
        number = sms.normalise(value)
        if number:
            return number
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,10}", value):
            return value
        raise forms.ValidationError(_("Give a phone number (+33 7 00 00 00 01) or a sender name of 3 to 11 "
                                      "letters or digits."))


class TestForm(forms.Form):
    """Where « Tester » sends its message: a Telegram chat id (optional: without it the bot is checked) or a
    phone number (required)."""

    address = forms.CharField(label=gettext_lazy("Send a test message to"), max_length=30, required=False,
                              strip=True)

    def __init__(self, *args, platform: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        field = self.fields["address"]
        if platform == Platform.SMS:
            field.label = _("Mobile number to send a test message to")
            field.required = True
            field.error_messages["required"] = _("Give the mobile number that receives the test message.")
            field.widget.attrs.update(autocomplete="tel", inputmode="tel")
        else:
            field.label = _("Chat id to send a test message to (optional)")
            field.help_text = _("Empty: the bot and its webhook are checked. A chat id (the person must have "
                                "written to the bot first): a test message is sent there.")
            field.widget.attrs.update(inputmode="numeric")

    def clean_address(self):
        value = self.cleaned_data["address"]
        if self.platform == Platform.SMS:
            number = sms.normalise(value)
            if number is None:
                raise forms.ValidationError(_("This is not a phone number: write it as 06 12 34 56 78 or "
                                              "+33 6 12 34 56 78."))
            return number
        if value and not re.fullmatch(r"-?[0-9]{1,20}", value):
            raise forms.ValidationError(_("A chat id is made of digits only, for example 7012345678."))
        return value


class ReplyForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your answer"), max_length=services.REPLY_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": gettext_lazy("Write your answer before sending it.")})


def _channel(request, channel_id) -> ChatChannel:
    return get_object_or_404(ChatChannel, pk=channel_id, organisation=request.organisation)


@require_safe
@backoffice_view(MANAGE)
def channels(request, org_slug):
    return render(request, "channels/backoffice/channels.html", {
        "organisation": request.organisation,
        "channels": ChatChannel.objects.filter(organisation=request.organisation).order_by("platform", "pk"),
        "platforms": CONNECTABLE,
        "open_tickets": ChatTicket.objects.filter(organisation=request.organisation, closed_at=None).count(),
    })


def _form_page(request, form, *, title, channel=None, status=200):
    return render(request, "channels/backoffice/channel_form.html", {
        "organisation": request.organisation, "form": form, "title": title, "channel": channel,
    }, status=status)


@backoffice_view(MANAGE)
def channel_create(request, org_slug, platform):
    if platform not in dict(CONNECTABLE):
        raise Http404(_("This platform does not exist."))
    if platform in TRANSPORTS:
        return _transport_create(request, platform)
    label = dict(Platform.choices)[platform]
    title = _("Connect a %(platform)s page") % {"platform": label}
    form = ChannelForm(request.POST or None, platform=platform)
    if request.method == "POST" and form.is_valid():
        external_id = form.cleaned_data["external_id"]
        taken = ChatChannel.objects.filter(platform=platform, external_id=external_id).first()
        if taken is not None and taken.organisation_id != request.organisation.pk:
            form.add_error("external_id", _("This page is already connected to another organisation."))
        else:
            services.chat_channel_connect(actor=request.user, organisation=request.organisation, platform=platform,
                                          external_id=external_id, token=form.cleaned_data["token"])
            messages.success(request, _("The page is connected. Check its token with “Test”."))
            return redirect("channels_backoffice:channels", org_slug)
    return _form_page(request, form, title=title, status=400 if form.errors else 200)


def _transport_create(request, platform):
    form = (TelegramForm if platform == Platform.TELEGRAM else SmsForm)(request.POST or None)
    title = _("Connect a Telegram bot") if platform == Platform.TELEGRAM else _("Connect an SMS number")
    if request.method == "POST" and form.is_valid():
        try:
            if platform == Platform.TELEGRAM:
                channel = services.telegram_channel_connect(actor=request.user, organisation=request.organisation,
                                                            token=form.cleaned_data["token"])
                messages.success(request, _("The bot @%(name)s is connected: Telegram now sends its messages "
                                            "here.") % {"name": channel.external_id})
            else:
                channel = services.sms_channel_connect(actor=request.user, organisation=request.organisation,
                                                       number=form.cleaned_data["number"])
                messages.success(request, _("The number is connected. Paste the callback URL below in OVHcloud's "
                                            "manager."))
        except services.PlatformRefused as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("channels_backoffice:channel_edit", request.organisation.slug, channel.pk)
    return render(request, "channels/backoffice/transport_form.html", {
        "organisation": request.organisation, "form": form, "title": title, "platform": platform,
    }, status=400 if form.errors else 200)


def _transport_page(request, channel, *, test_form=None, status=200):
    return render(request, "channels/backoffice/transport.html", {
        "organisation": request.organisation, "channel": channel,
        "telegram": channel.platform == Platform.TELEGRAM,
        "callback_url": services.sms_callback_url(channel) if channel.platform == Platform.SMS else "",
        "webhook_url": services.telegram_webhook_url(channel) if channel.platform == Platform.TELEGRAM else "",
        "account_ready": services.sms_account_ready(),
        "test_form": test_form or TestForm(platform=channel.platform),
        "last_test": services.channel_test_result(channel),
        "token_form": TelegramForm() if channel.platform == Platform.TELEGRAM else None,
    }, status=status)


@backoffice_view(MANAGE)
def channel_edit(request, org_slug, channel_id):
    channel = _channel(request, channel_id)
    if channel.platform in TRANSPORTS:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return _transport_page(request, channel)
    has_token = bool(channel.token_encrypted)
    form = ChannelForm(request.POST or None, platform=channel.platform, has_token=has_token,
                       initial={"external_id": channel.external_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_channel_update(actor=request.user, channel=channel,
                                         external_id=form.cleaned_data["external_id"],
                                         token=form.cleaned_data["token"])
        except IntegrityError:
            form.add_error("external_id", _("This page is already connected to another organisation."))
        else:
            messages.success(request, _("The page is saved."))
            return redirect("channels_backoffice:channels", org_slug)
    title = _("%(platform)s page %(id)s") % {"platform": channel.get_platform_display(), "id": channel.external_id}
    return _form_page(request, form, title=title, channel=channel, status=400 if form.errors else 200)


@require_POST
@backoffice_view(MANAGE)
def channel_check(request, org_slug, channel_id):
    channel = _channel(request, channel_id)
    if channel.platform in TRANSPORTS:
        form = TestForm(request.POST, platform=channel.platform)
        if not form.is_valid():
            return _transport_page(request, channel, test_form=form, status=400)
        address = form.cleaned_data["address"]
        if channel.platform == Platform.SMS and not services.sms_account_ready():
            messages.error(request, _("The platform's OVHcloud SMS account is not set up: ask the platform's "
                                      "administrator."))
        elif address:
            services.channel_test_send(actor=request.user, channel=channel, address=address)
            messages.success(request, _("The test message is with the worker: its result shows below in a few "
                                        "seconds (reload the page)."))
        else:
            ok, result = services.chat_channel_check(actor=request.user, channel=channel)
            (messages.success if ok else messages.error)(request, result)
        return redirect("channels_backoffice:channel_edit", org_slug, channel.pk)
    ok, result = services.chat_channel_check(actor=request.user, channel=channel)
    (messages.success if ok else messages.error)(request, result)
    return redirect("channels_backoffice:channels", org_slug)


@require_POST
@backoffice_view(MANAGE)
def channel_deactivate(request, org_slug, channel_id):
    channel = _channel(request, channel_id)
    services.chat_channel_deactivate(actor=request.user, channel=channel)
    if channel.platform in TRANSPORTS:
        messages.success(request, _("The channel is disconnected: its messages are no longer answered. Connect it "
                                    "again to reactivate it."))
    else:
        messages.success(request, _("The page is deactivated: its messages are no longer answered. Save it again "
                                    "to reactivate it."))
    return redirect("channels_backoffice:channels", org_slug)


@require_safe
@backoffice_view(MANAGE, read=READ)
def figures(request, org_slug):
    result = figures_for(organisation=request.organisation)
    return render(request, "channels/backoffice/figures.html", {
        "organisation": request.organisation, "figures": result, "today": timezone.localdate(),
        "charts": [(f"chart-{index}", chart) for index, chart in enumerate(result.charts)],
    })


@require_safe
@backoffice_view(MANAGE, read=READ)
def figures_csv(request, org_slug):
    result = figures_for(organisation=request.organisation)
    return export_response(list(result.csv_rows()), [_("Figure"), _("Item"), _("Detail"), _("Value")],
                           f"discussion-{request.organisation.slug}.csv", stream=False)


@require_safe
@backoffice_view(MANAGE)
def tickets(request, org_slug):
    rows = (ChatTicket.objects.filter(organisation=request.organisation)
            .select_related("participant").order_by("closed_at", "-last_activity_at")[:200])
    return render(request, "channels/backoffice/tickets.html", {
        "organisation": request.organisation,
        "open": [ticket for ticket in rows if ticket.is_open],
        "closed": [ticket for ticket in rows if not ticket.is_open][:50],
    })


@backoffice_view(MANAGE)
def ticket(request, org_slug, ticket_id):
    item = get_object_or_404(ChatTicket.objects.select_related("participant"), pk=ticket_id,
                             organisation=request.organisation)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.chat_ticket_reply(actor=request.user, ticket=item, text=form.cleaned_data["text"])
            except services.ReplyRefused as refused:
                form.add_error("text", refused.message)  # the text stays in the box
            else:
                messages.success(request, _("Your answer is sent."))
                return redirect("channels_backoffice:ticket", org_slug, item.pk)
    return render(request, "channels/backoffice/ticket.html", {
        "organisation": request.organisation, "ticket": item, "form": form,
        "thread": list(item.messages()), "IN": "in",
        "web": item.participant.platform == Platform.WEB,
    }, status=400 if form.errors else 200)


@require_POST
@backoffice_view(MANAGE)
def ticket_close(request, org_slug, ticket_id):
    item = get_object_or_404(ChatTicket, pk=ticket_id, organisation=request.organisation)
    services.chat_ticket_close(actor=request.user, ticket=item)
    messages.success(request, _("The conversation is closed."))
    return redirect("channels_backoffice:tickets", org_slug)

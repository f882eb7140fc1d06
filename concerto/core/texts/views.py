"""The themes of a space's free texts in the back-office (/gestion/<org>/<space>/themes/): read by the people who
read the space's figures (`spaces.read_space`), edited by those who manage it (`spaces.manage_space`, 2FA).

Views never cluster: an edit is stored and the worker recomputes (core/texts/themes.py)."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.audit.services import audit_record
from concerto.core.spaces.lookup import space_for
from concerto.core.texts import clustering, themes
from concerto.core.texts.models import SpaceThemes, Theme, ThemeText

NAME_MAX = 150


def _page(request, space, *, error: str = "", status: int = 200):
    state = SpaceThemes.objects.filter(space=space).first()
    listed = list(Theme.objects.filter(space=space))
    return render(request, "texts/themes.html", {
        "organisation": request.organisation, "space": space, "state": state, "themes": listed,
        "can_manage": request.user.has_perm(MANAGE, request.organisation), "error": error,
        "min_texts": clustering.MIN_TEXTS,
    }, status=status)


def _done(request, space, message: str):
    messages.success(request, message)
    return redirect("backoffice:themes", request.organisation.slug, space.slug)


def _theme(space, value) -> Theme | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2**31:  # what the column holds: a huge number is no theme, not a database error
        return None
    return Theme.objects.filter(space=space, number=number).first()


def _audit(request, space, action: str, **data):
    audit_record(actor=request.user, action=action, target=space, organisation=request.organisation, data=data)


@require_safe
@backoffice_view(MANAGE, read=READ)
def theme_list(request, org_slug, space_slug):
    return _page(request, space_for(request, space_slug))


@require_POST
@backoffice_view(MANAGE)
def theme_recompute(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    themes.themes_schedule(space, delay=timedelta(0))
    _audit(request, space, "themes.recompute_requested")
    return _done(request, space, _("The themes will be computed again in a moment."))


@require_POST
@backoffice_view(MANAGE)
def theme_rename(request, org_slug, space_slug, theme_id):
    space = space_for(request, space_slug)
    theme = _theme(space, theme_id)
    name = " ".join((request.POST.get("name") or "").split())
    if theme is None:
        return _page(request, space, error=_("This theme no longer exists: the themes were computed again."),
                     status=404)
    if not name or len(name) > NAME_MAX:
        return _page(request, space, error=_("Give the theme a name of 1 to %(max)s characters.") % {"max": NAME_MAX},
                     status=400)
    themes.theme_rename(space=space, user=request.user, theme=theme, name=name)
    _audit(request, space, "themes.renamed", theme=theme.number, name=name)
    return _done(request, space, _("The theme is renamed; the name stays when the themes are computed again."))


@require_POST
@backoffice_view(MANAGE)
def theme_merge(request, org_slug, space_slug, theme_id):
    space = space_for(request, space_slug)
    theme, other = _theme(space, theme_id), _theme(space, request.POST.get("other"))
    if theme is None or other is None or other.pk == theme.pk:
        return _page(request, space, error=_("Choose another theme of this space to merge with this one."),
                     status=400)
    themes.theme_merge(space=space, user=request.user, theme=theme, other=other)
    _audit(request, space, "themes.merged", theme=theme.number, other=other.number)
    return _done(request, space, _("The themes will be merged in a moment, and stay merged."))


@require_POST
@backoffice_view(MANAGE)
def theme_split(request, org_slug, space_slug, theme_id):
    space = space_for(request, space_slug)
    theme = _theme(space, theme_id)
    if theme is None or theme.size < 2:
        return _page(request, space, error=_("Only a theme of at least two texts can be split."), status=400)
    themes.theme_split(space=space, user=request.user, theme=theme)
    _audit(request, space, "themes.split", theme=theme.number)
    return _done(request, space, _("The theme will be split in two in a moment, and stay split."))


@require_POST
@backoffice_view(MANAGE)
def text_move(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    kind, _sep, item_id = (request.POST.get("text") or "").partition(":")
    text = (ThemeText.objects.filter(space=space, kind=kind, item_id=item_id).first()
            if item_id.isdigit() and len(item_id) < 19 else None)
    theme = _theme(space, request.POST.get("theme"))
    if text is None or theme is None:
        return _page(request, space, error=_("Choose a text and a theme of this space."), status=400)
    themes.text_move(space=space, user=request.user, text=text, theme=theme)
    _audit(request, space, "themes.text_moved", text=text.key, theme=theme.number)
    return _done(request, space, _("The text is moved; it stays in this theme when the themes are computed again."))

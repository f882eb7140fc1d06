"""The mail provider's webhook for bounces (Brevo's transactional webhooks): the provider posts JSON events, the
secret of `CONCERTO_BREVO_WEBHOOK_SECRET` authenticates it. Without a secret the address does not exist (404)."""

import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from concerto.core.participation.bounces import BounceInputError, brevo_authorised, brevo_events_record


@csrf_exempt  # a server-to-server call: the secret is the proof
@require_POST
def brevo_webhook(request):
    if not getattr(settings, "CONCERTO_BREVO_WEBHOOK_SECRET", ""):
        raise Http404
    if not brevo_authorised(request.headers.get("Authorization", "")):
        return JsonResponse({"error": _("Wrong or missing secret.")}, status=401)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("The body is not JSON.")}, status=400)
    try:
        counted, ignored = brevo_events_record(payload)
    except BounceInputError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"counted": counted, "ignored": ignored})

"""The 500 page under the production settings, through the whole middleware stack (part of `.ci/prod-smoke`).

Production mounts no page that fails on purpose, so this builds a URLconf of its own for one request: the site's
URLs and handlers plus a view that raises. The page must be the site's own (its stylesheet under the hashed name
from the collected manifest, so the fallback page did not stand in) and French.
"""

import logging
import os
import re
import sys
import types

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")

import django  # noqa: E402

django.setup()

from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

import concerto.urls  # noqa: E402


def boom(request):
    raise RuntimeError("a defect, on purpose")


failing = types.ModuleType("prod_smoke_failing_urls")
failing.urlpatterns = [path("essai-panne/", boom), *concerto.urls.urlpatterns]
failing.handler500 = concerto.urls.handler500
sys.modules[failing.__name__] = failing

# The traceback of the failure on purpose would only alarm the reader of the CI log.
logging.getLogger("django.request").setLevel(logging.CRITICAL)
with override_settings(ROOT_URLCONF=failing.__name__):
    response = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1").get(
        "/essai-panne/", HTTP_X_FORWARDED_PROTO="https")
html = response.content.decode()
problems = [what for what, ok in (
    ("status 500", response.status_code == 500),
    ('<html lang="fr">', '<html lang="fr">' in html),
    ("the French sentence", "Rien de ce que vous aviez déjà enregistré" in html),
    ("the site's hashed stylesheet", re.search(r"/static/concerto/concerto\.[0-9a-f]{12}\.css", html)),
) if not ok]
if problems:
    sys.exit(f"500 page: missing {', '.join(problems)}; status {response.status_code}:\n{html[:1500]}")
print("500 page: French, the site's own, hashed static names")

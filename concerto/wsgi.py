import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
application = get_wsgi_application()

# Loud at start-up: a production process without Redis keeps its send limits and cache to itself.
from concerto.core.deployment import warn_at_start  # noqa: E402

warn_at_start()

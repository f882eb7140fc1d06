import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
application = get_asgi_application()

# Loud at start-up: a production process without Redis keeps its send limits and cache to itself.
from concerto.core.deployment import warn_at_start  # noqa: E402

warn_at_start()

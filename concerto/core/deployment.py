"""What an operator must hear at start-up about a production set-up that will not hold on several machines.

Without REDIS_URL, the cache, the sessions' cache and the send limits (concerto/core/ratelimit.py) live in each
process's memory: behind a load balancer, every app server (and every worker process of it) counts the limits
on its own, so a sender gets N times the limit, and cached pages differ from one server to the next. With
DEBUG off this is said twice: by a system check (`manage.py check --deploy` shows concerto.W001) and by a
warning in the log when the WSGI application starts.
"""

import logging

from django.conf import settings
from django.core import checks

logger = logging.getLogger("concerto.deployment")

SINGLE_PROCESS_STATE = (
    "REDIS_URL is not set: send limits, the cache and cached sessions are kept per process. Behind a load "
    "balancer or with several worker processes, each process counts the limits on its own (a sender gets that "
    "many times the limit) and caches differ. Set REDIS_URL to a Redis shared by every app server."
)


def single_process_state() -> bool:
    """Whether this production process keeps limits and cache in its own memory."""
    return not settings.DEBUG and not getattr(settings, "REDIS_URL", "")


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_state(app_configs=None, **kwargs):
    if not single_process_state():
        return []
    return [checks.Warning(SINGLE_PROCESS_STATE, hint="REDIS_URL=redis://host:6379/0 (docs/operations.md, "
                                                      "\"Several machines\").", id="concerto.W001")]


def warn_at_start() -> None:
    """Called when the WSGI application starts: the same warning, in the log, where operators look."""
    if single_process_state():
        logger.warning("WARNING concerto.W001: %s", SINGLE_PROCESS_STATE)

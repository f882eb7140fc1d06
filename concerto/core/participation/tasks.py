"""The notification pipeline's background work, run by the task queue's worker (`manage.py db_worker`).

The tasks live with the pipeline (notifications.py), so that nothing there imports back from here; this
module names them for the worker's readers and older imports.
"""

from concerto.core.participation.notifications import (  # noqa: F401 - re-exported
    MAX_ATTEMPTS,
    mail_deliver,
    notification_deliver,
    notification_email,
)

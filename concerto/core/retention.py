"""The retention job (RGPD art. 5.1.e): deletes or anonymises each kind of personal data once its period is
over. The kinds and their periods are the `RetentionRule`s that accounts, participation and the components
declare (`accounts.privacy.retention_rules()`); the privacy page lists the same ones.

Run by the clock every six hours (`manage.py run_periodic`), or by hand with `manage.py purge_personal_data
[--dry-run]`. Each rule works in batches and is safe to run twice; a run that purged anything writes one
audit entry with the figures per kind (never a personal value). A rule that warns people before
their data goes (`RetentionRule.warn`) adds the figure "<name>_warned": how many it told.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from concerto.core.accounts.privacy import retention_rules
from concerto.core.audit.services import audit_record
from concerto.core.registry import PeriodicJob

logger = logging.getLogger("concerto.retention")


def retention_purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Purge what is past its period, rule by rule; {rule name: rows purged (or to purge, with DRY_RUN)}."""
    now = now or timezone.now()
    figures = {}
    for rule in retention_rules():
        cutoff = now - timedelta(days=rule.period_days)
        try:
            if rule.warn is not None:
                with transaction.atomic():
                    figures[f"{rule.name}_warned"] = rule.warn(cutoff + timedelta(days=rule.warn_days), now=now,
                                                               dry_run=dry_run)
            with transaction.atomic():
                figures[rule.name] = rule.purge(cutoff, dry_run=dry_run)
        except Exception:
            # One failing kind must not keep the others past their period; the next run tries again.
            logger.exception("Retention rule %s failed; it runs again at the next turn.", rule.name)
    purged = {name: count for name, count in figures.items() if count}
    if purged and not dry_run:
        audit_record(actor=None, action="privacy.retention_purged", data={"purged": purged})
        logger.info("Personal data past its retention period purged", extra={"purged": purged})
    return figures


def _job(now: datetime) -> int:
    return sum(retention_purge(now=now).values())


JOB = PeriodicJob(name="privacy.retention", every=6 * 60 * 60, run=_job)

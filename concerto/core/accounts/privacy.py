"""The kernel's personal-data providers: what a kernel package above accounts holds about a person.

The right of access (`services.account_export`) and the right to erasure (`services.account_delete`) belong to
accounts, but comments, follows, notifications and the contributions ledger belong to participation, which sits
above accounts. Rather than accounts importing them, each such package registers a provider at start-up (in its
AppConfig.ready()), as components declare `personal_data` / `erase_personal_data` in their manifests.

Retention (RGPD art. 5.1.e): each provider, and each component's manifest (`retention=`), also declares the
kinds of personal data it keeps for a limited time, as `RetentionRule`s. `retention_rules()` lists them all:
the periodic purge (concerto/core/retention.py) and the privacy page read the same list and the same periods
(CONCERTO_RETENTION_DAYS overrides the defaults), so the page never says what the job does not do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from concerto.core import registry


@dataclass(frozen=True)
class RetentionRule:
    """One kind of personal data kept for a while. NAME is its key in CONCERTO_RETENTION_DAYS; LABEL says what
    it is and SINCE from when its period counts (both shown on the privacy page); DAYS is the default period
    and BASIS where it comes from (a CNIL recommendation, or the project's reason). PURGE(cutoff, dry_run=)
    deletes or anonymises what is older than CUTOFF and returns how many rows it touched (or would have);
    it works in batches and is safe to run twice.

    WARN_DAYS and WARN, for data whose owner is told before it goes (inactive accounts): before PURGE, the
    job calls WARN(cutoff + WARN_DAYS, now=, dry_run=), which tells once each person whose data passes that
    later cutoff and returns how many it told; PURGE then takes only what was announced WARN_DAYS before."""

    name: str
    label: Any
    since: Any
    days: int
    basis: Any
    purge: Callable
    warn_days: int = 0
    warn: Callable | None = None

    @property
    def period_days(self) -> int:
        return int(getattr(settings, "CONCERTO_RETENTION_DAYS", {}).get(self.name, self.days))


@dataclass(frozen=True)
class Processor:
    """A processor (RGPD art. 28) that receives personal data when people use what a provider offers, listed on
    the privacy page: NAME, the company; SERVICE, what of theirs is used; DATA, what is sent to them; PURPOSE,
    why."""

    name: Any
    service: Any
    data: Any
    purpose: Any


@dataclass(frozen=True)
class AccountPage:
    """A page of the person's account that a provider adds (listed on the profile page): LABEL, URL_NAME."""

    label: Any
    url_name: str


def _nothing(user) -> dict:
    return {}


@dataclass(frozen=True)
class PersonalDataProvider:
    """NAME: who provides; EXPORT(user) -> dict of sections merged at the top of the person's export;
    ERASE(user) -> dict of figures (never personal values) added to the `account.deleted` audit entry;
    RETENTION: the kinds of personal data it keeps for a limited time; PROCESSORS: who else receives some
    (the privacy page lists them); ACCOUNT_PAGES: its pages of the person's account; PLACES(user) -> the points
    the person gave it, as (label, latitude, longitude) (the profile suggests a quartier from them)."""

    name: str
    export: Callable = _nothing
    erase: Callable = _nothing
    retention: tuple[RetentionRule, ...] = ()
    processors: tuple[Processor, ...] = ()
    account_pages: tuple[AccountPage, ...] = ()
    places: Callable = lambda user: []  # noqa: E731


_providers: dict[str, PersonalDataProvider] = {}


def personal_data_provider_register(provider: PersonalDataProvider) -> None:
    """Add PROVIDER (registering the same name again replaces it, so a reloaded app is not counted twice)."""
    _providers[provider.name] = provider


def personal_data_providers() -> list[PersonalDataProvider]:
    """The providers, in the order they were registered (the order of INSTALLED_APPS)."""
    return list(_providers.values())


def retention_rules() -> list[RetentionRule]:
    """Every kind of personal data with a retention period: the kernel's providers', then the components'."""
    rules = [rule for provider in _providers.values() for rule in provider.retention]
    rules += [rule for manifest in registry.components() for rule in manifest.retention]
    return rules


def processors() -> list[Processor]:
    """The processors the providers declare, for the privacy page."""
    return [processor for provider in _providers.values() for processor in provider.processors]


def places_of(user) -> list[tuple[str, float, float]]:
    """The points the person gave (a followed place...), as (label, latitude, longitude), from every provider."""
    return [place for provider in _providers.values() for place in provider.places(user)]


def account_pages() -> list[AccountPage]:
    """The providers' pages of the person's account, for the profile page."""
    return [page for provider in _providers.values() for page in provider.account_pages]


BATCH = 1000


def batched_purge(queryset, *, dry_run: bool, update: dict | None = None) -> int:
    """Delete the rows of QUERYSET (or apply UPDATE to them: anonymise) BATCH at a time, each batch its own
    short statement, so a first run over years of rows never holds a long lock. Returns how many rows."""
    if dry_run:
        return queryset.count()
    done = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        batch = queryset.model._base_manager.filter(pk__in=ids)
        if update is None:
            batch.delete()
        else:
            batch.update(**update)
        done += len(ids)


def batched_erase_keys(queryset, field: str, *, dry_run: bool, update: dict | None = None) -> int:
    """Replace FIELD (a key naming a person: a hash, `user:<id>`) of each row of QUERYSET with `erased:<pk>`,
    a value of its own (for keys under a unique constraint), and apply UPDATE too, BATCH rows at a time.
    QUERYSET must leave out the rows whose key already starts with `erased:`. Returns how many rows."""
    if dry_run:
        return queryset.count()
    model, done = queryset.model, 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        model._base_manager.bulk_update([model(pk=pk, **{field: f"erased:{pk}"}, **(update or {})) for pk in ids],
                                        [field, *(update or {})])
        done += len(ids)

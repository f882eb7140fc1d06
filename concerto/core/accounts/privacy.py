"""The kernel's personal-data providers: what a kernel package above accounts holds about a person.

The right of access (`services.account_export`) and the right to erasure (`services.account_delete`) belong to
accounts, but comments, follows, notifications and the contributions ledger belong to participation, which sits
above accounts. Rather than accounts importing them, each such package registers a provider at start-up (in its
AppConfig.ready()), as components declare `personal_data` / `erase_personal_data` in their manifests.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalDataProvider:
    """NAME: who provides; EXPORT(user) -> dict of sections merged at the top of the person's export;
    ERASE(user) -> dict of figures (never personal values) added to the `account.deleted` audit entry."""

    name: str
    export: Callable
    erase: Callable


_providers: dict[str, PersonalDataProvider] = {}


def personal_data_provider_register(provider: PersonalDataProvider) -> None:
    """Add PROVIDER (registering the same name again replaces it, so a reloaded app is not counted twice)."""
    _providers[provider.name] = provider


def personal_data_providers() -> list[PersonalDataProvider]:
    """The providers, in the order they were registered (the order of INSTALLED_APPS)."""
    return list(_providers.values())

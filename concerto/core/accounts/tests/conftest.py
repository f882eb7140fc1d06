import pytest
from django.core.cache import cache

from concerto.core.accounts import verification

# Sceaux's census list in the verification tests: two residents.
CENSUS_CSV = "nom;prénom;date de naissance\nMartin;Camille;14/07/1985\nDupont;Jean-Pierre;1950-01-02\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits and used TOTP codes in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def census(sceaux, agent):
    """Sceaux with its census list (CENSUS_CSV) uploaded by its agent."""
    verification.census_upload(agent=agent, organisation=sceaux, data=CENSUS_CSV.encode())
    return sceaux


@pytest.fixture
def sms_outbox(settings):
    """Text messages are kept in memory: the list of those sent."""
    settings.CONCERTO_SMS_BACKEND = "concerto.core.accounts.verification.MemorySmsBackend"
    verification.MemorySmsBackend.outbox = []
    return verification.MemorySmsBackend.outbox

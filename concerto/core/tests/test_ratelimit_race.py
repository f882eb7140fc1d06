"""Send limits hold under simultaneous sends: a place is taken with one atomic cache increment before the
service runs, so 30 comments sent at once by one person against a limit of 5 save exactly 5."""

import pytest
from django.core.cache import cache

from concerto import testing
from concerto.core import ratelimit


@pytest.fixture
def limited_service(rate_limits):
    rate_limits.CONCERTO_RATE_LIMITS = {"comment": (5, 600)}
    done = []

    @ratelimit.send_limited("comment")
    def comment_send(*, body):
        done.append(body)
        return body

    return comment_send, done


def test_thirty_simultaneous_sends_against_a_limit_of_five_save_exactly_five(limited_service):
    comment_send, done = limited_service
    outcomes = testing.at_once(lambda n: comment_send(body=f"avis {n}", sender="user:1"), range(30))
    refused = [outcome for outcome in outcomes if isinstance(outcome, ratelimit.RateLimited)]
    assert len(done) == 5 and len(refused) == 25
    # Refusals took no place: once the window is over (here: cleared), the person sends again.
    assert ratelimit.used("comment", "user:1") == 5
    cache.clear()
    assert comment_send(body="plus tard", sender="user:1") == "plus tard"


def test_a_send_that_fails_gives_its_place_back(limited_service, rate_limits):
    rate_limits.CONCERTO_RATE_LIMITS = {"comment": (1, 600)}

    @ratelimit.send_limited("comment")
    def failing(*, body):
        raise ValueError(body)

    for _ in range(3):
        with pytest.raises(ValueError):
            failing(body="x", sender="user:2")
    assert ratelimit.used("comment", "user:2") == 0
    comment_send, done = limited_service
    assert comment_send(body="ok", sender="user:2") == "ok"
    with pytest.raises(ratelimit.RateLimited):
        comment_send(body="encore", sender="user:2")


def test_with_redis_thirty_simultaneous_sends_save_exactly_five(limited_service, settings):
    """The same race on the production cache (Redis, shared by every app server), when one is running."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    from django.core.cache import caches

    cache_ = caches["default"]
    cache_.clear()
    comment_send, done = limited_service
    outcomes = testing.at_once(lambda n: comment_send(body=f"avis {n}", sender="user:3"), range(30))
    assert len(done) == 5
    assert sum(isinstance(outcome, ratelimit.RateLimited) for outcome in outcomes) == 25
    cache_.clear()

"""The beat lease on the real Redis: one holder at a time, taken over when it is not renewed."""

import time

import pytest
import redis
from django.conf import settings

from cases.infra.beat_lock import KEY, BeatLease

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh_key():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(KEY)
    yield
    client.delete(KEY)


def test_one_candidate_holds_the_lease_and_the_other_stands_by(fresh_key):
    first, second = (BeatLease(settings.REDIS_URL, 5, token=name) for name in ("host-1:1", "host-2:1"))
    assert (first.hold(), second.hold(), first.hold(), second.hold()) == (True, False, True, False)


def test_a_standby_takes_the_lease_that_was_not_renewed_and_the_old_holder_stands_down(fresh_key):
    first, second = (BeatLease(settings.REDIS_URL, 0.5, token=name) for name in ("host-1:1", "host-2:1"))
    assert first.hold()
    time.sleep(0.7)
    assert second.hold()
    assert not first.hold()


def test_renewing_keeps_the_lease_past_its_first_expiry(fresh_key):
    first, second = (BeatLease(settings.REDIS_URL, 0.6, token=name) for name in ("host-1:1", "host-2:1"))
    for _ in range(4):
        assert first.hold()
        assert not second.hold()
        time.sleep(0.3)

"""Feed tests start with empty in-process caches, so no test sees another's bytes."""

import pytest

from nscal.feeds.ical import clear_caches
from nscal.feeds.services import clear_feed_cache


@pytest.fixture(autouse=True)
def _empty_feed_caches():
    clear_caches()
    clear_feed_cache()
    yield
    clear_caches()
    clear_feed_cache()

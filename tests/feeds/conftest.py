"""Feed tests start with an empty whole-feed cache, so no test sees another's bytes."""

import pytest

from nscal.feeds.services import clear_feed_cache


@pytest.fixture(autouse=True)
def _empty_feed_cache():
    clear_feed_cache()
    yield
    clear_feed_cache()

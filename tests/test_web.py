"""The view helpers: where a login may send a person next."""

import pytest

from nscal.web import safe_next


@pytest.mark.parametrize("target", ["/account", "/events/12?city=malmo", "/cities/malmo/"])
def test_a_path_on_this_site_is_kept(target):
    assert safe_next(target, "/") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "javascript:x",
        "account",
        "/\\evil.example/",  # browsers read the backslash as a slash
        "/\t/evil.example/",  # and drop the tab
        "/\n/evil.example/",
    ],
)
def test_anything_that_could_leave_the_site_falls_back(target):
    assert safe_next(target, "/") == "/"

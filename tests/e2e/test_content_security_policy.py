"""The Content-Security-Policy holds in a real browser: no page needs an inline script
or style, so Chromium reports no violation while people use the pages."""

import pytest

from tests.e2e.browser import COORDINATOR, log_in, visit

pytestmark = pytest.mark.e2e


def test_pages_run_without_a_single_policy_violation(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (
        "/",
        "/events/",
        "/calendar/2027",
        "/calendar/2027/1",
        "/auth/login",
        "/auth/forgot-password",
    ):
        visit(page, path)
    log_in(page, COORDINATOR)
    for path in (
        "/manage/",
        "/manage/events/",
        "/manage/calendar/2027",
        "/manage/import/",
        "/manage/events/new",
        "/account",
        "/manage/mail/",
        "/manage/mail/registration_confirmed",
    ):
        visit(page, path)
    assert violations == []

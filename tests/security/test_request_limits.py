"""Request sizes and file parts: refused clearly, before any form code sees them."""

import io

import pytest

from nscal.accounts.models import AccountRole
from tests.conftest import csrf_token_from

TWENTY_MB = 20 * 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A 20 MB request body that fails the test if anybody reads it."""

    position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = TWENTY_MB + offset if whence == io.SEEK_END else offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_a_huge_post_is_refused_with_a_friendly_413_without_reading_it(client):
    response = client.post(
        "/auth/login",
        input_stream=UnreadableBody(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "That request is too large" in response.text
    assert "Traceback" not in response.text


def test_a_post_over_the_configured_limit_is_refused(client):
    response = client.post(
        "/auth/login",
        data={"email": "a@b.c", "password": "x" * (1024 * 1024)},
    )
    assert response.status_code == 413


@pytest.fixture
def coordinator(demo, make_user, auth):
    user = make_user("coordinator@example.org", account_role=AccountRole.coordinator)
    auth.login(user.email)
    return user


def test_the_import_upload_may_be_larger_than_other_requests(client, coordinator):
    token = csrf_token_from(client.get("/manage/import/"))
    body = b"x" * (1536 * 1024)  # 1.5 MiB: over the 1 MiB limit of other requests
    boundary = "nscal-test"
    data = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.ics"\r\n'
            "Content-Type: text/calendar\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/manage/import/", data=data, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code != 413  # read and judged (as no calendar at all)
    assert "too large" not in response.text


def test_a_password_sent_as_a_file_is_a_clear_400(client, make_user):
    make_user("a@b.c")
    token = csrf_token_from(client.get("/auth/login"))
    response = client.post(
        "/auth/login",
        data={"email": "a@b.c", "password": (io.BytesIO(b"x"), "p.txt"), "csrf_token": token},
    )
    assert response.status_code == 400
    assert "This form takes no files" in response.text


def test_a_file_in_a_coordinator_form_is_a_clear_400(client, coordinator):
    token = csrf_token_from(client.get("/manage/events/new"))
    response = client.post(
        "/manage/events/new",
        data={"csrf_token": token, "title": (io.BytesIO(b"Summit"), "title.txt")},
    )
    assert response.status_code == 400
    assert "This form takes no files" in response.text


def test_the_import_refuses_a_file_in_its_other_fields(client, coordinator):
    token = csrf_token_from(client.get("/manage/import/"))
    response = client.post(
        "/manage/import/",
        data={
            "csrf_token": token,
            "publish": (io.BytesIO(b"y"), "publish.txt"),
            "file": (io.BytesIO(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), "empty.ics"),
        },
    )
    assert response.status_code == 400
    assert "This form takes no files" in response.text


@pytest.mark.parametrize(
    "path", ["/events/?q=%00", "/events/?city=%00x", "/calendar.ics?kind=%00", "/?lang=%00"]
)
def test_a_nul_in_the_address_is_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "not allowed" in response.get_data(as_text=True)


def test_the_api_refuses_a_nul_in_a_slug_in_its_own_words(client):
    response = client.get("/api/events?city=%00")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "city"

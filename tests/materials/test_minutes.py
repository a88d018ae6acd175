"""Publishing the minutes: a confirm step, then one mail per confirmed participant,
through the outbox, with a link that opens for them and not for a visitor."""

import re

import sqlalchemy as sa

from nscal.db import db
from nscal.mail.models import OutboxMessage
from tests.materials.conftest import PDF_BYTES, latest_material, own_client

LINK = re.compile(r"https://calendar\.test(/events/\d+/materials/\d+)")


def _publish_page(event, material) -> str:
    return f"/manage/events/{event.id}/materials/{material.id}/publish"


def _outbox() -> list[OutboxMessage]:
    return list(db.session.execute(sa.select(OutboxMessage)).scalars())


def test_publishing_the_minutes_mails_each_confirmed_participant_a_working_link(
    app, coordinator, viewers, event, make_user, deliver_outbox
):
    from nscal.registrations.models import Registration, RegistrationStatus
    from tests.materials.conftest import logged_in

    second = make_user("second@example.org", name="Sami Second")
    db.session.add(
        Registration(event_id=event.id, user_id=second.id, status=RegistrationStatus.confirmed)
    )
    db.session.commit()
    coordinator.upload(
        PDF_BYTES,
        "minutes.pdf",
        title="Minutes of the meeting",
        kind="minutes",
        visibility="participants",
    )
    minutes = latest_material()

    manage = viewers.coordinator.get(f"/manage/events/{event.id}/materials").text
    assert f'href="{_publish_page(event, minutes)}"' in manage
    confirm = viewers.coordinator.get(_publish_page(event, minutes))
    assert confirm.status_code == 200
    assert "Each of the <strong>2</strong> registered participants" in confirm.text
    assert _outbox() == []  # asking sent nothing

    answer = viewers.coordinator.post(
        _publish_page(event, minutes), data={"csrf_token": coordinator.token()}
    )
    assert answer.status_code == 302
    follow = viewers.coordinator.get(answer.headers["Location"]).text
    assert "a mail with the link goes to 2 registered participants" in follow

    delivered = deliver_outbox()
    recipients = sorted(message["To"] for message in delivered)
    assert recipients == [
        "Pia Participant <participant@example.org>",
        "Sami Second <second@example.org>",
    ]
    for message in delivered:
        assert message["Subject"] == "Minutes: Malmö city meeting"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        [path] = set(LINK.findall(text))
        assert path == f"/events/{event.id}/materials/{minutes.id}"
        assert f"https://calendar.test{path}" in html

    # The link opens for a participant, not for a visitor nor a member who did not come.
    answer = viewers.participant.get(path)
    assert answer.status_code == 200 and answer.data == PDF_BYTES
    assert logged_in(app, "second@example.org").get(path).status_code == 200
    assert own_client(app).get(path).status_code == 404
    assert viewers.member.get(path).status_code == 404

    # Published once: the button is gone and a second post sends nothing more.
    assert (
        "Sent to the participants"
        in viewers.coordinator.get(f"/manage/events/{event.id}/materials").text
    )
    viewers.coordinator.post(
        _publish_page(event, minutes), data={"csrf_token": coordinator.token()}
    )
    assert deliver_outbox() == []


def test_minutes_only_coordinators_see_cannot_be_published(coordinator, viewers, event):
    coordinator.upload(PDF_BYTES, "draft-minutes.pdf", kind="minutes", visibility="coordinators")
    minutes = latest_material()
    page = viewers.coordinator.get(_publish_page(event, minutes)).text
    assert "Only coordinators can see these minutes" in page
    answer = viewers.coordinator.post(
        _publish_page(event, minutes), data={"csrf_token": coordinator.token()}
    )
    assert answer.status_code == 302
    assert (
        "Only coordinators can see these minutes"
        in viewers.coordinator.get(answer.headers["Location"]).text
    )
    assert _outbox() == []


def test_public_minutes_mail_only_the_participants(coordinator, viewers, event, deliver_outbox):
    coordinator.upload(PDF_BYTES, "minutes.pdf", kind="minutes", visibility="public")
    minutes = latest_material()
    viewers.coordinator.post(
        _publish_page(event, minutes), data={"csrf_token": coordinator.token()}
    )
    delivered = deliver_outbox()
    assert [message["To"] for message in delivered] == ["Pia Participant <participant@example.org>"]
    # Public minutes open for visitors too, as the page says.
    path = LINK.search(delivered[0].get_body(("plain",)).get_content()).group(1)
    assert own_client(coordinator.client.application).get(path).status_code == 200


def test_slides_have_no_publish_step(coordinator, viewers, event):
    coordinator.upload(PDF_BYTES, "slides.pdf", kind="slides")
    slides = latest_material()
    assert viewers.coordinator.get(_publish_page(event, slides)).status_code == 404
    assert (
        _publish_page(event, slides)
        not in viewers.coordinator.get(f"/manage/events/{event.id}/materials").text
    )


def test_the_coordinators_preview_the_minutes_mail(viewers):
    page = viewers.coordinator.get("/manage/mail/minutes_published")
    assert page.status_code == 200
    assert "The minutes of Example city meeting on safe neighbourhoods are ready" in page.text

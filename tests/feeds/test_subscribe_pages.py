"""The calendar pages offer the feed to subscribe to: public for visitors, private for members."""

from urllib.parse import quote


def test_visitors_are_offered_the_public_feed(client):
    page = client.get("/calendar/2027").text
    assert 'href="webcal://calendar.test/calendar.ics"' in page
    assert "https://calendar.google.com/calendar/r?cid=" + quote(
        "webcal://calendar.test/calendar.ics", safe=""
    ) in page.replace("&amp;", "&")
    assert 'value="https://calendar.test/calendar.ics"' in page


def test_members_are_offered_their_private_feed(client, auth, make_user):
    user = make_user("aino@example.org")
    auth.login("aino@example.org")
    for path in ("/calendar/2027", "/calendar/2027/1", "/events/"):
        page = client.get(path).text
        assert f"webcal://calendar.test/feeds/{user.feed_token}.ics" in page, path
        assert "/calendar.ics" not in page.split("subscribe-heading")[1], path

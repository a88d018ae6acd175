import sys
from tests.i18n.test_every_page import _log_in, visible_text, site, COORDINATOR, MEMBER


def test_show(site):
    app = site[0]
    c = app.test_client()
    who = {"c": COORDINATOR, "m": MEMBER}.get(open("/tmp/who").read().strip())
    if who:
        _log_in(c, who)
    for p in open("/tmp/paths").read().split():
        t = visible_text(c.get(p).get_data(as_text=True))
        open("/tmp/show_out.txt", "a").write(f"==== {p}\n{t}\n")

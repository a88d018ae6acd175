"""Searching events through the index finds exactly what plain matching finds.

Plain matching, as before the index: the title, description or venue contains the
text typed, ignoring case, every character literal. The index (FTS5 trigrams on SQLite,
pg_trgm GIN indexes on PostgreSQL) must only make that fast.
"""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event
from nscal.events.search import FTS_TABLE, fts_phrase
from nscal.events.services import filter_events

NORDIC_EVENTS = [
    ("Årsmøde i Tórshavn", "Netværkets årlige møde.", "Norðurlandahúsið"),
    ("ÅRSMÖTE I MALMÖ", "Föreningens stämma, öppen för alla.", "Malmö stadshus"),
    ("Ungdomsarbejde på tværs", "Erfaringer fra Århus og Ålborg.", ""),
    ("Sikkerhet i byen", "Trygghet, forebygging og økonomi.", "Bærum rådhus"),
    ("Turvallisuus kaupungissa", "Kävijät ja käytännöt: yhteistyö.", "Helsingin kaupungintalo"),
    ("Fundur um öryggi", "Þátttakendur frá Reykjavík og Nuuk.", "Ráðhús Reykjavíkur"),
    ('The "safe city" review', "Questions OR answers, 50% done - not * all.", "Room (A)"),
    ("Prevention-network call", "Notes: near(x y), title:col, ^start, a_b and c%d.", "Online"),
]

INPUTS = [
    # Nordic letters, either case, whole words and parts of compound words
    "å", "Å", "årsmøde", "ÅRSMØDE", "møde", "MÖTE", "malmö", "MALMÖ", "Malmo",
    "æ", "bærum", "BÆRUM", "ø", "økonomi", "ä", "käy", "KÄYTÄNNÖT", "ð", "þátt", "ráðhús",
    # prefixes, infixes and suffixes, across word boundaries
    "Ung", "ngdom", "dom", "arbejde på", "city meeting", "summit", "SUMMIT", "webinar",
    "net", "work", "ork", "er", "e", "tt",
    # FTS and LIKE syntax typed by people: always plain characters
    '"', '""', '"safe city"', '"safe', "safe city\"", "OR", "or", "a OR b", "Questions OR",
    "*", "sum*", "* all", "-", "not -", "- not", "Prevention-network", "NOT", "AND", "NEAR",
    "near(x y)", "title:col", "title:", "^start", "^", "(", "(A)", ")", "%", "50%", "_",
    "a_b", "c%d", "\\", "'", "''", ":", "+", "{title}", "[x]", "\t", "x" * 300, "😀",
    "  møde  ",
]  # fmt: skip


def plain_match(needle: str) -> sa.ColumnElement[bool]:
    """The matching of before the index, on the same engine."""
    return sa.or_(
        *(
            column.icontains(needle, autoescape=True)
            for column in (Event.title, Event.description, Event.venue)
        )
    )


def ids(query: sa.Select) -> set[int]:
    return set(db.session.execute(query.with_only_columns(Event.id)).scalars())


@pytest.fixture
def nordic(demo, make_event):
    for title, description, venue in NORDIC_EVENTS:
        make_event(title, description=description, venue=venue)


def test_the_index_finds_what_plain_matching_finds(nordic):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) > 20
    for typed in INPUTS:
        needle = typed.strip()
        if not needle:
            continue
        found = ids(filter_events(sa.select(Event), text=typed))
        assert found == ids(sa.select(Event).where(plain_match(needle))), typed


def test_nordic_words_match_inside_compound_words_and_in_any_case(nordic):
    def titles(text: str) -> set[str]:
        query = filter_events(sa.select(Event), text=text).with_only_columns(Event.title)
        return set(db.session.execute(query).scalars())

    assert titles("møde") == {"Årsmøde i Tórshavn"}
    assert titles("öppen") == {"ÅRSMÖTE I MALMÖ"}  # in the description
    assert titles("stadshus") == {"ÅRSMÖTE I MALMÖ"}  # in the venue
    assert titles('"safe city"') == {'The "safe city" review'}
    assert titles("OR answers") == {'The "safe city" review'}
    assert titles("malmo") == set()  # ö is not o, as before


def test_search_uses_the_index_for_three_characters_or_more(app):
    query = filter_events(sa.select(Event.id), text="møde")
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        assert f"{FTS_TABLE} MATCH" in sql
        return
    # With so few rows the planner would rather scan: ask whether it can use the index.
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql).scalars())
    assert "ix_event_search_title" in plan, plan


def test_the_index_follows_every_change(app, make_event):
    event = make_event("Kick-off in Bodø", description="Nordlys", venue="Stormen")

    def found(text: str) -> bool:
        return event.id in ids(filter_events(sa.select(Event), text=text))

    assert found("bodø") and found("nordlys") and found("storm")
    event.title, event.description, event.venue = "Kick-off in Tromsø", "Midnattssol", "Kulturhus"
    db.session.commit()
    assert not found("bodø") and not found("nordlys") and not found("storm")
    assert found("tromsø") and found("midnatt") and found("kulturhus")
    db.session.delete(event)
    db.session.commit()
    assert not found("tromsø")
    if db.engine.dialect.name == "sqlite":  # nothing left behind in the index itself
        left = db.session.execute(
            sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase"),
            {"phrase": fts_phrase("tromsø")},
        ).all()
        assert left == []


@pytest.mark.parametrize("typed", INPUTS)
def test_every_text_typed_answers_the_list(client, nordic, typed):
    response = client.get("/events/", query_string={"q": typed, "when": "upcoming"})
    assert response.status_code in (200, 400)  # 400: the form refuses it (too long)
    assert "Traceback" not in response.text


def test_the_events_table_keeps_its_search_triggers_at_the_head(app):
    if db.engine.dialect.name != "sqlite":
        names = db.session.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'event'")
        ).scalars()
        assert {"ix_event_search_title", "ix_event_search_venue"} <= set(names)
        return
    triggers = db.session.execute(
        sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'")
    ).scalars()
    assert {"event_search_insert", "event_search_update", "event_search_delete"} <= set(triggers)


def test_an_event_made_before_the_index_is_found_after_the_migration(tmp_path):
    import flask_migrate

    from nscal import create_app
    from tests.conftest import test_config

    app = create_app(test_config(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        flask_migrate.upgrade(revision="0020_wiring")
        now = datetime(2026, 12, 1, 12)  # noqa: DTZ001 - stored as naive UTC on SQLite
        db.session.execute(
            sa.text(
                "INSERT INTO event (uid, title, kind, description, format, venue, online_url,"
                " timezone, starts_at, ends_at, all_day, visibility, status, sequence, detached,"
                " created_at, updated_at) VALUES ('old@nscal', 'Gammel årsmøde', 'summit', '',"
                " 'online', '', '', 'Europe/Oslo', :start, :end, 0, 'public', 'published', 0,"
                " 0, :now, :now)"
            ),
            {"start": datetime(2027, 3, 1, 9), "end": datetime(2027, 3, 1, 10), "now": now},  # noqa: DTZ001
        )
        db.session.commit()
        flask_migrate.upgrade()
        assert len(ids(filter_events(sa.select(Event), text="årsmøde"))) == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("typed", ["e", "møde", "a"])
def test_a_search_page_shows_what_plain_paging_shows(nordic, typed):
    from nscal.events.services import paginate_matches

    query = filter_events(sa.select(Event), text=typed).order_by(Event.starts_at, Event.id)
    plain = db.paginate(query, page=1, per_page=3, error_out=False)
    assert plain.total > 0
    for page in range(1, plain.pages + 2):  # one page past the end too
        plain = db.paginate(query, page=page, per_page=3, error_out=False)
        db.session.expunge_all()
        searched = paginate_matches(query, page, 3)
        assert [e.id for e in searched.items] == [e.id for e in plain.items], page
        assert (searched.total, searched.pages) == (plain.total, plain.pages)
        assert [[r.id for r in e.audience] for e in searched.items] == [
            [r.id for r in e.audience] for e in plain.items
        ]

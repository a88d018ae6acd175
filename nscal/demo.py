"""``flask seed-demo``: an idempotent demo of the network, modelled on Nordic Safe Cities."""

from datetime import date, datetime

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import create_user, find_user_by_email
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.demo_history import seed_demo_history
from nscal.events.models import Event, EventFormat, EventKind, EventSeries, EventStatus, Visibility
from nscal.events.services import EventData, create_event
from nscal.registrations.models import RegistrationSettings, RoleQuota

# (name, slug, country, IANA zone): member cities across the seven Nordic zones.
DEMO_CITIES = [
    ("Copenhagen", "copenhagen", "Denmark", "Europe/Copenhagen"),
    ("Aarhus", "aarhus", "Denmark", "Europe/Copenhagen"),
    ("Odense", "odense", "Denmark", "Europe/Copenhagen"),
    ("Aalborg", "aalborg", "Denmark", "Europe/Copenhagen"),
    ("Gladsaxe", "gladsaxe", "Denmark", "Europe/Copenhagen"),
    ("Malmö", "malmo", "Sweden", "Europe/Stockholm"),
    ("Gothenburg", "gothenburg", "Sweden", "Europe/Stockholm"),
    ("Stockholm", "stockholm", "Sweden", "Europe/Stockholm"),
    ("Helsingborg", "helsingborg", "Sweden", "Europe/Stockholm"),
    ("Oslo", "oslo", "Norway", "Europe/Oslo"),
    ("Bergen", "bergen", "Norway", "Europe/Oslo"),
    ("Bærum", "baerum", "Norway", "Europe/Oslo"),
    ("Kristiansand", "kristiansand", "Norway", "Europe/Oslo"),
    ("Helsinki", "helsinki", "Finland", "Europe/Helsinki"),
    ("Espoo", "espoo", "Finland", "Europe/Helsinki"),
    ("Vantaa", "vantaa", "Finland", "Europe/Helsinki"),
    ("Turku", "turku", "Finland", "Europe/Helsinki"),
    ("Reykjavík", "reykjavik", "Iceland", "Atlantic/Reykjavik"),
    ("Nuuk", "nuuk", "Greenland", "America/Nuuk"),
    ("Tórshavn", "torshavn", "Faroe Islands", "Atlantic/Faroe"),
]

DEMO_ROLES = [
    ("practitioner", "Practitioner"),
    ("mayor", "Mayor"),
    ("politician", "Politician"),
    ("leader", "Leader"),
]

DEMO_PASSWORD = "nordic-demo-2027"

# (email, name, city slug, participant role slug, account role)
DEMO_ACCOUNTS = [
    ("admin@nscal.example", "Astrid Admin", "copenhagen", None, AccountRole.admin),
    (
        "coordinator@nscal.example",
        "Jeppe Coordinator",
        "copenhagen",
        "leader",
        AccountRole.coordinator,
    ),
    ("member@nscal.example", "Aino Practitioner", "helsinki", "practitioner", AccountRole.member),
    ("mayor@nscal.example", "Mats Mayor", "malmo", "mayor", AccountRole.member),
]


def wall(year, month, day, hour=0, minute=0) -> datetime:
    """A wall-clock time in the event's own zone (naive on purpose)."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


# The demo year, modelled on the network's "Calendar for members": (uid, fields).
# Times are wall-clock in each event's zone; all-day ends are exclusive.
DEMO_EVENTS = [
    (
        "demo-kickoff-2027@nscal",
        {
            "title": "Kick-off City Meeting (online)",
            "kind": EventKind.kick_off,
            "format": EventFormat.online,
            "timezone": "Europe/Copenhagen",
            "start": wall(2027, 1, 13, 10),
            "end": wall(2027, 1, 13, 11, 30),
            "audience": ("practitioner",),
            "visibility": Visibility.members,
            "capacity": 80,
            "online_url": "https://meet.example.org/nsc-kickoff-2027",
            "description": "The year's first city meeting for practitioners: plans for 2027, "
            "news from the member cities and the working groups.",
        },
    ),
    (
        "demo-prevention-call-2027@nscal",
        {
            "title": "Prevention coordinators' call",
            "kind": EventKind.city_meeting,
            "format": EventFormat.online,
            "timezone": "Europe/Copenhagen",
            "start": wall(2027, 2, 3, 14),
            "end": wall(2027, 2, 3, 15),
            "rrule": "FREQ=MONTHLY;BYDAY=1WE;UNTIL=20271231T225959Z",
            "audience": ("practitioner",),
            "visibility": Visibility.members,
            "online_url": "https://meet.example.org/nsc-prevention-call",
            "description": "Monthly call of the cities' prevention coordinators, on the first "
            "Wednesday of the month.",
        },
    ),
    (
        "demo-malmo-network-2027@nscal",
        {
            "title": "City network meeting in Malmö",
            "kind": EventKind.city_meeting,
            "format": EventFormat.in_person,
            "timezone": "Europe/Stockholm",
            "all_day": True,
            "start": date(2027, 3, 29),
            "end": date(2027, 3, 31),
            "host_city": "malmo",
            "venue": "Malmö City Hall, August Palms plats 1",
            "audience": ("practitioner", "leader"),
            "capacity": 60,
            "description": "Two days in Malmö on preventing radicalisation and extremism by "
            "creating safer local societies, with the Nordic Council of Ministers.",
        },
    ),
    (
        "demo-youth-voices-2027@nscal",
        {
            "title": "Workshop: Young people are important stakeholders",
            "kind": EventKind.workshop,
            "format": EventFormat.hybrid,
            "timezone": "Europe/Oslo",
            "start": wall(2027, 5, 19, 13),
            "end": wall(2027, 5, 19, 16),
            "host_city": "baerum",
            "venue": "Bærum town hall",
            "online_url": "https://meet.example.org/nsc-youth-voices",
            "audience": ("practitioner",),
            "capacity": 30,
            "description": "How to engage and train young people in developing local solutions: "
            "a workshop with youth workers from the member cities.",
        },
    ),
    (
        "demo-arctic-webinar-2027@nscal",
        {
            "title": "Webinar: Safer Arctic cities",
            "kind": EventKind.webinar,
            "format": EventFormat.online,
            "timezone": "America/Nuuk",
            "start": wall(2027, 9, 15, 13),
            "end": wall(2027, 9, 15, 14, 30),
            "host_city": "nuuk",
            "online_url": "https://meet.example.org/nsc-arctic",
            "description": "Nuuk and Reykjavík share their work on safety in small Arctic cities.",
        },
    ),
    (
        "demo-summit-2027@nscal",
        {
            "title": "Nordic Safe Cities Summit 2027",
            "kind": EventKind.summit,
            "format": EventFormat.in_person,
            "timezone": "Europe/Copenhagen",
            "start": wall(2027, 12, 2, 9, 30),
            "end": wall(2027, 12, 2, 16),
            "host_city": "copenhagen",
            "venue": "Copenhagen City Hall",
            "audience": ("mayor", "politician", "leader"),
            "capacity": 60,
            "description": "Mayors, politicians and leaders from the member cities meet to "
            "celebrate the year's projects and agree the next steps.",
        },
    ),
    (
        "demo-annual-meeting-2027@nscal",
        {
            "title": "Annual meeting 2027",
            "kind": EventKind.other,
            "format": EventFormat.hybrid,
            "timezone": "Europe/Helsinki",
            "start": wall(2027, 6, 9, 13),
            "end": wall(2027, 6, 9, 15),
            "host_city": "helsinki",
            "venue": "Helsinki City Hall",
            "online_url": "https://meet.example.org/nsc-annual",
            "status": EventStatus.draft,
            "description": "Draft: the association's annual meeting.",
        },
    ),
    # Past events, so the archive is not empty.
    (
        "demo-oslo-network-2026@nscal",
        {
            "title": "City network meeting in Oslo",
            "kind": EventKind.city_meeting,
            "format": EventFormat.in_person,
            "timezone": "Europe/Oslo",
            "all_day": True,
            "start": date(2026, 3, 25),
            "end": date(2026, 3, 27),
            "host_city": "oslo",
            "venue": "Oslo City Hall",
            "audience": ("practitioner", "leader"),
            "description": "Two days on online hate and polarisation.",
        },
    ),
    (
        "demo-covid-webinar-2026@nscal",
        {
            "title": "Webinar: Covid-19 and online radicalisation",
            "kind": EventKind.webinar,
            "format": EventFormat.online,
            "timezone": "Europe/Copenhagen",
            "start": wall(2026, 6, 10, 10),
            "end": wall(2026, 6, 10, 11, 30),
            "description": "Eighteen member cities discuss how a crisis may accelerate "
            "radicalisation through misinformation and hate propaganda.",
        },
    ),
    (
        "demo-summit-2026@nscal",
        {
            "title": "Nordic Safe Cities Summit 2026",
            "kind": EventKind.summit,
            "format": EventFormat.in_person,
            "timezone": "Europe/Stockholm",
            "start": wall(2026, 12, 3, 9, 30),
            "end": wall(2026, 12, 3, 16),
            "host_city": "stockholm",
            "venue": "Stockholm City Hall",
            "audience": ("mayor", "politician", "leader"),
            "capacity": 50,
            "description": "The summit of mayors and leaders from more than twenty Nordic cities.",
        },
    ),
]

# Registration settings of some demo events: (uid, city limit, approval, role quotas).
DEMO_REGISTRATION_SETTINGS = [
    ("demo-malmo-network-2027@nscal", 3, False, {}),
    ("demo-summit-2027@nscal", None, True, {"mayor": 25, "politician": 15, "leader": 20}),
    ("demo-summit-2026@nscal", None, False, {"mayor": 25}),
]


def seed_demo_events(cities: dict[str, City], roles: dict[str, ParticipantRole]) -> int:
    """Add the demo year's events that are missing (found by their UID)."""
    added = 0
    for uid, fields in DEMO_EVENTS:
        exists = db.session.scalar(sa.select(sa.exists().where(Event.uid == uid))) or (
            db.session.scalar(sa.select(sa.exists().where(EventSeries.uid == uid)))
        )
        if exists:
            continue
        fields = dict(fields)
        status = fields.pop("status", EventStatus.published)
        fields["audience"] = [roles[slug] for slug in fields.get("audience", ())]
        fields["host_city"] = cities.get(fields.get("host_city"))
        create_event(EventData(uid=uid, **fields), status=status)
        added += 1
    for uid, city_limit, approval, quotas in DEMO_REGISTRATION_SETTINGS:
        event = db.session.execute(sa.select(Event).where(Event.uid == uid)).scalar_one()
        if db.session.get(RegistrationSettings, event.id) is None:
            db.session.add(
                RegistrationSettings(
                    event_id=event.id, city_limit=city_limit, requires_approval=approval
                )
            )
            for slug, places in quotas.items():
                db.session.add(
                    RoleQuota(event_id=event.id, participant_role_id=roles[slug].id, places=places)
                )
    db.session.flush()
    return added


def seed_network() -> tuple[int, int]:
    """Add the missing member cities and participant roles; returns how many of each."""
    existing_cities = set(db.session.execute(sa.select(City.slug)).scalars())
    new_cities = [
        City(name=name, slug=slug, country=country, timezone=zone)
        for name, slug, country, zone in DEMO_CITIES
        if slug not in existing_cities
    ]
    existing_roles = set(db.session.execute(sa.select(ParticipantRole.slug)).scalars())
    new_roles = [
        ParticipantRole(slug=slug, name=name)
        for slug, name in DEMO_ROLES
        if slug not in existing_roles
    ]
    db.session.add_all(new_cities + new_roles)
    db.session.flush()
    return len(new_cities), len(new_roles)


def seed_demo(*, with_history: bool = False) -> dict[str, int]:
    """Add whatever part of the demo is missing; returns how many rows of each were added.
    ``with_history`` (the command's): also the past years the statistics show."""
    added = {"cities": 0, "roles": 0, "accounts": 0, "events": 0}
    added["cities"], added["roles"] = seed_network()
    cities = {city.slug: city for city in db.session.execute(sa.select(City)).scalars()}
    roles = {role.slug: role for role in db.session.execute(sa.select(ParticipantRole)).scalars()}
    for email, name, city, role, account_role in DEMO_ACCOUNTS:
        if find_user_by_email(email) is None:
            create_user(
                email=email,
                name=name,
                city=cities[city],
                participant_role=roles.get(role),
                account_role=account_role,
                password=DEMO_PASSWORD,
            )
            added["accounts"] += 1
    added["events"] = seed_demo_events(cities, roles)
    if with_history:
        added["past registrations"] = seed_demo_history(cities, roles)  # nscal/demo_history.py
    return added


def database_is_empty() -> bool:
    return not db.session.scalar(sa.select(sa.exists().where(User.id.isnot(None)))) and not (
        db.session.scalar(sa.select(sa.exists().where(City.id.isnot(None))))
    )


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no data yet.")
@with_appcontext
def seed_demo_command(if_empty: bool):
    """Add demo cities, participant roles and one account per account role (idempotent)."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo data not added.")
    else:
        added = seed_demo(with_history=True)
        db.session.commit()
        summary = ", ".join(f"{count} {what}" for what, count in added.items())
        click.echo(f"Demo data ready (added {summary}).")
    present = [a for a in DEMO_ACCOUNTS if find_user_by_email(a[0]) is not None]
    if present:
        click.echo(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for email, name, _city, _role, account_role in present:
            click.echo(f"  {account_role.value:<12} {email:<28} {name}")

"""``flask seed-demo``: an idempotent demo of the network, modelled on Nordic Safe Cities."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import create_user, find_user_by_email
from nscal.cities.models import City, ParticipantRole
from nscal.db import db

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


def seed_demo() -> dict[str, int]:
    """Add whatever part of the demo is missing; returns how many rows of each were added."""
    added = {"cities": 0, "roles": 0, "accounts": 0}
    existing_cities = set(db.session.execute(sa.select(City.slug)).scalars())
    for name, slug, country, zone in DEMO_CITIES:
        if slug not in existing_cities:
            db.session.add(City(name=name, slug=slug, country=country, timezone=zone))
            added["cities"] += 1
    existing_roles = set(db.session.execute(sa.select(ParticipantRole.slug)).scalars())
    for slug, name in DEMO_ROLES:
        if slug not in existing_roles:
            db.session.add(ParticipantRole(slug=slug, name=name))
            added["roles"] += 1
    db.session.flush()

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
        added = seed_demo()
        db.session.commit()
        summary = ", ".join(f"{count} {what}" for what, count in added.items())
        click.echo(f"Demo data ready (added {summary}).")
    present = [a for a in DEMO_ACCOUNTS if find_user_by_email(a[0]) is not None]
    if present:
        click.echo(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for email, name, _city, _role, account_role in present:
            click.echo(f"  {account_role.value:<12} {email:<28} {name}")

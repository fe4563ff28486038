"""`flask users create|demo`: accounts made from the command line."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.accounts import grants, services
from portal.accounts.models import ROLES, User
from portal.catalog.models import Mentor
from portal.core.crypto import mask_phone
from portal.errors import PortalError
from portal.extensions import db


@click.group("users", help="Create accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--phone", required=True, help="11-digit mobile number (the login name)")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--unit", "unit_code", help="unit code, required for staff (e.g. 411324-hrss)")
@click.option("--mentor", "mentor_slug", help="mentor directory slug, required for mentors")
@click.option("--lead", is_flag=True, help="staff: the unit's lead, who assigns work")
@click.option(
    "--full-data",
    "full_data",
    is_flag=True,
    help="staff, office, admin: a grant to see and export full 身份证号 and phone numbers (others see them masked); "
    "needs --reason",
)
@click.option("--reason", default="", help="with --full-data: why the person needs full numbers (audited)")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="with --full-data: the grant's last day, YYYY-MM-DD (default and longest: a year from today)",
)
@with_appcontext
def create(role, phone, name, password, unit_code, mentor_slug, lead, full_data, reason, until) -> None:
    try:
        user = services.create_user(
            role,
            phone,
            name,
            password,
            unit_code=unit_code,
            mentor_slug=mentor_slug,
            unit_lead=lead,
            full_personal_data=full_data,
            full_data_reason=reason,
            full_data_until=until.date() if until else None,
        )
    except PortalError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    grant = grants.working_grant(user)
    extra = f", full personal data until {grant.expires_on.isoformat()}" if grant else ""
    click.echo(f"created {role} {user.name} ({mask_phone(user.phone)}{extra})")


DEMO = [
    ("applicant", "13800000001", "王返乡", None, False),
    ("mentor", "13800000002", None, None, False),
    ("staff", "13800000003", "李办事（市人社局）", "city-hrss", True),
    ("staff", "13800000004", "赵办事（镇平县人社局）", "411324-hrss", True),
    ("office", "13800000005", "周协调（领导小组办公室）", "city-office", False),
    ("admin", "13800000006", "管理员", None, False),
]


@users_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Create (or refresh) one demo account per role, each with a new random password, and print them."""
    rows = []
    for role, phone, name, unit_code, lead in DEMO:
        password = "demo-" + secrets.token_urlsafe(6)
        mentor_slug = None
        if role == "mentor":
            mentor = db.session.scalar(sa.select(Mentor).where(Mentor.accepts_visits).order_by(Mentor.slug).limit(1))
            mentor_slug, name = mentor.slug, f"{mentor.name}（导师）"
        user = services.find_by_phone(phone)
        if user is None:
            user = services.create_user(
                role, phone, name, password, unit_code=unit_code, mentor_slug=mentor_slug, unit_lead=lead
            )
        else:
            user.password_hash = services.hash_password(password)
            user.session_version += 1
        rows.append((role, user.name, phone, password))
    db.session.commit()
    click.echo("Demo accounts (development only; passwords change on every run):")
    for role, name, phone, password in rows:
        click.echo(f"  {role:<9} {phone}  {password:<16} {name}")


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0

"""Helpers for tests that act as a person would: fetch the page, read the CSRF token, post the form."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from stdnum.cn import ric, uscc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def id_number(prefix: str = "41132419960612", seq: str = "123") -> str:
    body = prefix + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum computes over the first 17 of 18 characters


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def uscc_number(base: str = "91411300MA3X5B7Q1") -> str:
    return base + uscc.calc_check_digit(base)


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def form_key(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'id="form_key" name="form_key" type="hidden" value="([^"]*)"', html)
    assert match, "the form carries its key"
    return match.group(1)


def login(client, phone: str, password: str):
    token = csrf_token(client, "/account/login")
    return client.post("/account/login", data={"csrf_token": token, "phone": phone, "password": password})


def make_user(db, role: str = "applicant", phone: str = "13912340001", password: str = "good-pass-2026", **kw):
    from portal.accounts import services

    user = services.create_user(role, phone, kw.pop("name", "测试用户"), password, **kw)
    db.session.commit()
    return user


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def latest_sms(db, phone: str | None = None):
    from portal.notify.models import OutboxMessage

    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).all()
    for row in rows:
        if phone is None or row.recipient == phone:
            return row
    return None


def text(response) -> str:
    return response.get_data(as_text=True)

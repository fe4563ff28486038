"""Every input is hostile: one request-level guard in front of every view.

Before any view (or the CSRF check, the rate limiter, the page cache) sees a request, the guard refuses with the
ordinary 400 page (JSON under /api/) anything that no honest browser sends and that would otherwise reach the
database or the log as is:

- control characters (NUL and the other C0/C1 characters; tabs and line breaks are allowed in form fields) in the
  path, in form field names and values, and in uploaded file names;
- bytes that are not valid UTF-8 in the path or in a form body (field values, file names);
- query values longer than QUERY_VALUE_MAX characters and form values longer than FORM_VALUE_MAX characters;
- ids in the URL past the database's 64-bit integer range (the `int` URL converter is replaced by one that
  answers 400 for them, and matches ASCII digits only).

A query parameter is a filter or a search, where a bad value is answered as any other unknown value (a notice on a
list page, the API's 400 naming the parameter): its control characters are replaced by U+FFFD before any view
reads it, and bytes that are not UTF-8 reach the view as their percent-escaped text ("%FF"), which is Werkzeug's
way. Either way no view, database or log line sees them raw.

Behind it, two nets for what only the database can tell:

- a string longer than its column (an over-long name) is refused before the flush with a message, as a form
  problem (`InvalidInput`, a 400 with the message wherever it is not caught by a form);
- a `DataError` raised by the database (a value it cannot store) answers 400, not 500, after a rollback.

Log lines escape CR, LF and the other control characters in the message (`%0a` in a URL cannot forge a line).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date
from urllib.parse import unquote_to_bytes

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm
from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from portal.errors import InvalidInput

DB_INT_MAX = 2**63 - 1  # BIGINT, the widest integer PostgreSQL and SQLite store
QUERY_VALUE_MAX = 1000
FORM_VALUE_MAX = 20000
FORM_NAME_MAX = 200

# Control characters no honest form or link carries. Tabs and line breaks are allowed in form values (textareas).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


class GuardRefusal(BadRequest):
    """A 400 whose description is the message shown on the error page."""


def _refuse(message: str) -> GuardRefusal:
    return GuardRefusal(description=message)


def _control_message() -> str:
    return _("请求中含有不允许的控制字符（例如空字符），请删除后再试。")


def _encoding_message() -> str:
    return _("请求中含有无效的文字编码（不是有效的 UTF-8），请检查后再试。")


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_request() -> None:
    """Raise a 400 for a request carrying what no honest browser sends. Called before every view."""
    environ = request.environ
    # PATH_INFO holds the raw bytes as latin-1 (PEP 3333); the query string is still percent-encoded.
    raw_path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    if not _valid_utf8(raw_path) or "\ufffd" in request.path:
        raise _refuse(_encoding_message())
    if _CONTROL.search(request.path):
        raise _refuse(_control_message())
    # Query strings: a control character becomes U+FFFD, so that the value is what it is to every view, an unknown
    # one (a list page ignores it with a notice, the API answers its 400 naming the parameter), and never reaches
    # the database or the log raw. Bytes that are not UTF-8 already arrive as their percent-escaped text ("%FF").
    if environ.get("QUERY_STRING"):
        cleaned = []
        for name, values in request.args.lists():
            for value in values:
                if len(value) > QUERY_VALUE_MAX:
                    message = _("参数“%(name)s”太长了（最多 %(max)s 个字符）。", name=name[:40], max=QUERY_VALUE_MAX)
                    raise _refuse(message)
                cleaned.append((_CONTROL.sub("\ufffd", name), _CONTROL.sub("\ufffd", value)))
        request.args = ImmutableMultiDict(cleaned)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        _check_form()


def _check_form() -> None:
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug re-quotes bytes that are not UTF-8 ("%FF") instead of refusing them: look at the body itself.
        # Reading it first is safe: the form parser then reads the cached copy.
        body = request.get_data(cache=True)
        if not _valid_utf8(unquote_to_bytes(body.replace(b"+", b" "))):
            raise _refuse(_encoding_message())
    for name, values in request.form.lists():
        if len(name) > FORM_NAME_MAX or _CONTROL.search(name):
            raise _refuse(_control_message())
        if "\ufffd" in name:
            raise _refuse(_encoding_message())
        for value in values:
            if _CONTROL_IN_TEXT.search(value):
                raise _refuse(_control_message())
            if "\ufffd" in value:  # the form parser replaced bytes that were not UTF-8
                raise _refuse(_encoding_message())
            if len(value) > FORM_VALUE_MAX:
                raise _refuse(_("填写的内容太长了（每项最多 %(max)s 个字）。", max=FORM_VALUE_MAX))
    for name, storage in request.files.items(multi=True):
        filename = storage.filename or ""
        if _CONTROL.search(name) or _CONTROL.search(filename):
            raise _refuse(_("上传文件的名称含有不允许的控制字符，请改名后再上传。"))
        if "\ufffd" in filename:
            raise _refuse(_encoding_message())
        if len(filename) > 255:
            raise _refuse(_("上传文件的名称太长了（最多 255 个字符），请改名后再上传。"))


class SafeIntConverter(IntegerConverter):
    """`<int:...>` in a URL: ASCII digits only; a number past the database's range answers 400 (never a 500)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > DB_INT_MAX:
            raise _refuse(_("网址中的编号超出了范围。"))
        if (self.max is not None and number > self.max) or (self.min is not None and number < self.min):
            raise ValidationError()
        return number


# ---------------------------------------------------------------- values parsed from user input


def ascii_int(raw: object, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """An integer written in ASCII digits (no sign, no spaces around), within bounds; None otherwise.

    `str.isdigit()` is also true of "²" and "５", which `int()` refuses or reads as a number; this is not.
    """
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})")
YEARS = range(1900, 2200)  # any month a person can mean; far enough from date.min and date.max to step around


def parse_month(raw: str | None) -> date | None:
    """`2026-05` -> the first day of that month; None for anything else, including years no one means."""
    match = MONTH_RE.fullmatch((raw or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if year not in YEARS or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


DAY_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_day(raw: str | None) -> date | None:
    """`2026-05-08` (full-width digits and a `/` or `.` as separator accepted) -> that day; None for anything else,
    including days that do not exist (2026-02-30) and years no one means."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace("/", "-").replace(".", "-")
    match = DAY_RE.fullmatch(text)
    if not match or int(match.group(1)) not in YEARS:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def day_problem(raw: str | None) -> str:
    """What is wrong with a text `parse_day` found no day in, in the reader's words: the form, the month, or a day
    the month does not have (2026-02-30 is written right; February has no 30th)."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace("/", "-").replace(".", "-")
    match = DAY_RE.fullmatch(text)
    if not match:
        return _("请按 年-月-日 填写日期，例如 2021-09-15。")
    year, month, day = (int(part) for part in match.groups())
    if year not in YEARS:
        return _("请核对年份：%(year)s 年。", year=year)
    if not 1 <= month <= 12:
        return _("没有 %(month)s 月，请核对。", month=month)
    return _("%(year)s年%(month)s月没有%(day)s日，请核对。", year=year, month=month, day=day)


# ---------------------------------------------------------------- the database's nets


def _check_lengths(session: sa.orm.Session, _context, _instances) -> None:
    """Refuse, before the flush, a string longer than its column (PostgreSQL would raise, SQLite would store it)."""
    too_long: list[tuple[int, str]] = []
    for obj in list(session.new) + list(session.dirty):
        mapper = sa.inspect(obj).mapper
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            length = getattr(column.type, "length", None)
            if not length or not isinstance(column.type, sa.String):
                continue
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and len(value) > length:
                too_long.append((length, attr.key))
    if too_long:
        # A typed value may also be part of a longer derived one (a name inside a key): name the tightest limit.
        length, key = min(too_long)
        raise InvalidInput(_("有一项填写的内容太长了（最多 %(max)s 个字），请缩短后再提交。", max=length), field=key)


def _database_refused(exc: sa.exc.DataError):
    """The database could not store a value the request carried: a 400 after a rollback, not a 500."""
    from portal.core.errors import render_error
    from portal.extensions import db

    db.session.rollback()
    current_app.logger.warning("database refused a value on %s %s: %s", request.method, request.path, exc.orig)
    return render_error(400, _("请求中的数值或文字超出了可以处理的范围，请检查后重试。"))


# ---------------------------------------------------------------- log lines


_LOG_ESCAPES = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_log_text(text: str) -> str:
    """CR, LF and the other control characters written visibly, so that one record stays one line."""
    return _LOG_ESCAPES.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class OneLineFilter(logging.Filter):
    """Escapes control characters in a record's message (its arguments merged in); tracebacks are left alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        sanitize_record(record)
        return True


def sanitize_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: let logging report it as it always does
        return record
    if _LOG_ESCAPES.search(message):
        record.msg, record.args = escape_log_text(message), None
    return record


def _install_log_escaping() -> None:
    """Every record, from any logger and to any handler (gunicorn's too), gets its message escaped at creation."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "portal_one_line", False):
        return

    def make_record(*args, **kwargs):
        return sanitize_record(factory(*args, **kwargs))

    make_record.portal_one_line = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


def init_app(app: Flask) -> None:
    """Register the guard: call before anything else registers a before_request hook, so that it runs first."""
    app.url_map.converters["int"] = SafeIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.register_error_handler(sa.exc.DataError, _database_refused)
    if not sa.event.contains(sa.orm.Session, "before_flush", _check_lengths):
        sa.event.listen(sa.orm.Session, "before_flush", _check_lengths)
    _install_log_escaping()

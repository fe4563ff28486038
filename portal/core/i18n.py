"""Locale choice (cookie, then the browser's languages) and locale-aware formatting helpers."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

LANG_COOKIE = "lang"
# What the language switch offers: locale code -> name written in that language.
LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    try:
        chosen = request.cookies.get(LANG_COOKIE)
    except RuntimeError:  # outside a request (CLI): the default locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def is_chinese() -> bool:
    return str(get_locale()).startswith("zh")


def html_lang() -> str:
    return "zh-Hans-CN" if is_chinese() else "en"


def local_name(obj, short: bool = False) -> str:
    """A county's or unit's name in the reader's language: its English name on English pages when it has one.
    Names of bases, parks, projects and people have no English form in the content and stay as written."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", None)
    if english and not is_chinese():
        return english
    return (getattr(obj, "short_name", None) if short else None) or obj.name


def local_names(objs) -> str:
    """Several counties or units, named and joined the way the reader's language lists them."""
    return ("、" if is_chinese() else ", ").join(local_name(obj) for obj in objs)


def money_wan(amount: Decimal | float | int | None) -> str:
    """An amount given in 万元 (units of 10,000 yuan), shown the way the reader's locale writes money."""
    if amount is None:
        return ""
    locale = get_locale()
    if is_chinese():
        return _("%(amount)s万元", amount=format_decimal(Decimal(str(amount)), locale=locale))
    return format_currency(Decimal(str(amount)) * 10000, "CNY", locale=locale, format="¤#,##0")


def month_label(month: int) -> str:
    """1 -> 1月 in Chinese, Jan in English (Babel's abbreviated month names)."""
    from babel.dates import get_month_names

    return get_month_names("abbreviated", locale=get_locale())[month]


def number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=get_locale())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        format_datetime=format_datetime,
        get_locale=get_locale,
        money_wan=money_wan,
        number=number,
        month_label=month_label,
        format_date=format_date,
        html_lang=html_lang,
        local_name=local_name,
        local_names=local_names,
        is_chinese=is_chinese,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    app.jinja_env.filters["number"] = number

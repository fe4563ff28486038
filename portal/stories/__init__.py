"""先进典型 / 返乡创业故事 (being written)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass

"""A bare Flask "hello" app: the baseline bench/pages.py measures beside the portal (`gunicorn hello_app:app`)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"

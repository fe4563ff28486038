"""WSGI entry point: `gunicorn wsgi:app` serves the portal."""

from portal import create_app

app = create_app()

"""WSGI entry point: `gunicorn wsgi:app` serves the portal."""

from portal import create_app, settle_for_serving

app = create_app()
settle_for_serving(app)

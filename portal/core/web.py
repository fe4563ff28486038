"""Security headers, safe redirects and layout helpers shared by every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, url_for

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after login or a language switch (no open redirects)."""
    if not target:
        return default
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.cookies.get("lang") is None and response.mimetype == "text/html":
            response.headers.add("Vary", "Accept-Language")
        response.headers.add("Vary", "Cookie")
        return response

    def current_path() -> str:
        return request.full_path.rstrip("?") if request.query_string else request.path

    def page_url(page: int) -> str:
        args = request.args.to_dict(flat=False)
        args["page"] = [str(page)]
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def url_with(**changes) -> str:
        """The current page's URL with some query parameters changed (None removes one)."""
        args = request.args.to_dict()
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def nav_section() -> str:
        """Which main-navigation entry the current page belongs to."""
        endpoint = request.endpoint or ""
        if endpoint == "home.index":
            return "home"
        blueprint, _, view = endpoint.partition(".")
        if blueprint == "catalog":
            return view.split("_")[0]
        return blueprint

    app.jinja_env.globals.update(
        current_path=current_path, page_url=page_url, nav_section=nav_section, url_with=url_with
    )

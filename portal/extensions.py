"""The Flask extensions, created without an app so that every module can import them."""

from __future__ import annotations

import ipaddress

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.db import Base


def client_address() -> str:
    """The rate-limit key of the client: its address (the real one behind a trusted proxy, see trust_proxies).

    An IPv6 client usually holds a whole /64, so it counts as one client; an address that cannot be parsed is
    used as it is."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies (PORTAL_TRUSTED_PROXIES; 1 behind nginx), take the client's address
    and scheme from the X-Forwarded-For and X-Forwarded-Proto headers they add. With 0 (the default) those
    headers are ignored: anyone can send them, so trusting them without a proxy would let a client pick its
    own address and slip past every per-address limit."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address, default_limits=[])

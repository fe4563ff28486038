"""Accounts: registration by mobile number, login, password change and reset, roles."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.cli import users_cli
    from portal.accounts.services import load_session_user
    from portal.accounts.views import bp
    from portal.extensions import login_manager

    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)

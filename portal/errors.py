"""Domain errors raised by services, and how the web layer turns them into pages or JSON."""

from __future__ import annotations


class PortalError(Exception):
    """Base for errors a service raises on purpose; the message is safe to show."""

    status = 400

    def __init__(self, message: str = "", **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(PortalError):
    status = 404


class NotAllowed(PortalError):
    # Objects a user may not see answer 404 too, so that their existence is not revealed.
    status = 404


class InvalidInput(PortalError):
    status = 400


class InvalidTransition(PortalError):
    status = 409

"""Several field messages at once, shown at their fields by core.actions.perform."""

from __future__ import annotations

from portal.errors import InvalidInput, InvalidTransition


class FieldErrors(InvalidInput):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class EditConflict(InvalidTransition):
    """Someone else saved the object first: `current` holds their values, shown instead of overwriting them."""

    def __init__(self, message: str, current: dict):
        super().__init__(message)
        self.current = current

"""Messages written from templates: one template per kind of message, with blocks `subject` and `sms`.

The texts live in templates (e.g. `templates/applications/notify/approve.txt`), marked for translation like
any page, and are rendered in the recipient's language — Chinese for SMS and the inbox, which is the language
of everyone this portal writes to — never written inside services.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from portal.notify import preferences, services

MESSAGE_LOCALE = "zh_Hans_CN"


def render(template_name: str, **context) -> dict[str, str]:
    """Each block of the template, rendered in the messages' locale, as stripped text."""
    template = current_app.jinja_env.get_template(template_name)
    with force_locale(MESSAGE_LOCALE):
        ctx = template.new_context(context)
        return {name: "".join(block(ctx)).strip() for name, block in template.blocks.items()}


def tell(
    template_name: str,
    *,
    user_id: int | None,
    phone: str | None,
    purpose: str,
    link: str | None = None,
    body: str | None = None,
    **context,
) -> dict[str, str]:
    """An inbox message (subject; `body` or the template's body block) and, if there is an `sms` block, an SMS.

    The SMS of a template without an `essential` block is sent only if the user has not turned its topic
    (`purpose`) off on the settings page (notify.preferences).
    """
    texts = render(template_name, **context)
    subject = texts.get("subject", "")
    if user_id is not None and subject:
        message = services.inbox(user_id, subject, body or texts.get("body") or texts.get("sms") or subject, link)
        message.kind = template_name[:64]
    if phone and texts.get("sms") and (texts.get("essential") or preferences.sms_wanted(user_id, purpose)):
        services.sms(phone, texts["sms"], purpose=purpose, user_id=user_id)
    return texts

"""一次性告知 (one-time notice): a request for material (补正) is one list of items, each an answer on the form to
correct or a document to attach, chosen from the application type's checklist (content/material-checklists.yaml)
plus free text. The applicant corrects exactly those answers — validated as on the form — and attaches files to
each document; the history keeps old and new answers. A second request on the same application is what the
one-time-notice rule exists to prevent: it needs a reason, recorded as such and counted for the office.
"""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from portal.applications.forms import FORMS
from portal.applications.models import Application, ApplicationEvent
from portal.content.models import get_rules
from portal.core.crypto import keyed_hash, mask_id_number, mask_phone
from portal.errors import InvalidInput

KINDS = ("answer", "document")
SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone}


class MaterialErrors(InvalidInput):
    """Messages at several fields at once (`errors`: field name -> message); the typed answers are kept."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def checklist(app_type: str, answers: dict | None = None) -> list[dict]:
    """The type's checklist; with the application's answers, only the items that can concern it (an item's
    `only_if`: {field: [values]} — any one holding; "*" is any answer — and `not_if`: {field: [values]})."""
    items = list(get_rules("checklists").get(app_type, []))
    if answers is None:
        return items
    return [item for item in items if _concerns(item, answers)]


def _holds(conditions: dict, answers: dict) -> bool:
    for field, values in conditions.items():
        answer = str(answers.get(field) or "")
        if answer in values or ("*" in values and answer):
            return True
    return False


def _concerns(item: dict, answers: dict) -> bool:
    if item.get("only_if") and not _holds(item["only_if"], answers):
        return False
    return not (item.get("not_if") and _holds(item["not_if"], answers))


def form_fields(form_class: type) -> set[str]:
    """The names of a form class's fields, without making a form (no request is needed)."""
    from wtforms.fields.core import UnboundField

    return {name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField)}


def validate_checklists(data) -> list[str]:
    """Problems in material-checklists.yaml, checked by `content load` before anything is written."""
    if not isinstance(data, dict):
        return [_("material-checklists.yaml 的顶层应是键值对")]
    problems = []
    for app_type, items in data.items():
        if app_type not in FORMS:
            problems.append(_("没有“%(type)s”这类申请", type=app_type))
            continue
        fields = form_fields(FORMS[app_type])
        codes: set[str] = set()
        for item in items if isinstance(items, list) else [None]:
            if not isinstance(item, dict) or not item.get("code") or not item.get("label"):
                problems.append(_("%(type)s 的每一项都要有 code 和 label", type=app_type))
                continue
            if item["code"] in codes:
                problems.append(_("%(type)s 里的 code “%(code)s” 重复了", type=app_type, code=item["code"]))
            codes.add(item["code"])
            if item.get("kind") not in KINDS:
                problems.append(_("“%(code)s” 的 kind 只能是 answer 或 document", code=item["code"]))
            elif item["kind"] == "answer" and item.get("field") not in fields:
                problems.append(
                    _("“%(code)s” 指向的表单项 “%(field)s” 不存在", code=item["code"], field=item.get("field"))
                )
            elif item["kind"] == "document" and not item.get("acceptable"):
                problems.append(_("“%(code)s” 要写明什么材料可以（acceptable）", code=item["code"]))
            for key in ("only_if", "not_if"):
                condition = item.get(key)
                if condition is None:
                    continue
                if not isinstance(condition, dict) or not all(
                    name in fields and isinstance(values, list) for name, values in condition.items()
                ):
                    problems.append(_("“%(code)s” 的 %(key)s 应是“表单项: [取值, …]”", code=item["code"], key=key))
    return problems


# ---------------------------------------------------------------- the request (staff)


def build_request(application: Application, codes: list[str], notes: dict[str, str], free: list[str]) -> list[dict]:
    """The items of one request: the ticked checklist entries (with staff's note) and free-text items."""
    known = {item["code"]: item for item in checklist(application.type)}
    items = []
    for code in dict.fromkeys(codes):
        if code not in known:
            raise InvalidInput(_("清单里没有这一项，请刷新页面后重新勾选。"), field="codes")
        item = {k: known[code][k] for k in ("code", "kind", "label", "field", "acceptable") if k in known[code]}
        note = (notes.get(code) or "").strip()[:200]
        items.append({**item, "note": note} if note else item)
    items += [{"code": f"other{i}", "kind": "other", "label": line.strip()[:200]} for i, line in enumerate(free, 1)]
    if not items:
        raise InvalidInput(_("请列出需要补正的材料。"), field="missing")
    return items


def previous_requests(application: Application) -> int:
    return sum(1 for e in application.events if e.action == "request_material")


def current_request(application: Application) -> ApplicationEvent | None:
    """The newest request for material (the one the applicant is answering)."""
    requests = [e for e in application.events if e.action == "request_material"]
    return requests[-1] if requests else None


def items_of(event: ApplicationEvent | None) -> list[dict]:
    """A request's items; requests made before checklists existed listed free text only ("missing")."""
    details = (event.details or {}) if event else {}
    if "items" in details:
        return list(details["items"])
    return [{"code": f"other{i}", "kind": "other", "label": m} for i, m in enumerate(details.get("missing", []), 1)]


# ---------------------------------------------------------------- the answer (applicant)


def corrected_answers(application: Application, items: list[dict], formdata) -> tuple[dict, dict]:
    """({field: new value}, {label: [old, new]}) for the requested answers, validated as on the form.

    Raises MaterialErrors naming the fields that are still wrong or were left empty.
    """
    from portal.applications.queries import build_form

    fields = [item["field"] for item in items if item["kind"] == "answer"]
    if not fields:
        return {}, {}
    saved = {**(application.answers or {}), **(application.private or {})}
    merged = merged_formdata(application, fields, formdata)
    form = build_form(application.type, application.applicant, formdata=merged)
    form.validate()
    errors = {name: str(form.errors[name][0]) for name in fields if form.errors.get(name)}
    for name in fields:
        if not str(formdata.get(name, "")).strip() and name not in errors:
            errors[name] = _("请按要求改正这一项。")
    if errors:
        raise MaterialErrors(errors)
    new = {name: merged.get(name, "") for name in fields}
    changes = {}
    for item in items:
        if item["kind"] == "answer":
            name = item["field"]
            old, value = str(saved.get(name, "")), str(new[name])
            mask = SENSITIVE.get(name, lambda v: v)
            changes[str(form[name].label.text)] = [mask(old), mask(value)]
    return new, changes


def merged_formdata(application: Application, fields: list[str], formdata) -> MultiDict:
    """The application's saved answers with the requested fields as the applicant just typed them."""
    merged = MultiDict()
    for key, value in {**(application.answers or {}), **(application.private or {})}.items():
        for one in value if isinstance(value, list) else [value]:
            merged.add(key, one)
    for name in fields:
        merged.setlist(name, [formdata.get(name, "")])
    return merged


def apply_answers(application: Application, new: dict, sensitive_fields: set[str]) -> None:
    """Store corrected answers where the form's answers live (sensitive ones encrypted) and in the columns
    that copy them."""
    from decimal import Decimal, InvalidOperation

    answers, private = dict(application.answers or {}), dict(application.private or {})
    for name, value in new.items():
        (private if name in sensitive_fields else answers)[name] = value
    application.answers, application.private = answers, private
    if "amount_wan" in new:
        try:
            application.amount_wan = Decimal(new["amount_wan"]).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            application.amount_wan = None
    if "id_number" in new:
        application.id_number, application.id_hash = new["id_number"], keyed_hash(new["id_number"])
    for name in ("phone", "applicant_name", "township"):
        if name in new:
            setattr(application, name, new[name])


def documents_missing(items: list[dict], files: dict[str, list[FileStorage]]) -> dict[str, str]:
    """Each requested document needs at least one file."""
    return {
        f"file_{item['code']}": _("请上传：%(label)s。", label=item["label"])
        for item in items
        if item["kind"] == "document" and not [f for f in files.get(f"file_{item['code']}", []) if f and f.filename]
    }

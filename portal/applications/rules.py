"""Loan limits and eligibility, read from content/loan-rules.yaml (loaded into the rule_set table)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from portal.content.models import get_rules


def loan_rules() -> dict:
    return get_rules("loan_rules")


def loan_limit(applicant_type: str, members: int = 1) -> tuple[Decimal, int, str]:
    """(maximum amount in 万元, maximum term in months, document) for an applicant type."""
    rules = loan_rules()["applicant_types"][applicant_type]
    if applicant_type == "partnership":
        per_member = Decimal(str(rules["per_member_wan"]))
        uplift = Decimal(100 + rules["uplift_percent"]) / 100
        amount = min(per_member * members * uplift, Decimal(str(rules["max_amount_wan"])))
    else:
        amount = Decimal(str(rules["max_amount_wan"]))
    return amount.quantize(Decimal("0.01")), int(rules["max_term_months"]), rules["doc"]


def plain(amount: Decimal) -> str:
    """30, 12.5 — not 3E+1 or 30.00."""
    return format(amount.normalize(), "f")


def amount_problem(applicant_type: str, amount: Decimal, members: int = 1) -> str | None:
    limit, _term, doc = loan_limit(applicant_type, members)
    minimum = Decimal(str(loan_rules().get("min_amount_wan", 0)))
    if amount < minimum:
        return _("申请金额至少 %(min)s 万元。", min=plain(minimum))
    if amount > limit:
        if applicant_type == "partnership":
            return _(
                "%(n)s 人合伙创业最多可以申请 %(limit)s 万元（%(doc)s），您填的是 %(amount)s 万元。",
                n=members,
                limit=plain(limit),
                doc=doc,
                amount=plain(amount),
            )
        return _(
            "这类申请最多可以贷 %(limit)s 万元（%(doc)s），您填的是 %(amount)s 万元。",
            limit=plain(limit),
            doc=doc,
            amount=plain(amount),
        )
    return None


def term_problem(applicant_type: str, months: int) -> str | None:
    _limit, max_term, doc = loan_limit(applicant_type)
    if months > max_term:
        return _("这类贷款期限最长 %(max)s 个月（%(doc)s）。", max=max_term, doc=doc)
    return None


def validate_rules_file(data) -> list[str]:
    """Problems in loan-rules.yaml, checked by `content load` before anything is written."""
    problems = []
    if not isinstance(data, dict):
        return [_("loan-rules.yaml 的顶层应是键值对")]
    types = data.get("applicant_types")
    if not isinstance(types, dict) or set(types) != {"individual", "partnership", "smb"}:
        problems.append(_("applicant_types 必须正好包含 individual、partnership、smb"))
    else:
        for name, rule in types.items():
            for key in ("max_amount_wan", "max_term_months", "doc"):
                if key not in rule:
                    problems.append(_("%(type)s 缺少 %(key)s", type=name, key=key))
            if name == "partnership":
                for key in ("per_member_wan", "uplift_percent", "max_members"):
                    if key not in rule:
                        problems.append(_("%(type)s 缺少 %(key)s", type=name, key=key))
    for key in ("groups", "statements"):
        items = data.get(key)
        if not isinstance(items, list) or not items:
            problems.append(_("%(key)s 应为非空列表", key=key))
            continue
        for item in items:
            if not isinstance(item, dict) or "code" not in item or not ({"label", "text"} & set(item)):
                problems.append(_("%(key)s 的每一项都要有 code 和 label/text", key=key))
    if not data.get("source"):
        problems.append(_("请写明依据文件 source"))
    return problems

"""The routing decision as a pure function: facts about an application + the rules -> units.

The submit path, `flask routing explain` and the tests all call `decide`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

CONDITIONS = ("course", "topic", "collateral", "applicant_type")


@dataclass(frozen=True)
class Facts:
    type: str
    county_code: str | None = None
    course: str | None = None
    topic: str | None = None
    collateral: str | None = None
    applicant_type: str | None = None
    amount_wan: Decimal | None = None


@dataclass
class MatchedRule:
    id: str
    item: int
    why: str


@dataclass
class Decision:
    lead: str  # unit code
    co_review: list[str] = field(default_factory=list)
    rules: list[MatchedRule] = field(default_factory=list)
    deadline_working_days: int = 0
    triage: bool = False  # no rule named a lead: the leading group office sorts it out

    def as_dict(self) -> dict:
        return asdict(self)


def _matches(rule: dict, facts: Facts) -> bool:
    if rule.get("type") != facts.type:
        return False
    for key, wanted in (rule.get("when") or {}).items():
        if key == "amount_min_wan":
            if facts.amount_wan is None or Decimal(str(facts.amount_wan)) < Decimal(str(wanted)):
                return False
            continue
        actual = getattr(facts, key, None)
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if actual not in allowed:
            return False
    return True


def unit_for(dept: str, county_code: str | None, unit_codes: set[str]) -> str | None:
    """County first: the county's own unit for this department, else the city unit."""
    if county_code and f"{county_code}-{dept}" in unit_codes:
        return f"{county_code}-{dept}"
    if f"city-{dept}" in unit_codes:
        return f"city-{dept}"
    return None


def decide(facts: Facts, rules: dict, unit_codes: set[str]) -> Decision:
    lead: str | None = None
    co_review: list[str] = []
    matched: list[MatchedRule] = []
    for rule in rules.get("rules", []):
        if not _matches(rule, facts):
            continue
        matched.append(MatchedRule(rule["id"], int(rule["item"]), rule["why"]))
        if rule.get("lead") and lead is None:
            lead = unit_for(rule["lead"], facts.county_code, unit_codes)
        for dept in rule.get("co_review", []):
            code = unit_for(dept, facts.county_code, unit_codes)
            if code and code not in co_review:
                co_review.append(code)
    deadline = int(rules.get("deadlines", {}).get(facts.type, 0))
    if lead is None:
        office = rules.get("office_unit", "city-office")
        return Decision(lead=office, co_review=[], rules=matched, deadline_working_days=deadline, triage=True)
    return Decision(
        lead=lead, co_review=[c for c in co_review if c != lead], rules=matched, deadline_working_days=deadline
    )


def validate(data, known_depts: set[str]) -> list[str]:
    """Problems in routing.yaml, reported by `content load` before anything is written."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["routing.yaml 的顶层应是键值对"]
    if not data.get("source"):
        problems.append("请写明依据文件 source")
    deadlines = data.get("deadlines")
    if not isinstance(deadlines, dict):
        problems.append("缺少 deadlines（各类申请的承诺时限，工作日）")
    else:
        for app_type in ("training", "mentoring", "loan"):
            value = deadlines.get(app_type)
            if not isinstance(value, int) or not 1 <= value <= 60:
                problems.append(f"deadlines.{app_type} 应为 1 到 60 之间的整数（工作日）")
    seen: set[str] = set()
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        problems.append("rules 应为非空列表")
        return problems
    for index, rule in enumerate(rules, start=1):
        where = f"第 {index} 条规则"
        if not isinstance(rule, dict):
            problems.append(f"{where}应为键值对")
            continue
        rule_id = rule.get("id")
        if not rule_id:
            problems.append(f"{where}缺少 id")
        elif rule_id in seen:
            problems.append(f"规则 id “{rule_id}” 重复")
        seen.add(rule_id or "")
        if rule.get("type") not in ("training", "mentoring", "loan"):
            problems.append(f"{where}（{rule_id}）的 type 应为 training、mentoring 或 loan")
        if not isinstance(rule.get("item"), int) or not 1 <= rule["item"] <= 14:
            problems.append(f"{where}（{rule_id}）必须用 item 注明依据的工作要点条目（1–14）")
        if not rule.get("why"):
            problems.append(f"{where}（{rule_id}）缺少 why（为什么这样分送）")
        if not rule.get("lead") and not rule.get("co_review"):
            problems.append(f"{where}（{rule_id}）至少要有 lead 或 co_review")
        co_review = rule.get("co_review") if isinstance(rule.get("co_review"), list) else []
        for dept in [rule.get("lead"), *co_review]:
            if isinstance(dept, str) and dept and dept not in known_depts:
                problems.append(f"{where}（{rule_id}）的部门 “{dept}” 不存在")
        problems += _shape_problems(rule, f"{where}（{rule_id}）")
    return problems


def _shape_problems(rule: dict, where: str) -> list[str]:
    """What decide() needs of a rule's parts to run without failing at submission time."""
    problems = []
    when = rule.get("when") or {}
    if not isinstance(when, dict):
        return [f"{where}的 when 应为键值对"]
    if rule.get("lead") is not None and not isinstance(rule.get("lead"), str):
        problems.append(f"{where}的 lead 应为一个部门代码")
    if not isinstance(rule.get("co_review") or [], list):
        problems.append(f"{where}的 co_review 应为部门代码的列表")
    for key, value in when.items():
        if key not in (*CONDITIONS, "amount_min_wan"):
            problems.append(f"{where}的条件 “{key}” 不认识")
        elif key == "amount_min_wan" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(f"{where}的 amount_min_wan 应为数字（万元）")
    return problems

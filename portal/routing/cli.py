"""`flask routing explain`: the routing decision for any hypothetical application."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from portal.catalog import vocab
from portal.catalog.services import find_county
from portal.routing import services
from portal.routing.rules import Facts

OPTIONS = {
    "course": vocab.COURSE_TYPES,
    "topic": vocab.EXPERTISE,
    "collateral": vocab.COLLATERAL,
    "applicant_type": vocab.APPLICANT_TYPES,
}
# Short labels people type for collateral (the form's labels are longer).
ALIASES = {
    "林权": "forest",
    "设备": "equipment",
    "集体土地使用权": "land",
    "特种经营权": "franchise",
    "应收账款": "receivables",
    "股权": "equity",
    "无": "none",
}
TYPES = {
    "training": "training",
    "培训": "training",
    "创业培训": "training",
    "mentoring": "mentoring",
    "辅导": "mentoring",
    "创业辅导": "mentoring",
    "loan": "loan",
    "贷款": "loan",
    "创业担保贷款": "loan",
}


def _code(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    table = OPTIONS[name]
    if value in table:
        return value
    if value in ALIASES:
        return ALIASES[value]
    for code, label in table.items():
        if str(label) == value or str(label).startswith(value):
            return code
    raise click.BadParameter(f"unknown value {value!r}; one of: {', '.join(table)}", param_hint=f"--{name}")


@click.group("routing", help="Inspect application routing.")
def routing_cli() -> None:
    pass


@routing_cli.command("explain")
@click.option("--type", "app_type", required=True, help="training, mentoring or loan (or 培训/辅导/贷款)")
@click.option("--county", help="county name or code, e.g. 镇平县 or 411324")
@click.option("--course", help="training course: code (tech_envoy) or Chinese label (科技特派员技术指导)")
@click.option("--topic", help="mentoring topic: code (tax) or Chinese label (税务)")
@click.option("--collateral", help="loan collateral: code (forest) or Chinese label (林权)")
@click.option("--applicant-type", "applicant_type", help="code (smb) or Chinese label (小微企业)")
@click.option("--amount", type=float, help="loan amount in 万元")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def explain(app_type, county, course, topic, collateral, applicant_type, amount, as_json) -> None:
    kind = TYPES.get(app_type)
    if kind is None:
        raise click.BadParameter("training, mentoring or loan", param_hint="--type")
    county_code = None
    if county:
        found = find_county(county)
        if found is None:
            raise click.BadParameter(f"unknown county {county!r}", param_hint="--county")
        county_code = found.code
    facts = Facts(
        type=kind,
        county_code=county_code,
        course=_code("course", course),
        topic=_code("topic", topic),
        collateral=_code("collateral", collateral),
        applicant_type=_code("applicant_type", applicant_type),
        amount_wan=amount,
    )
    decision = services.decision_for(facts)
    units = services.units_by_code([decision.lead, *decision.co_review])

    def ref(code: str) -> dict:
        unit = units.get(code)
        return {"code": code, "name": unit.name if unit else code}

    result = {
        "lead": ref(decision.lead),
        "co_review": [ref(c) for c in decision.co_review],
        "rules": [{"id": r.id, "item": r.item, "why": r.why} for r in decision.rules],
        "deadline_working_days": decision.deadline_working_days,
        "triage": decision.triage,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"牵头办理: {result['lead']['name']} ({result['lead']['code']})")
    for co in result["co_review"]:
        click.echo(f"会同审核: {co['name']} ({co['code']})")
    for rule in result["rules"]:
        click.echo(f"规则 {rule['id']}（工作要点第{rule['item']}项）: {rule['why']}")
    click.echo(f"承诺时限: {decision.deadline_working_days} 个工作日")
    if decision.triage:
        click.echo("没有匹配的规则：送领导小组办公室分办")

"""The three application forms. Each field checks itself; rules that need data (limits) live in services."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms import ValidationError as FieldError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.accounts.forms import phone_check
from portal.applications import vocab
from portal.core import idnumber
from portal.core.forms import NumberField, PortalForm, WholeNumberField
from portal.core.i18n import local_name

MIN_AGE, MAX_AGE = 16, 80


def choices(pairs, blank=_l("请选择")) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with a leading empty choice when `blank` is given."""
    options = [SelectChoice(value=value, label=label) for value, label in pairs]
    return ([SelectChoice(value="", label=blank)] if blank is not None else []) + options


def _choices(table: dict) -> list[SelectChoice]:
    return choices(table.items())


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_id_number(value: str) -> str:
    """Return the normalised 身份证号 or raise FieldError with a specific message (rules: `core.idnumber`)."""
    try:
        value = idnumber.validate(value)
    except InvalidLength:
        raise FieldError(_l("身份证号应为 18 位。")) from None
    except InvalidFormat:
        raise FieldError(_l("身份证号只能是数字，最后一位可以是 X。")) from None
    except idnumber.InvalidRegion:
        raise FieldError(_l("身份证号前 2 位（省份代码）不对，请核对。")) from None
    except idnumber.InvalidBirthDate:
        raise FieldError(_l("身份证号里的出生日期不对，请核对。")) from None
    except InvalidChecksum:
        raise FieldError(_l("身份证号最后一位（校验码）对不上，请逐位核对。")) from None
    except ValidationError:
        raise FieldError(_l("身份证号不正确，请核对。")) from None
    birth = idnumber.birth_date(value)
    age = age_on(birth, date.today())
    if not MIN_AGE <= age <= MAX_AGE:
        raise FieldError(_l("按身份证号算，年龄为 %(age)s 岁，不在 16 到 80 岁之间，请核对。", age=age))
    return value


NAME_JOINERS = frozenset("·•・.- ")  # 阿卜杜·热合曼, and the dots and spaces people type for it


def person_name_check(form, field) -> None:
    """A person's name is letters (any script) joined at most by a middle dot or a space: no emoji, digits or
    symbols, which no 身份证 carries."""
    name = (field.data or "").strip()
    if name and not all(unicodedata.category(ch)[0] in "LM" or ch in NAME_JOINERS for ch in name):
        raise FieldError(_l("姓名请按身份证填写，只用文字；少数民族姓名中间可用“·”。"))


def id_number_check(form, field) -> None:
    if field.data:
        field.data = check_id_number(field.data)


def uscc_check(form, field) -> None:
    if not field.data:
        return
    value = uscc.compact(field.data).upper()
    try:
        uscc.validate(value)
    except InvalidLength:
        raise FieldError(_l("统一社会信用代码应为 18 位。")) from None
    except InvalidChecksum:
        raise FieldError(_l("统一社会信用代码最后一位（校验码）对不上，请按营业执照核对。")) from None
    except ValidationError:
        raise FieldError(_l("统一社会信用代码不正确，请按营业执照核对。")) from None
    field.data = value


def amount_check(form, field) -> None:
    """万元 with at most two decimals: 0.01 万元 (100 元) is the smallest amount a person can ask for."""
    if field.data is None:
        return
    if field.data < Decimal("0.01"):
        raise FieldError(_l("金额至少 0.01 万元（100 元），例如 5 或 12.5。"))
    if field.data >= Decimal("1e8"):  # before rounding to cents, which a number this large cannot be
        raise FieldError(_l("金额太大了，请核对：金额以万元为单位。"))
    if field.data != field.data.quantize(Decimal("0.01")):
        raise FieldError(_l("金额以万元为单位，最多两位小数（精确到 0.01 万元，即 100 元）。"))


class ApplicationForm(PortalForm):
    """What every application asks."""

    form_key = HiddenField()
    applicant_name = StringField(
        _l("真实姓名"), validators=[DataRequired(_l("请填写真实姓名。")), Length(2, 30), person_name_check]
    )
    id_number = StringField(_l("身份证号"), validators=[DataRequired(_l("请填写身份证号。")), id_number_check])
    phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写手机号。")), phone_check])
    county = SelectField(_l("居住县区"), validators=[DataRequired(_l("请选择居住的县区。"))])
    township = StringField(
        _l("乡镇（街道）"),
        validators=[DataRequired(_l("请填写乡镇或街道。")), Length(2, 40, _l("请填写 2 到 40 个字。"))],
    )
    consent = BooleanField(
        _l("我同意平台按隐私说明处理我的个人信息，用于办理本申请"),
        validators=[DataRequired(_l("需要同意处理个人信息才能提交申请。"))],
    )
    business_plan = FileField(_l("创业计划书（可选）"))
    id_copy = FileField(_l("身份证正反面照片（可选）"))

    # Stored only in the encrypted `private` column, never in the plain `answers` (see operations._raw).
    sensitive_fields = ("id_number", "phone")
    attachment_fields = ("business_plan", "id_copy")

    def set_county_choices(self, counties) -> None:
        self.county.choices = choices((c.code, local_name(c)) for c in counties)


class TrainingForm(ApplicationForm):
    course_type = SelectField(
        _l("想参加的培训"), choices=_choices(vocab.COURSE_TYPES), validators=[DataRequired(_l("请选择培训类型。"))]
    )
    preferred_county = SelectField(_l("希望在哪个县区参加"), validators=[DataRequired(_l("请选择培训地点。"))])
    preferred_session = StringField(_l("方便的时间"), validators=[Optional(), Length(max=60)])
    education = SelectField(
        _l("文化程度"), choices=_choices(vocab.EDUCATION), validators=[DataRequired(_l("请选择文化程度。"))]
    )
    business = TextAreaField(
        _l("正在做或打算做的生意"), validators=[DataRequired(_l("请简单说说您的生意或打算。")), Length(4, 1000)]
    )
    years_away = WholeNumberField(
        _l("在外务工年数"),
        validators=[
            InputRequired(_l("请填写在外务工的年数（没有填 0）。")),
            NumberRange(0, 60, _l("请填写 0 到 60 之间的整数。")),
        ],
    )
    where_worked = StringField(_l("在哪里务工"), validators=[Optional(), Length(max=60)])

    def set_county_choices(self, counties) -> None:
        super().set_county_choices(counties)
        self.preferred_county.choices = self.county.choices


class MentoringForm(ApplicationForm):
    topic = SelectField(
        _l("想请教的方面"),
        choices=_choices(vocab.MENTORING_TOPICS),
        validators=[DataRequired(_l("请选择想请教的方面。"))],
    )
    stage = SelectField(
        _l("生意做到哪一步了"), choices=_choices(vocab.STAGES), validators=[DataRequired(_l("请选择目前的阶段。"))]
    )
    problem = TextAreaField(
        _l("遇到的问题"),
        validators=[
            DataRequired(_l("请说说遇到的问题，导师好提前准备。")),
            Length(10, 2000, _l("请用 10 到 2000 个字说明问题。")),
        ],
    )
    preferred_mentor = SelectField(_l("希望哪位导师（可不选）"), validators=[Optional()])
    preferred_way = SelectField(
        _l("希望的辅导方式"), choices=_choices(vocab.WAYS), validators=[DataRequired(_l("请选择辅导方式。"))]
    )

    def set_mentor_choices(self, mentors) -> None:
        # in pinyin order as people look a name up (GB 2312 orders its common characters by pinyin); "name · title"
        # because a title may have its own brackets (创业培训讲师（SYB）)
        ordered = sorted(mentors, key=lambda m: (m.sample, m.name.encode("gb18030", "replace")))
        self.preferred_mentor.choices = choices(((m.slug, f"{m.name} · {m.title}") for m in ordered),
                                                blank=_l("不指定，由工作人员安排"))  # fmt: skip

    def preselect_mentor(self, slug: str | None) -> None:
        """`?mentor=<slug>` from a mentor's directory page: chosen when it is one of the choices."""
        if slug and any(c.value == slug for c in self.preferred_mentor.choices):
            self.preferred_mentor.data = slug


class LoanForm(ApplicationForm):
    applicant_type = SelectField(
        _l("申请主体"), choices=_choices(vocab.APPLICANT_TYPES), validators=[DataRequired(_l("请选择申请主体。"))]
    )
    group = SelectField(_l("属于哪类扶持对象"), validators=[DataRequired(_l("请选择扶持对象类别。"))])
    amount_wan = NumberField(
        _l("申请金额（万元）"),
        places=2,
        validators=[InputRequired(_l("请填写申请金额。")), amount_check],
    )
    term_months = WholeNumberField(
        _l("贷款期限（月）"),
        validators=[InputRequired(_l("请填写贷款期限。")), NumberRange(1, 36, _l("期限为 1 到 36 个月。"))],
    )
    purpose = TextAreaField(_l("贷款用途"), validators=[DataRequired(_l("请说明贷款用途。")), Length(4, 500)])
    business_name = StringField(_l("经营主体名称（合伙或企业必填）"), validators=[Optional(), Length(max=100)])
    uscc = StringField(_l("统一社会信用代码（合伙或企业必填）"), validators=[Optional(), uscc_check])
    collateral = SelectField(
        _l("反担保方式"), choices=_choices(vocab.COLLATERAL), validators=[DataRequired(_l("请选择反担保方式。"))]
    )
    licence = FileField(_l("营业执照（合伙或企业必传）"))
    collateral_proof = FileField(_l("抵质押物证明（选择抵押或质押时必传）"))

    sensitive_fields = ("id_number", "phone", "uscc")
    attachment_fields = ("business_plan", "id_copy", "licence", "collateral_proof")

    def set_rule_choices(self, rules: dict) -> None:
        self.group.choices = choices((g["code"], g["label"]) for g in rules.get("groups", []))


# Partnership co-applicants and the policy statements are added per request (their number comes from content/).
def add_loan_extras(form_class: type, rules: dict) -> type:
    attrs = {}
    for i in range(1, vocab.CO_APPLICANT_SLOTS + 1):
        attrs[f"co{i}_name"] = StringField(
            _l("合伙人%(n)s 姓名", n=i), validators=[Optional(), Length(2, 30), person_name_check]
        )
        attrs[f"co{i}_id"] = StringField(_l("合伙人%(n)s 身份证号", n=i), validators=[Optional(), id_number_check])
    for statement in rules.get("statements", []):
        attrs[f"statement_{statement['code']}"] = BooleanField(
            statement["text"], validators=[DataRequired(_l("请阅读并确认这一条。"))]
        )
    extended = type("LoanFormWithExtras", (form_class,), attrs)
    extended.sensitive_fields = form_class.sensitive_fields + tuple(
        f"co{i}_id" for i in range(1, vocab.CO_APPLICANT_SLOTS + 1)
    )
    return extended


FORMS = {"training": TrainingForm, "mentoring": MentoringForm, "loan": LoanForm}

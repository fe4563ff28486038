"""身份证号: numbers of people born in any decade in any Nanyang county are accepted; bad ones say what is wrong."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from portal.core import idnumber
from tests.conftest import CONTENT_DIR
from tests.helpers import bad_check_digit
from tests.helpers import id_number as make_number

NANYANG = [
    c["code"] for c in yaml.safe_load((CONTENT_DIR / "counties.yaml").read_text()) if c["code"].startswith("4113")
]
DECADES = ["19500307", "19600229", "19710815", "19881231", "19940101", "20011009"]  # 1950s … 2000s


def test_every_nanyang_county_code_is_listed():
    assert len(NANYANG) == 13 and "411324" in NANYANG


@pytest.mark.parametrize("county", NANYANG)
@pytest.mark.parametrize("born", DECADES)
def test_numbers_from_every_county_and_decade_are_accepted(county, born):
    number = make_number(county + born, "123")
    assert idnumber.validate(number) == number
    assert idnumber.birth_date(number) == date(int(born[:4]), int(born[4:6]), int(born[6:]))


def test_the_number_from_the_issue_is_accepted_by_the_form_check(app):
    from portal.applications.forms import check_id_number

    with app.test_request_context():
        assert check_id_number("411324198805121231") == "411324198805121231"


@pytest.mark.parametrize(
    "value, error",
    [
        ("4113241985", InvalidLength),
        ("41132419880512123A", InvalidFormat),
        (make_number("99132419880512", "123"), idnumber.InvalidRegion),
        (make_number("41132419880231", "123"), idnumber.InvalidBirthDate),
        (make_number("41132430010101", "123"), idnumber.InvalidBirthDate),
        (bad_check_digit("411324198805121231"), InvalidChecksum),
    ],
)
def test_what_is_refused_and_why(value, error):
    with pytest.raises(error):
        idnumber.validate(value)


@pytest.mark.parametrize(
    "value, message",
    [
        (bad_check_digit("411324198805121231"), "校验码"),
        (make_number("41132419880231", "123"), "出生日期"),
        (make_number("99132419880512", "123"), "省份代码"),
        ("4113241985", "18 位"),
    ],
)
def test_the_form_keeps_a_specific_message(app, value, message):
    from wtforms import ValidationError

    from portal.applications.forms import check_id_number

    with app.test_request_context(), pytest.raises(ValidationError) as caught:
        check_id_number(value)
    assert message in str(caught.value)

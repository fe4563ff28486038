"""Public statistics (issue 14 point 4): no personal data, counts below 5 shown as "<5" in every cut, and no hidden
count recoverable by subtraction from a row, a column or a total."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from portal.dashboard.public import HIDDEN, Cut
from tests.test_dashboard import beijing, decided, recount


def cut(cells: dict) -> Cut:
    rows = sorted({r for r, _c in cells})
    cols = sorted({c for _r, c in cells})
    return Cut([(r, r) for r in rows], [(c, c) for c in cols], dict(cells)).suppress()


def recoverable(c: Cut) -> list:
    """Hidden cells a reader could compute from what is shown: a line (row or column with its total) with one gap."""
    row_keys = [r for r, _l in c.rows] + [None]
    col_keys = [k for k, _l in c.cols] + [None]
    lines = [[(r, k) for k in col_keys] for r in row_keys] + [[(r, k) for r in row_keys] for k in col_keys]
    return [line for line in lines if sum(cell in c.hidden for cell in line) == 1]


def test_small_counts_are_hidden_and_cannot_be_subtracted_out():
    c = cut({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 20, ("b", "y"): 30})
    assert c.shown("a", "x") == HIDDEN
    assert recoverable(c) == []
    assert c.shown("b", "y") == 30 or c.shown("b", "y") == HIDDEN
    assert c.shown(None, None) == 93  # the grand total stays when nothing can be derived from it


def test_a_total_below_five_is_hidden_and_zero_stays_zero():
    c = cut({("a", "x"): 1, ("a", "y"): 0, ("b", "x"): 0, ("b", "y"): 9})
    assert c.shown("a", None) == HIDDEN and c.shown("a", "y") == 0
    assert recoverable(c) == []


def test_suppression_holds_for_every_small_table():
    for values in itertools.product((0, 1, 4, 5, 12), repeat=4):
        c = cut(dict(zip([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")], values, strict=True)))
        for key in itertools.product(["a", "b", None], ["x", "y", None]):
            shown = c.shown(*key)
            assert shown == HIDDEN or not 0 < shown < 5, (values, key, shown)
        assert recoverable(c) == [], values


def test_stats_page_and_api_hide_small_counts(app, db, people, client):
    u = people["applicant"]
    from portal.queues.queries import today

    year = today().year
    moment = beijing(year, 1, 10)
    made = {"411324": (3, 7, 12), "411323": (8, 6, 9), "411302": (15, 11, 10)}  # loan, training, mentoring
    for code, numbers in made.items():
        for kind, n in zip(("loan", "training", "mentoring"), numbers, strict=True):
            for _n in range(n):
                decided(db, u, kind, code, moment, amount_wan=20 if kind == "loan" else None)
    db.session.commit()
    with app.test_request_context():
        recount()
        db.session.commit()
    data = client.get(f"/api/v1/stats?year={year}").get_json()
    rows = {r["county"]: r["cells"] for r in data["applications_approved"]["rows"]}
    assert rows["411324"]["loan"] == "<5"  # 3
    # the smallest cells in its row and column go too, so 3 cannot be had by subtraction from the totals
    assert rows["411324"]["training"] == "<5" and rows["411323"]["loan"] == "<5"
    assert rows["411323"]["training"] == "<5"
    assert rows["411302"] == {"loan": 15, "training": 11, "mentoring": 10} and rows["411323"]["mentoring"] == 9
    assert data["applications_approved"]["totals"] == {"loan": 26, "training": 24, "mentoring": 31}
    assert data["loans_granted"]["amount_wan"]["rows"]["411324"] == "<5"  # the amount goes with its count
    assert data["loans_granted"]["amount_wan"]["rows"]["411302"] == 300
    names = [r["name"] for r in data["applications_received"]["rows"]]
    assert "邓州市" in names and "南阳高新区" in names and names[-1] == "未填县区"  # every division, then the rest
    flat = str(data)
    assert "陈返乡" not in flat and "13411110001" not in flat
    page = client.get(f"/stats/?year={year}").get_data(as_text=True)
    assert "&lt;5" in page and "数据公开" in page
    # people (人) and person-times (人次) side by side, with no 合计 adding them up
    people_table = page.split("新增返乡创业（人）与创业辅导（人次）</caption>")[1].split("</table>")[0]
    assert "合计" not in people_table
    assert "合计" in page.split("收到的申请（按提交日期）</caption>")[1].split("</table>")[0]


def test_stats_api_refuses_bad_years_and_unknown_parameters(client):
    for query in ("year=99999999999999999999", "year=２０２６", "year=abc", "year=1999", "when=2026"):
        response = client.get(f"/api/v1/stats?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "invalid_parameter"
    assert client.get("/stats/?year=abc").status_code == 200  # the page falls back to this year
    assert "/api/v1/stats" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_stats_in_english(app, en_client):
    page = en_client.get("/stats/").get_data(as_text=True)
    assert "Open data" in page or "Statistics" in page
    assert "Zhenping" in page


def test_no_satisfaction_rate_below_five_ratings(app, db, client):
    from portal.ratings.models import Rating

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0
    assert "评价少于5条，不计算" in client.get("/stats/").get_data(as_text=True)

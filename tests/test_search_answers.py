"""Issue 16: readable snippets, direct answers, everyday words, tracking numbers, bad input — as a user sees them."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from portal.search import answers, terms
from portal.search.models import SearchAnswer, SearchTerm
from tests.helpers import client_for, make_user, text
from tests.test_editorial import EDITOR_A, EDITOR_B, draft_edit, post_action


def api(client, q: str) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()


def ids(client, q: str) -> list[str]:
    return [item["id"] for item in api(client, q)["items"]]


def visible(snippet: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


@pytest.fixture
def editors(db):
    return [
        make_user(db, role="editor", phone=phone, name=name)
        for phone, name in ((EDITOR_A, "编辑甲"), (EDITOR_B, "编辑乙"))
    ]


@pytest.fixture
def fresh_words(monkeypatch):
    """Read the synonym table and the answers at every query (in production: at most once a second)."""
    monkeypatch.setattr(terms._TABLE, "recheck", 0.0)
    monkeypatch.setattr(answers._ROWS, "recheck", 0.0)
    terms.forget()
    answers.forget()
    yield
    terms.forget()
    answers.forget()


# ---------------------------------------------------------------- snippets


@pytest.mark.parametrize("q", ["创业担保贷款", "贴息", "林权贷款", "电商", "孵化基地", "导师"])
def test_snippets_are_whole_readable_sentences_with_the_words_marked(client, q):
    items = api(client, q)["items"]
    assert items
    for item in items:
        shown = visible(item["snippet"])
        assert shown, item
        assert "；；" not in shown and "。。" not in shown and "\n" not in shown
        assert len(shown) <= 84, shown  # three lines at 360 px
        assert shown.rstrip("…")[-1] in "。！？；：" or shown.endswith("…"), (
            shown
        )  # ends at a sentence or is marked cut
        assert shown.strip("。…") != item["title"]  # never the title again
        # no field lists glued together (document numbers, issuers and unit names are labels, not sentences)
        assert not re.search(r"财金〔2023〕75号.{0,3}财政部|南阳市财政局 市财政局", shown)
    assert any("<mark>" in item["snippet"] for item in items)


def test_the_loan_guides_snippet_reads_as_chinese(client):
    first = api(client, "创业担保贷款")["items"]
    guide = next(i for i in first if i["id"] == "policy:guarantee-loan-national")
    assert "<mark>创业担保贷款</mark>" in guide["snippet"]
    assert visible(guide["snippet"]).startswith(("返乡创业农民工", "创业担保贷款", "按2023年", "…"))


def test_snippet_html_is_escaped(client, db):
    from portal.policies.models import Policy

    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == "guarantee-loan-national"))
    from portal.search import snippets

    shown = str(snippets.snippet("<script>alert(1)</script>担保贷款很好。", policy.name, [("担保贷款",)]))
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<mark>担保贷款</mark>" in shown


# ---------------------------------------------------------------- direct answers


def test_a_loan_query_shows_the_loan_answer_with_its_figure_source_and_buttons(client, fresh_words):
    page = text(client.get("/search", query_string={"q": "创业担保贷款"}))
    card = page[page.index('class="card answer-card"') : page.index("</aside>", page.index("answer-card"))]
    assert "个人最高30万元" in card and "谁能办" in card and "财金〔2023〕75号" in card
    assert 'href="/apply/loan"' in card and "在线申请" in card
    assert 'href="/policies/guarantee-loan-national"' in card and "查看指南" in card
    assert 'href="/progress"' in card and "查进度" in card
    data = api(client, "创业担保贷款")
    assert data["answers"][0]["figure"].startswith("个人最高30万元")
    assert data["answers"][0]["source"]["doc_number"] == "财金〔2023〕75号"


@pytest.mark.parametrize(
    ("q", "title", "button"),
    [
        ("回乡开店能贷多少钱", "创业担保贷款", "/apply/loan"),
        ("想学技术去哪报名", "创业培训", "/apply/training"),
        ("专家上门指导", "创业辅导", "/apply/mentoring"),
        ("办执照了怎么登记", "返乡创业登记", "/registry/new"),
        ("我的申请办到哪了", "办件进度查询", "/progress"),
    ],
)
def test_everyday_questions_get_the_services_answer(client, fresh_words, q, title, button):
    data = api(client, q)
    assert data["answers"], data
    assert data["answers"][0]["title"] == title
    assert any(a["url"] == button for a in data["answers"][0]["actions"])


def test_no_answer_card_for_a_place(client, fresh_words):
    assert api(client, "西峡 孵化")["answers"] == []
    assert "answer-card" not in text(client.get("/search", query_string={"q": "西峡 孵化"}))


@pytest.mark.parametrize(
    "typed", ["NY-2026-DB-000123", "ny-2026-db-000123", "ＮＹ－２０２６－ＤＢ－０００１２３", " ny-2026-db-000123 "]
)
def test_a_tracking_number_goes_straight_to_the_progress_lookup(client, typed):
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/progress?no=NY-2026-DB-000123")
    page = text(client.get(response.headers["Location"]))
    assert 'value="NY-2026-DB-000123"' in page
    assert api(client, typed)["progress_lookup"].endswith("/progress?no=NY-2026-DB-000123")


# ---------------------------------------------------------------- everyday words


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("回乡开店能贷多少钱", {"policy:guarantee-loan-national", "policy:henan-guarantee-loan-interest"}),
        ("贷款最多多少", {"policy:guarantee-loan-national", "policy:henan-guarantee-loan-interest"}),
        ("专家上门指导", {"policy:mentor-village-tour"}),
        ("找个老师教我开网店", {"mentor:liu-xiaoyan", "mentor:tang-yulan", "mentor:hu-xiaodong"}),
        ("利息谁出", {"policy:henan-guarantee-loan-interest", "policy:guarantee-loan-national"}),
        ("山林能贷款吗", {"policy:innovative-collateral-loans"}),
    ],
)
def test_questions_in_everyday_words_find_the_right_page_first(client, q, expected):
    assert ids(client, q)[0] in expected


def test_a_question_finds_what_its_key_words_find(client):
    assert ids(client, "怎么申请创业担保贷款呢")[:3] == ids(client, "申请创业担保贷款")[:3]
    assert ids(client, "我想了解林权贷款吗")[:3] == ids(client, "林权贷款")[:3]


def test_a_synonym_added_in_the_table_works_at_once_without_reindexing(client, db, fresh_words):
    closest = "没有同时包含所有词的内容"
    assert closest in text(client.get("/search", query_string={"q": "回娘家贷款"}))  # 回娘家 is not known yet
    group = db.session.scalar(sa.select(SearchTerm).where(SearchTerm.slug == "returnee"))
    group.words = [*group.words, "回娘家"]
    group.version += 1
    db.session.flush()
    assert closest not in text(client.get("/search", query_string={"q": "回娘家贷款"}))
    assert ids(client, "回娘家贷款")[0] in {"policy:guarantee-loan-national", "policy:henan-guarantee-loan-interest"}


def test_only_question_words_or_punctuation_get_a_clear_answer_and_the_main_services(client):
    for q, message in [
        ("怎么办呢", "请说说您想找什么"),
        ("！！？？", "没有可以搜索的文字"),
        ("😀😀", "没有可以搜索的文字"),
    ]:
        page = text(client.get("/search", query_string={"q": q}))
        assert message in page and "常办的事" in page and 'href="/apply/loan"' in page


def test_nothing_found_suggests_near_words_and_the_main_services(client):
    page = text(client.get("/search", query_string={"q": "宇宙飞船发动机"}))
    assert "没有找到相关内容" in page and "大家常搜" in page and "常办的事" in page


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "q",
    [
        "贷",
        "贷" * 2000,
        "创业 " * 700,
        "担保贷款" * 75,
        "。，、！？",
        "🙂🚀",
        "担保\x00贷款",
        "<script>alert(1)</script>",
        "\u202e贷款",
        "９９９９９９９９９９９９９９９９９９９９",
        "%%%%' OR 1=1 --",
    ],
)
def test_hostile_queries_get_a_normal_page_quickly(client, q):
    page = client.get("/search", query_string={"q": q})
    body = text(page)
    assert "<script>alert(1)</script>" not in body
    if len(q) > 1000:
        # Longer than any address a browser's search box (maxlength 200) makes: the request guard's clear 400.
        assert page.status_code == 400 and "太长了" in body
        assert client.get("/api/v1/search", query_string={"q": q}).status_code == 400
        return
    assert page.status_code == 200
    assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200


def test_a_long_query_is_cut_and_bounded(client):
    data = api(client, "返乡 创业 贷款 培训 导师 电商 孵化 园区 补贴 贴息 林权 登记 进度 大赛 合伙 养殖 种植 " * 5)
    assert any("太长" in n for n in data["notices"])
    vocab = terms.Vocabulary.build([])
    assert len(vocab.read("甲乙 丙丁 " * 100 + " ".join(f"词{i}" for i in range(50)))) <= terms.MAX_GROUPS


# ---------------------------------------------------------------- back office


def test_an_answer_is_changed_by_one_editor_published_by_another_and_shown_at_once(app, db, editors, fresh_words):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    assert "搜索直达" in text(a.get("/editorial/"))
    change_id = draft_edit(a, "answers", "guarantee-loan", figure="个人最高50万元（测试）")
    assert "个人最高30万元" in text(app.test_client().get("/search", query_string={"q": "担保贷款"}))
    assert post_action(b, change_id, "publish").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(SearchAnswer.figure).where(SearchAnswer.slug == "guarantee-loan")) == (
        "个人最高50万元（测试）"
    )
    assert "个人最高50万元（测试）" in text(app.test_client().get("/search", query_string={"q": "担保贷款"}))


def test_the_synonym_table_is_edited_in_the_back_office_too(app, db, editors, fresh_words):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    change_id = draft_edit(a, "search-terms", "returnee", words="回乡\n回老家\n回娘家")
    assert post_action(b, change_id, "publish").status_code == 302
    assert ids(app.test_client(), "回娘家贷款")[0] in {
        "policy:guarantee-loan-national",
        "policy:henan-guarantee-loan-interest",
    }


def test_content_load_checks_answers_and_words(tmp_path):
    import shutil

    from portal.content.loader import read_content
    from tests.conftest import CONTENT_DIR

    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    answers_file = tmp_path / "content" / "answers.yaml"
    answers_file.write_text(
        answers_file.read_text(encoding="utf-8").replace("policy: guarantee-loan-national", "policy: no-such-guide"),
        encoding="utf-8",
    )
    words_file = tmp_path / "content" / "search-terms.yaml"
    words_file.write_text(
        words_file.read_text(encoding="utf-8").replace("[奇异果]", "[" + "果" * 41 + "]"), encoding="utf-8"
    )
    problems = [str(p) for p in read_content(tmp_path / "content").problems]
    assert any("未知的政策指南 “no-such-guide”" in p and "answers.yaml" in p for p in problems)
    assert any("search-terms.yaml" in p and "40" in p for p in problems)

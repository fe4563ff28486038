"""Chinese full-text search: ranking on the real content, facets, bad input, and index maintenance."""

from __future__ import annotations

import multiprocessing
import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.catalog.models import IncubationBase, Mentor, MentorExpertise
from portal.policies.models import Policy
from portal.search import index as search_index
from portal.search.analyzer import dictionary_words
from portal.search.models import IndexEvent
from tests.conftest import make_test_app


def api(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ---------------------------------------------------------------- ranking on the real content


def test_guarantee_loan_query_finds_the_guarantee_loan_guides_first(client, db):
    items = api(client, q="担保贷款")["items"]
    top = items[0]
    assert top["type"] == "policy"
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == top["url"].rstrip("/").split("/")[-1]))
    assert policy.category == "loan" and "担保贷款" in policy.name


def test_title_match_ranks_above_body_match(client):
    items = api(client, q="星创天地")["items"]
    assert items and "星创天地" in items[0]["title"]
    titled = [i for i in items if "星创天地" in i["title"]]
    untitled = [i for i in items if "星创天地" not in i["title"]]
    if untitled:
        assert min(i["score"] for i in titled) > max(i["score"] for i in untitled)


def test_forest_rights_loan(client):
    items = api(client, q="林权贷款")["items"]
    assert "林权" in items[0]["title"]


def test_county_and_topic(client):
    body = api(client, q="西峡 孵化")
    assert body["total"] >= 1
    assert "西峡" in body["items"][0]["title"]


def test_mentor_found_by_expertise(client, db):
    tax_mentors = set(
        db.session.scalars(sa.select(Mentor.name).join(MentorExpertise).where(MentorExpertise.code == "tax"))
    )
    items = api(client, q="税务", type="mentor")["items"]
    assert items and all(i["type"] == "mentor" for i in items)
    assert items[0]["title"] in tax_mentors


def test_mentor_found_by_name(client, db):
    mentor = db.session.scalar(sa.select(Mentor).order_by(Mentor.slug).limit(1))
    items = api(client, q=mentor.name)["items"]
    assert items[0]["title"] == mentor.name and items[0]["type"] == "mentor"


def test_county_filter_narrows_and_keeps_citywide_entries(client):
    everywhere = api(client, q="创业")["total"]
    body = api(client, q="创业", county="西峡县")
    assert 0 < body["total"] < everywhere
    assert all(set(i["county"]) & {"西峡县", "全市"} for i in body["items"])


def test_type_facet_counts_match_filtered_totals(client):
    body = api(client, q="创业")
    facets = {f["value"]: f["count"] for f in body["facets"]["kind"]}
    assert sum(facets.values()) == body["total"]
    for kind, count in facets.items():
        assert api(client, q="创业", type=kind)["total"] == count


def test_full_width_and_mixed_input_is_normalised(client):
    plain = [i["id"] for i in api(client, q="担保贷款")["items"]]
    assert [i["id"] for i in api(client, q="担保贷款　")["items"]] == plain  # ideographic space
    assert api(client, q="ＳＹＢ 培训")["query"] == "SYB 培训"


def test_phrase_ranks_above_scattered_words(client):
    items = api(client, q="培训补贴")["items"]
    assert "培训补贴" in items[0]["title"] or "培训补贴" in re.sub(r"<[^>]+>", "", items[0]["snippet"])


# ---------------------------------------------------------------- the page


def test_search_page_keeps_query_and_highlights(client):
    html = client.get("/search", query_string={"q": "担保贷款"}).get_data(as_text=True)
    assert 'value="担保贷款"' in html
    assert "<mark" in html
    assert "找到" in html


def test_page_and_api_agree(client):
    html = client.get("/search", query_string={"q": "电商培训"}).get_data(as_text=True)
    titles = [i["title"] for i in api(client, q="电商培训")["items"]]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)


def test_no_results_offers_other_words(client):
    html = client.get("/search", query_string={"q": "量子纠缠"}).get_data(as_text=True)
    assert "没有找到相关内容" in html
    assert "大家常搜" in html and "创业担保贷款" in html


def test_single_character_finds_words_that_begin_with_it(client):
    assert api(client, q="贷")["total"] > 0


def test_search_box_is_on_every_page(client):
    for path in ["/", "/bases/", "/policies/", "/mentors/", "/no-such-page"]:
        assert 'role="search"' in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize(
    "query_string",
    [
        "q=",
        "q=" + "贷款" * 250,
        "q=AND+(+%22+*+:",
        "q=%00%01%02%1b[31m",
        "q=%ff%fe%fd",
        "q=担保&page=abc",
        "q=担保&page=99999",
        "q=担保&county=火星县",
        "q=担保&type=widget",
        "q=OR+NOT+title:*",
    ],
)
def test_bad_input_gives_a_normal_page(client, query_string):
    response = client.get("/search?" + query_string)
    assert response.status_code == 200
    assert "Traceback" not in response.get_data(as_text=True)


def test_long_query_is_cut_with_a_notice(client):
    html = client.get("/search", query_string={"q": "贷款" * 250}).get_data(as_text=True)
    assert "搜索词太长" in html


def test_api_rejects_unknown_filters(client):
    assert client.get("/api/v1/search?q=贷款&type=widget").status_code == 400
    assert client.get("/api/v1/search?q=贷款&county=火星县").status_code == 400


def test_domain_dictionary_covers_counties_and_terms(db):
    words = dictionary_words()
    for name in db.session.scalars(sa.text("SELECT name FROM county WHERE kind != 'zone'")):
        assert name in words
    for term in ["创业担保贷款", "星创天地", "众创空间", "林权", "乡村行"]:
        assert term in words


# ---------------------------------------------------------------- index events and maintenance


def test_changes_write_index_events_in_the_same_transaction(db):
    policy = db.session.scalar(sa.select(Policy).limit(1))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(IndexEvent))
    policy.name = policy.name + "（修订）"
    db.session.flush()
    events = db.session.scalars(sa.select(IndexEvent).order_by(IndexEvent.id.desc()).limit(1)).all()
    assert events[0].kind == "policy" and events[0].slug == policy.slug and events[0].op == "upsert"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndexEvent)) == before


@pytest.fixture
def fresh_index(app, tmp_path, monkeypatch):
    """This test's own index directory, so its changes do not leak into other tests' index."""
    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))
    return tmp_path


def test_an_edit_is_searchable_after_sync_and_a_deletion_disappears(app, client, runner, db, fresh_index):
    client.get("/search?q=担保")  # builds this test's index
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == "guarantee-loan-national"))
    policy.name = "创业担保贷款蓝鲸计划"
    base = db.session.scalar(sa.select(IncubationBase).order_by(IncubationBase.slug).limit(1))
    base_name = base.name
    db.session.delete(base)
    db.session.commit()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "applied 2" in result.output
    assert api(client, q="蓝鲸计划")["items"][0]["title"] == "创业担保贷款蓝鲸计划"
    assert base_name not in [i["title"] for i in api(client, q=base_name)["items"]]


def test_search_applies_new_events_by_itself(app, client, db, fresh_index):
    client.get("/search?q=担保")
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == "guarantee-loan-national"))
    policy.name = "创业担保贷款海燕计划"
    db.session.commit()
    search_index.for_app(app)._last_check = 0.0  # as if half a second had passed
    assert api(client, q="海燕计划")["total"] == 1


@pytest.mark.committing
def test_reindex_while_searching(isolated_app, tmp_path):
    app = isolated_app
    app.config["PORTAL_DATA_DIR"] = str(tmp_path)
    runner = app.test_cli_runner()
    client = app.test_client()
    client.get("/search?q=担保")
    errors: list[str] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching():
        local = app.test_client()
        while not stop.is_set():
            response = local.get("/api/v1/search?q=创业")
            if response.status_code != 200:
                errors.append(response.get_data(as_text=True))
            else:
                totals.append(response.get_json()["total"])

    worker = threading.Thread(target=searching)
    worker.start()
    try:
        for _ in range(2):
            result = runner.invoke(args=["search", "reindex", "--quiet"])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        worker.join()
    assert not errors
    assert totals and min(totals) > 0
    generations = list((tmp_path / "search").glob("gen-*"))
    assert len(generations) <= 2, "old generations are cleaned up"


def _sync_in_process(database_url: str, data_dir: str, queue) -> None:
    from portal.extensions import db
    from portal.search import index

    app = make_test_app(database_url, Path(data_dir))
    try:
        with app.app_context():
            queue.put(("ok", index.for_app(app).sync()))
            db.engine.dispose()
    except Exception as exc:  # report any failure, lock errors included, to the test
        queue.put(("error", repr(exc)))


def _rename_policy(app, slug: str, name: str) -> None:
    from portal.extensions import db

    with app.app_context():
        policy = db.session.scalar(sa.select(Policy).where(Policy.slug == slug))
        policy.name = name
        db.session.commit()


def _search_ids(app, query: str, data_dir: str) -> list[str]:
    from portal.search import services

    app.config["PORTAL_DATA_DIR"] = data_dir
    with app.test_request_context():
        return [h.id for h in services.search(query).hits]


@pytest.mark.committing
@pytest.mark.slow
def test_two_processes_syncing_at_once(isolated_app, tmp_path):
    from portal.search import index

    data_dir = str(tmp_path / "shared")
    isolated_app.config["PORTAL_DATA_DIR"] = data_dir
    with isolated_app.app_context():
        index.for_app(isolated_app).rebuild()
    _rename_policy(isolated_app, "nanyang-2021-work-plan", "南阳市返乡创业工作要点白鹭版")
    url = isolated_app.config["SQLALCHEMY_DATABASE_URI"]
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    procs = [spawn.Process(target=_sync_in_process, args=(url, data_dir, queue)) for _ in range(2)]
    for proc in procs:
        proc.start()
    outcomes = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sorted(n for _, n in outcomes)[-1] >= 1, "one of them applied the change"
    assert _search_ids(isolated_app, "白鹭版", data_dir) == ["policy:nanyang-2021-work-plan"]


@pytest.mark.committing
def test_two_index_directories_agree_after_sync(isolated_app, tmp_path):
    from portal.search import index

    dirs = [str(tmp_path / "server-a"), str(tmp_path / "server-b")]
    for d in dirs:
        isolated_app.config["PORTAL_DATA_DIR"] = d
        with isolated_app.app_context():
            index.for_app(isolated_app).rebuild()
    _rename_policy(isolated_app, "mentor-village-tour", "创业导师乡村行灰雁季")
    for d in dirs:
        isolated_app.config["PORTAL_DATA_DIR"] = d
        with isolated_app.app_context():
            index.for_app(isolated_app).sync()
    results = [_search_ids(isolated_app, q, d) for d in dirs for q in ("灰雁季", "创业", "孵化")]
    assert results[:3] == results[3:]
    assert results[0] == ["policy:mentor-village-tour"]


def test_a_control_character_in_the_query_is_a_space_not_a_replacement_mark(client):
    """The request guard turns NUL into U+FFFD before any view; search reads it as a space, so the page says
    “担保 贷款”, not “担保�贷款”, and searches both words."""
    html = client.get("/search?q=%E6%8B%85%E4%BF%9D%00%E8%B4%B7%E6%AC%BE").get_data(as_text=True)
    assert "\ufffd" not in html and "“担保 贷款”" in html

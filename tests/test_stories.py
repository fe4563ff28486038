"""先进典型: an editor writes a story; it cannot be published without the person's recorded consent; a second editor
publishes it; it shows on the home page and the county filter; withdrawing the consent takes it down at once;
photos are resized on the server, lose their EXIF and need alt text."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.audit import AuditLog
from portal.catalog.models import County, IncubationBase
from portal.extensions import limiter
from portal.stories.models import Story, StoryPhoto
from tests.helpers import PDF, client_for, csrf_token, make_user, text

EDITOR_A, EDITOR_B = "13611110011", "13611110012"
TITLE = "从深圳工厂回到石佛寺的玉雕工作室"


@pytest.fixture
def editors(app, db):
    limiter.reset()
    make_user(db, role="editor", phone=EDITOR_A, name="编辑甲")
    make_user(db, role="editor", phone=EDITOR_B, name="编辑乙")
    return client_for(app, EDITOR_A), client_for(app, EDITOR_B)


def write_story(client, **changes) -> int:
    token = csrf_token(client, "/editorial/stories/new")
    body = "## 回乡\n\n老陈在深圳干了八年，回到镇平县石佛寺镇开起了玉雕工作室。<script>alert(1)</script>"
    data = {"csrf_token": token, "title": TITLE, "county": "411324", "industry": "crafts", "venture_id": ""}
    data["body"] = body
    data.update(changes)
    response = client.post("/editorial/stories/new", data=data)
    assert response.status_code == 302, text(response)
    return int(re.search(r"/editorial/stories/(\d+)", response.headers["Location"]).group(1))


def photo_bytes(size=(3000, 2000), fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, (180, 90, 40))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "SomePhoneMaker"  # Make
        exif[0x0132] = "2021:05:01 10:00:00"  # DateTime
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload_photo(client, story_id: int, data: bytes, alt: str = "老陈在工作室雕刻玉料", name: str = "a.jpg"):
    token = csrf_token(client, f"/editorial/stories/{story_id}")
    return client.post(
        f"/editorial/stories/{story_id}/photos",
        data={"csrf_token": token, "alt": alt, "caption": "", "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def record_consent(client, story_id: int, **changes):
    token = csrf_token(client, f"/editorial/stories/{story_id}")
    data = {"csrf_token": token, "person_name": "陈返乡", "method": "signed_form", "consented_on": "2021-05-10",
            "scope": "同意公开姓名、县区、工作室名称和照片", "scan": (io.BytesIO(PDF), "consent.pdf")}  # fmt: skip
    data.update(changes)
    return client.post(f"/editorial/stories/{story_id}/consent", data=data, content_type="multipart/form-data")


def move(client, story_id: int, action: str, note: str = ""):
    token = csrf_token(client, f"/editorial/stories/{story_id}")
    return client.post(
        f"/editorial/stories/{story_id}/move", data={"csrf_token": token, "action": action, "note": note}
    )


def test_no_publication_without_consent_then_published_by_a_second_editor_on_home_and_county(app, db, editors):
    a, b = editors
    story_id = write_story(a)
    anonymous = app.test_client()
    assert anonymous.get(f"/stories/{story_id}").status_code == 404
    refused = move(a, story_id, "submit")
    assert refused.status_code == 400 and "没有同意不能发布" in text(refused)
    assert db.session.get(Story, story_id).status == "draft"

    assert record_consent(a, story_id).status_code == 302
    assert move(a, story_id, "submit").status_code == 302
    assert move(a, story_id, "publish").status_code == 404  # never the author
    assert anonymous.get(f"/stories/{story_id}").status_code == 404
    assert move(b, story_id, "publish").status_code == 302

    page = text(anonymous.get(f"/stories/{story_id}"))
    assert TITLE in page and "<script>" not in page and "本文经当事人同意后发布" in page
    assert TITLE in text(anonymous.get("/"))
    assert TITLE in text(anonymous.get("/stories/?county=镇平县&industry=crafts"))
    assert TITLE not in text(anonymous.get("/stories/?county=西峡县"))
    about = (AuditLog.object_type == "story", AuditLog.object_id == str(story_id))
    actions = db.session.scalars(sa.select(AuditLog.action).where(*about)).all()
    assert {"story.create", "story.consent_record", "story.submit", "story.publish"} <= set(actions)

    from portal.stories.search import documents

    with app.test_request_context():
        found = [d for d in documents() if d["id"] == story_id]
    assert found and found[0]["county"] == "镇平县" and found[0]["industry"] == "玉雕与文创"
    assert found[0]["endpoint"] == "stories.detail" and found[0]["args"] == {"story_id": story_id}

    # the catalog's pages of the same county link to the county's stories (a panel)
    county = db.session.scalar(sa.select(County).where(County.code == "411324"))
    base = db.session.scalar(sa.select(IncubationBase).where(IncubationBase.county_id == county.id).limit(1))
    assert "/stories/?county=" in text(anonymous.get(f"/bases/{base.slug}"))


def test_withdrawing_consent_unpublishes_at_once(app, db, editors):
    a, b = editors
    story_id = write_story(a)
    record_consent(a, story_id)
    move(a, story_id, "submit")
    move(b, story_id, "publish")
    consent_id = db.session.get(Story, story_id).consents[0].id
    token = csrf_token(b, f"/editorial/stories/{story_id}")
    url = f"/editorial/stories/{story_id}/consent/{consent_id}/withdraw"
    refused = b.post(url, data={"csrf_token": token, "withdrawal_note": ""})
    assert refused.status_code == 400 and "撤回了同意" in text(refused)
    done = b.post(url, data={"csrf_token": token, "withdrawal_note": "本人5月20日打电话要求撤下。"})
    assert done.status_code == 302
    anonymous = app.test_client()
    assert anonymous.get(f"/stories/{story_id}").status_code == 404
    assert TITLE not in text(anonymous.get("/")) and TITLE not in text(anonymous.get("/stories/"))
    assert db.session.get(Story, story_id).status == "unpublished"
    assert move(a, story_id, "submit").status_code == 400  # no standing consent: not again without a new one


def test_photos_are_resized_stripped_of_exif_and_need_alt_text(app, db, editors):
    a, _b = editors
    story_id = write_story(a)
    no_alt = upload_photo(a, story_id, photo_bytes(), alt="")
    assert no_alt.status_code == 400 and "替代文字" in text(no_alt)
    not_image = upload_photo(a, story_id, PDF, name="photo.jpg")
    assert not_image.status_code == 400 and "不是能识别的图片" in text(not_image)
    assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id)).where(StoryPhoto.story_id == story_id)) == 0

    assert upload_photo(a, story_id, photo_bytes()).status_code == 302
    assert upload_photo(a, story_id, photo_bytes((800, 600), "PNG"), alt="合作社的香菇烘干房").status_code == 302
    first, second = db.session.scalars(sa.select(StoryPhoto).where(StoryPhoto.story_id == story_id)
                                       .order_by(StoryPhoto.id)).all()  # fmt: skip
    with Image.open(io.BytesIO(first.data)) as made:
        assert made.format == "JPEG" and max(made.size) == 1600 and made.size == (1600, 1067)
        assert not made.getexif() and "exif" not in made.info
    with Image.open(io.BytesIO(first.thumb)) as small:
        assert max(small.size) == 480
    assert (second.width, second.height) == (800, 600)
    page = text(a.get(f"/editorial/stories/{story_id}"))
    assert 'alt="老陈在工作室雕刻玉料"' in page
    # a draft's photo is not public
    assert app.test_client().get(f"/stories/photos/{first.id}.jpg").status_code == 404
    assert a.get(f"/stories/photos/{first.id}.jpg").mimetype == "image/jpeg"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"title": "长" * 121}, "title", "最多 120 个字"),
        ({"body": "太短"}, "body", "正文太短了"),
        ({"county": "\uff10"}, "county", "请选择县区"),
        ({"industry": "zzz"}, "industry", "请从列表里选择行业"),
        ({"venture_id": "９９９９９"}, "venture_id", "没有这个编号的项目"),
        ({"bases": ["no-such-base"]}, "bases", "请从列表里选择"),
    ],
)
def test_bad_story_input_is_a_message_and_nothing_is_saved(app, db, editors, changes, field, message):
    a, _b = editors
    before = db.session.scalar(sa.select(sa.func.count(Story.id)))
    token = csrf_token(a, "/editorial/stories/new")
    data = {"csrf_token": token, "title": TITLE, "county": "411324", "industry": "crafts", "venture_id": "",
            "body": "老陈在深圳干了八年，2019年回到镇平县石佛寺镇，开起了玉雕工作室。", **changes}  # fmt: skip
    response = a.post("/editorial/stories/new", data=data)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Story.id))) == before


def test_consent_needs_a_date_not_in_the_future_and_a_real_scan(app, db, editors):
    a, _b = editors
    story_id = write_story(a)
    future = record_consent(a, story_id, consented_on="2199-01-01")
    assert future.status_code == 400 and "不能晚于今天" in text(future)
    odd = record_consent(a, story_id, consented_on="2021-02-30")
    assert odd.status_code == 400 and "2021年2月没有30日，请核对。" in text(odd)  # written right, no such day
    worded = record_consent(a, story_id, consented_on="去年五月")
    assert worded.status_code == 400 and "请按 年-月-日 填写日期" in text(worded)
    exe = record_consent(a, story_id, scan=(io.BytesIO(b"MZ\x90\x00"), "consent.pdf"))
    assert exe.status_code == 400 and "PDF、JPEG 或 PNG" in text(exe)
    assert db.session.get(Story, story_id).consents == []


def test_who_sees_what(app, db, editors, people):
    a, _b = editors
    story_id = write_story(a)
    for phone in ("13411110001", "13411110002"):  # an applicant, staff
        client = client_for(app, phone)
        assert client.get(f"/stories/{story_id}").status_code == 404
        assert client.get(f"/editorial/stories/{story_id}").status_code == 404
        assert client.get("/editorial/stories/new").status_code == 404
    assert a.get(f"/stories/{story_id}").status_code == 200  # editors preview drafts
    en = client_for(app, EDITOR_A, lang="en")
    assert "Success stories" in text(en.get("/stories/"))


def test_demo_command_adds_published_sample_stories_once(app, db):
    from portal.stories.demo import make_demo

    with app.test_request_context():
        assert make_demo() == 3
        db.session.commit()
        assert make_demo() == 0
    home = text(app.test_client().get("/"))
    assert "示例：西峡香菇姐妹把小作坊做成了加工厂" in home and "示例数据" in home


def test_a_published_story_is_found_by_search_and_leaves_it_when_consent_is_withdrawn(
    app, db, editors, tmp_path, monkeypatch
):
    import time

    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))  # this test's own search index
    a, b = editors
    anonymous = app.test_client()

    def found() -> list[dict]:
        time.sleep(0.6)  # a server applies new index events at most every half second
        data = anonymous.get("/api/v1/search", query_string={"q": "石佛寺 玉雕工作室"}).get_json()
        return [item for item in data["items"] if item["type"] == "story"]

    story_id = write_story(a)
    record_consent(a, story_id)
    move(a, story_id, "submit")
    assert found() == []  # submitted is not public
    move(b, story_id, "publish")
    hits = found()
    assert [h["url"] for h in hits] == [f"/stories/{story_id}"] and hits[0]["title"] == TITLE
    page = text(anonymous.get("/search", query_string={"q": "石佛寺 玉雕工作室"}))
    assert "返乡创业故事" in page and f'href="/stories/{story_id}"' in page and "<script>alert" not in page
    consent_id = db.session.get(Story, story_id).consents[0].id
    token = csrf_token(b, f"/editorial/stories/{story_id}")
    url = f"/editorial/stories/{story_id}/consent/{consent_id}/withdraw"
    assert b.post(url, data={"csrf_token": token, "withdrawal_note": "本人要求撤下。"}).status_code == 302
    assert found() == []

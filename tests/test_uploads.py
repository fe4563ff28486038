"""Attachments: bytes stored with their row (never orphaned, readable from every app server), `flask files check`,
per-applicant quotas, expired drafts, the rate limit on /apply, and forms that keep what was typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.applications.models import Application, Attachment, StoredBlob
from tests.helpers import JPEG, PDF, PNG, csrf_token, form_key, login, make_user, text, upload
from tests.test_applications import _fresh_limits, loan, start, training  # noqa: F401  (an autouse fixture)

MB = 1024 * 1024


@pytest.fixture
def applicant(db, client):
    user = make_user(db, phone="13611110001", name="王返乡")
    login(client, "13611110001", "good-pass-2026")
    return user


def _new(client, app_type: str = "training") -> tuple[str, str]:
    """The form for a new application (not the saved draft the page would otherwise reopen)."""
    return csrf_token(client, f"/apply/{app_type}?new=1"), form_key(client, f"/apply/{app_type}?new=1")


def _post(client, url: str, data: dict):
    """A multipart POST built in memory (the test client's own spools big bodies to a file it never closes)."""
    values = MultiDict()
    for name, value in data.items():
        values[name] = FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _draft(client, db, key_token=None, **extra):
    token, key = key_token or _new(client)
    response = _post(client, "/apply/training", training(token, key, action="save", **extra))
    return response, db.session.scalar(sa.select(Application).where(Application.form_key == key))


def _blobs(db) -> set[str]:
    return set(db.session.scalars(sa.select(StoredBlob.key)))


# ---------------------------------------------------------------- storage in the database


def test_a_failed_request_leaves_no_bytes_behind(app, client, db, applicant, monkeypatch):
    from portal.applications import operations

    def broken(*args, **kwargs):
        raise RuntimeError("the worker died mid-submit")

    monkeypatch.setattr(operations, "transition", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    token, key = start(client, "training")
    response = client.post(
        "/apply/training",
        data=training(token, key, business_plan=upload(PDF, "plan.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    assert db.session.scalar(sa.select(Application).where(Application.form_key == key)) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredBlob)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


@pytest.mark.committing
def test_a_file_uploaded_through_one_server_downloads_through_another(isolated_app, tmp_path):
    from portal.extensions import db
    from tests.conftest import make_test_app

    first = isolated_app
    with first.app_context():
        make_user(db, phone="13611112222")
        db.session.remove()
    client = first.test_client()
    login(client, "13611112222", "good-pass-2026")
    token, key = start(client, "training")
    response = client.post(
        "/apply/training",
        data=training(token, key, business_plan=upload(PNG, "plan.png")),
        content_type="multipart/form-data",
    )
    number = re.search(r"NY-\d{4}-PX-\d{6}", response.headers["Location"]).group(0)
    with first.app_context():
        attachment_id = db.session.scalar(sa.select(Attachment.id).where(Attachment.original_name == "plan.png"))
        db.session.remove()
    # A second app server: same database, its own data directory (nothing shared on disk).
    second = make_test_app(first.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other-server")
    other = second.test_client()
    login(other, "13611112222", "good-pass-2026")
    download = other.get(f"/my/applications/{number}/files/{attachment_id}")
    assert download.status_code == 200 and download.data == PNG
    with second.app_context():
        db.engine.dispose()


def test_a_chinese_file_name_downloads_with_a_meaningful_plain_name(client, db, applicant):
    token, key = start(client, "training")
    response = client.post(
        "/apply/training",
        data=training(token, key, business_plan=upload(PDF, "创业计划书.pdf")),
        content_type="multipart/form-data",
    )
    number = re.search(r"NY-\d{4}-PX-\d{6}", response.headers["Location"]).group(0)
    attachment_id = db.session.scalar(sa.select(Attachment.id).where(Attachment.original_name == "创业计划书.pdf"))
    header = client.get(f"/my/applications/{number}/files/{attachment_id}").headers["Content-Disposition"]
    assert f'filename="attachment-{attachment_id}.pdf"' in header
    assert "filename*=UTF-8''%E5%88%9B%E4%B8%9A%E8%AE%A1%E5%88%92%E4%B9%A6.pdf" in header


def test_files_check_reports_every_inconsistency(app, client, db, applicant, runner):
    _draft(client, db, business_plan=upload(PDF, "plan.pdf"), id_copy=upload(JPEG, "id.jpg"))
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 0 and "files ok" in result.output, result.output
    (plan, plan_size), (photo, photo_key) = (
        db.session.execute(sa.select(Attachment.id, Attachment.size).order_by(Attachment.id)).all()[0],
        db.session.execute(sa.select(Attachment.id, Attachment.stored_name).order_by(Attachment.id)).all()[1],
    )
    db.session.add(StoredBlob(key="f" * 32 + ".pdf", data=PDF))
    db.session.execute(sa.delete(StoredBlob).where(StoredBlob.key == photo_key))
    db.session.execute(sa.update(Attachment).where(Attachment.id == plan).values(size=plan_size + 1))
    db.session.commit()
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code != 0
    assert f"attachment {photo} has no stored bytes" in result.output
    assert "f" * 32 + ".pdf: stored bytes without an attachment" in result.output
    assert f"attachment {plan}: size {plan_size + 1}" in result.output
    db.session.execute(sa.update(Attachment).where(Attachment.id == plan).values(size=len(PDF), sha256="0" * 64))
    db.session.commit()
    assert f"attachment {plan}: sha256 differs" in runner.invoke(args=["files", "check"]).output


# ---------------------------------------------------------------- quotas, expiry, rate limit


def test_draft_quota_keeps_what_was_typed(app, client, db, applicant, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICANT_MAX_DRAFTS", 2)
    for _ in range(2):
        assert _draft(client, db)[0].status_code == 302
    response, application = _draft(client, db, business="第三份草稿里写的生意")
    html = text(response)
    assert response.status_code == 400 and application is None
    assert "您已经有 2 份未提交的草稿" in html and "30 天没有改动的草稿会自动清除" in html
    assert "第三份草稿里写的生意" in html
    en = app.test_client()
    en.set_cookie("lang", "en")
    login(en, "13611110001", "good-pass-2026")
    response, _app = _draft(en, db)
    assert response.status_code == 400 and "You already have 2 unsubmitted drafts" in text(response)


def test_attachment_quotas_speak_at_the_field(app, client, db, applicant, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICANT_MAX_ATTACHMENTS", 1)
    response, application = _draft(client, db, business_plan=upload(PDF, "a.pdf"), id_copy=upload(PNG, "b.png"))
    html = text(response)
    assert response.status_code == 400
    assert "最多可以保存 1 份材料" in html and "玉雕直播带货" in html
    assert [a.original_name for a in application.attachments] == ["a.pdf"]
    monkeypatch.setitem(app.config, "APPLICANT_MAX_ATTACHMENTS", 60)
    monkeypatch.setitem(app.config, "APPLICANT_MAX_UPLOAD_MB", 1)
    response, _other = _draft(client, db, business="换了一个说法", id_copy=upload(PNG + b"0" * MB, "c.png"))
    html = text(response)
    assert response.status_code == 400 and "您的账号保存的材料合计不能超过 1 MB" in html and "换了一个说法" in html


def test_expired_drafts_are_purged_with_their_bytes(app, client, db, applicant, runner):
    _response, old = _draft(client, db, business_plan=upload(PDF, "old.pdf"))
    old_id, old_blob, old_updated = old.id, old.attachments[0].stored_name, old.updated_at
    _response, fresh = _draft(client, db, business_plan=upload(PDF, "fresh.pdf"))
    fresh_id = fresh.id
    submitted_token, submitted_key = start(client, "training")
    client.post("/apply/training", data=training(submitted_token, submitted_key))
    db.session.execute(
        sa.update(Application).where(Application.id == old_id).values(updated_at=old_updated - timedelta(days=31))
    )
    db.session.commit()
    result = runner.invoke(args=["applications", "purge-drafts"])
    assert result.exit_code == 0 and "deleted 1 drafts unchanged for 30 days" in result.output
    db.session.expire_all()
    assert db.session.get(Application, old_id) is None and old_blob not in _blobs(db)
    assert db.session.get(Application, fresh_id) is not None
    assert db.session.scalar(sa.select(Application).where(Application.form_key == submitted_key)).tracking_no
    assert runner.invoke(args=["files", "check"]).exit_code == 0


def test_apply_posts_are_rate_limited(app, client, db, applicant, monkeypatch):
    monkeypatch.setitem(app.config, "APPLY_RATE_LIMIT", "3/minute")
    token, key = start(client, "training")
    codes = [client.post("/apply/training", data=training(token, key, action="save")).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert client.get("/apply/training").status_code == 200, "reading the form is not limited"


# ---------------------------------------------------------------- issue 12.2: typing is never lost


def test_deleting_a_file_keeps_what_was_typed_since_the_last_save(client, db, applicant):
    token, key = start(client, "training")
    _response, application = _draft(client, db, (token, key), business_plan=upload(PDF, "plan.pdf"))
    attachment = application.attachments[0]
    form = text(client.get("/apply/training"))
    assert f'name="remove" value="{attachment.id}"' in form, "删除 is a button of the form itself"
    response = client.post(
        "/apply/training",
        data=training(token, key, action="save", remove=str(attachment.id), business="删除前刚打的字"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "删除前刚打的字" in page and "已删除这份材料" in page
    assert "plan.pdf" not in page
    assert attachment.stored_name not in _blobs(db)


def test_a_phone_photo_of_8_mb_is_accepted(client, db, applicant):
    response, application = _draft(client, db, id_copy=upload(JPEG + b"\x00" * (8 * MB), "IMG_2041.jpg"))
    assert response.status_code == 302
    assert [a.original_name for a in application.attachments] == ["IMG_2041.jpg"]


def test_an_oversize_upload_comes_back_to_the_form_with_every_answer(client, db, applicant):
    big = JPEG + b"\x00" * (9 * MB)
    response, _application = _draft(
        client,
        db,
        business="这些字不能丢",
        business_plan=upload(big, "1.jpg"),
        id_copy=upload(big, "2.jpg"),
        licence=upload(big, "3.jpg"),
    )
    # 27 MB fit the per-application limit; a fourth file would not: the form says so at the field.
    assert response.status_code == 302
    token, key = start(client, "loan")
    response = _post(
        client,
        "/apply/loan",
        loan(
            token,
            key,
            action="save",
            purpose="买一台雕刻机",
            business_plan=upload(big, "1.jpg"),
            id_copy=upload(big, "2.jpg"),
            licence=upload(big, "3.jpg"),
            collateral_proof=upload(big, "4.jpg"),
        ),
    )
    html = text(response)
    assert response.status_code == 400, html[:500]
    assert "这份申请的材料合计不能超过 30 MB" in html and "买一台雕刻机" in html
    too_big = JPEG + b"\x00" * (11 * MB)
    response = _post(
        client, "/apply/loan", loan(token, key, action="save", purpose="又改了用途", id_copy=upload(too_big, "big.jpg"))
    )
    html = text(response)
    assert response.status_code == 400 and "文件超过 10 MB" in html and "又改了用途" in html

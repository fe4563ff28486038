"""40 simultaneous wrong passwords for one number: the per-account limit holds within one request.

Real threads against the app, on a database of its own (the requests commit for real), with the limiter's
storage in memory and in Redis (the production setting; skipped with a reason when Redis does not answer)."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest

from portal.accounts.throttle import FREE_FAILURES
from tests.limits import limit_storage  # noqa: F401  (fixture: memory and Redis)

BURST = 40


@pytest.mark.committing
@pytest.mark.slow
@pytest.mark.usefixtures("limit_storage")
def test_forty_simultaneous_wrong_passwords_get_at_most_one_past_the_limit(isolated_app):
    from portal.accounts import services
    from portal.extensions import db

    phone = "13912349001"
    with isolated_app.app_context():
        if services.find_by_phone(phone) is None:
            services.create_user("applicant", phone, "并发测试", "good-pass-2026")
            db.session.commit()

    clients, tokens = [], []
    for _ in range(BURST):
        client = isolated_app.test_client()
        html = client.get("/account/login").get_data(as_text=True)
        clients.append(client)
        tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1))

    start = threading.Barrier(BURST)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        start.wait()
        response = clients[i].post(
            "/account/login",
            data={"csrf_token": tokens[i], "phone": phone, "password": f"wrong-{i}-password"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"},  # 40 addresses: only the per-account limit counts
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    counts = Counter(statuses)
    assert len(statuses) == BURST and set(counts) <= {400, 429}, counts
    checked = counts[400]  # a password was really checked (and was wrong)
    assert FREE_FAILURES <= checked <= FREE_FAILURES + 1, counts
    assert counts[429] == BURST - checked

    # And the owner is only paused, not locked: the next attempt is refused with a wait, not for good.
    client = isolated_app.test_client()
    html = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/account/login", data={"csrf_token": token, "phone": phone, "password": "good-pass-2026"})
    assert response.status_code == 429 and "秒钟后再试" in response.get_data(as_text=True)

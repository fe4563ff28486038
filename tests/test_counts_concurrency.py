"""Counters under concurrent work (issue 19): six threads make random moves on the same unit's items at once —
claim, release, assign, accept, ask for material, approve, reject, transfer — each in its own committed transaction
(losers roll back), while a seventh folds the counters' shard rows and drops zero cells (`flask counts compact`)
again and again; afterwards every counter equals the count from the rows (`flask counts check` finds nothing).
Runs on SQLite and on PostgreSQL (make test runs the suite on both)."""

from __future__ import annotations

import random
import threading

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.accounts.models import User
from portal.core import tally
from portal.errors import PortalError
from portal.queues import operations
from portal.queues.models import QueueItem
from tests.helpers import id_number, make_user, submit_application

STAFF = ["13411129002", "13411129003", "13411129004"]
WORKERS, MOVES, APPLICATIONS = 6, 25, 10


def _move(rng: random.Random, staff: User, item_id: int, colleagues: list[int]) -> None:
    action = rng.choice(["claim", "claim", "release", "assign", "accept", "material", "approve", "reject", "transfer"])
    if action == "claim":
        operations.claim(staff, item_id)
    elif action == "release":
        operations.release(staff, item_id)
    elif action == "assign":
        operations.assign(staff, item_id, rng.choice(colleagues))
    elif action == "accept":
        operations.accept(staff, item_id)
    elif action == "material":
        operations.request_material(staff, item_id, MultiDict({"missing": "补充材料", "second_reason": "再补一次"}))
    elif action == "approve":
        operations.approve(staff, item_id)
    elif action == "reject":
        operations.reject(staff, item_id, "不在扶持范围内")
    else:
        operations.transfer(staff, item_id, "411323-hrss", "转到西峡县办理")


@pytest.mark.committing
def test_random_concurrent_moves_leave_every_counter_equal_to_the_rows(isolated_app):
    from portal.db import writing
    from portal.extensions import db

    app = isolated_app
    with app.test_request_context():
        applicant = make_user(db, phone="13411129001", name="并发计数")
        for n, phone in enumerate(STAFF):
            make_user(db, role="staff", phone=phone, name=f"计数{n}", unit_code="411324-hrss", unit_lead=n == 0)
        ids = []
        for n in range(APPLICATIONS):
            person = db.session.get(User, applicant.id)
            kind = ("training", "loan", "mentoring")[n % 3]
            ids.append(submit_application(app, db, person, kind, id_number=id_number(seq=f"{500 + n:03d}")))
        items = list(db.session.scalars(sa.select(QueueItem.id).where(QueueItem.application_id.in_(ids))))
        colleagues = list(db.session.scalars(sa.select(User.id).where(User.role == "staff")))
        db.session.remove()
    errors: list[str] = []
    barrier = threading.Barrier(WORKERS)

    def worker(k: int) -> None:
        rng = random.Random(k)
        with app.test_request_context(), writing():
            barrier.wait(timeout=60)
            for _ in range(MOVES):
                try:
                    staff = db.session.scalar(sa.select(User).where(User.phone == rng.choice(STAFF)))
                    _move(rng, staff, rng.choice(items), colleagues)
                    db.session.commit()
                except PortalError:
                    db.session.rollback()
                except sa.exc.OperationalError:  # SQLite: the other writer held the lock past the timeout
                    db.session.rollback()
                except Exception as exc:  # reported by the assertion below
                    db.session.rollback()
                    errors.append(repr(exc))
                finally:
                    db.session.remove()

    moving = threading.Event()
    folded: list[int] = []

    def compactor() -> None:  # never waits for a row a mover holds (SKIP LOCKED), so it cannot deadlock with them
        with app.test_request_context(), writing():
            while moving.is_set() or not folded:
                try:
                    folded.append(sum(tally.compact(m)[0] for m in tally.SOURCES))
                    db.session.commit()
                except sa.exc.OperationalError:  # SQLite: a mover held the lock past the timeout
                    db.session.rollback()
                except Exception as exc:  # reported by the assertion below
                    db.session.rollback()
                    errors.append(repr(exc))
                    return
                finally:
                    db.session.remove()

    moving.set()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(WORKERS)]
    folding = threading.Thread(target=compactor)
    for thread in [*threads, folding]:
        thread.start()
    for thread in threads:
        thread.join()
    moving.clear()
    folding.join()
    assert errors == []
    assert folded and sum(folded) > 0  # it ran, and found shard rows to fold while the moves went on
    with app.app_context():
        moved = db.session.scalar(sa.select(sa.func.count()).where(QueueItem.claimed_by_id.is_not(None)))
        differences = {m: tally.differences(m) for m in tally.SOURCES}
        assert {m: d for m, d in differences.items() if d} == {}
        assert moved or db.session.scalar(sa.select(sa.func.count()).where(QueueItem.status != "open"))
        db.session.remove()

"""Rate-limit tests run twice: against in-memory storage, and against Redis (the production setting) when it
answers on 127.0.0.1:6379. Use the `limit_storage` fixture (import it into the test module)."""

from __future__ import annotations

import socket
import uuid

import pytest
from limits.storage import storage_from_string

from portal.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
def limit_storage(request):
    """The limiter's storage for this test: memory, or Redis under a key prefix of its own (so that other
    test runs sharing the Redis server are not disturbed, and are not disturbing)."""
    if request.param == "memory":
        limiter.reset()
        yield "memory"
        limiter.reset()
        return
    if not redis_answers():
        pytest.skip("Redis is not answering on 127.0.0.1:6379: the Redis run of this rate-limit test is skipped")
    storage = storage_from_string(REDIS_URL, key_prefix=f"portal-test-{uuid.uuid4().hex}")
    saved = limiter._storage, limiter._limiter
    # Flask-Limiter keeps one storage per Limiter (our limiter is shared by every app of the test run): swap it
    # for this test, as RATELIMIT_STORAGE_URI=redis://… does in production.
    limiter._storage, limiter._limiter = storage, type(saved[1])(storage)
    try:
        yield "redis"
    finally:
        storage.reset()
        limiter._storage, limiter._limiter = saved

"""Schemathesis in-process (issue 18.5): every operation of the live OpenAPI document (`/api/v1/openapi.json`, served by
`portal/api/openapi.py`) is called through the WSGI app with a few generated examples each: no 5xx, and every answer
conforms to the document (status code, content type, headers, body schema). Bounded (a few examples per operation)
so it stays a fast test; `tests/test_api_schema.py` (slow) runs every check and phase over HTTP.

The schema is loaded inside the test (`schemathesis.openapi.from_wsgi`) and each operation's Hypothesis strategy is
drawn here: Schemathesis's pytest plugin (`from_fixture`) does not run under this pytest version."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.extensions import limiter

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]  # fmt: skip
EXAMPLES_PER_OPERATION = 3


def test_every_api_operation_keeps_its_openapi_document(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)
    limiter.reset()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5, "the document lists the API's operations"
    called = []

    def checker(operation):
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(data=st.data())
        def check(data):
            case = data.draw(operation.as_strategy())
            case.call_and_validate(checks=CHECKS)
            called.append(operation.label)

        return check

    for operation in operations:
        checker(operation)()
    assert {op.label for op in operations} <= set(called)

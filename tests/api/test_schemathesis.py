"""schemathesis over the whole OpenAPI: generated requests, as an admin and with no
token, never get a 500 (a 5xx other than 503 "busy" would be a bug).

The cases come from schemathesis' own strategies for each operation of the served
schema, run by Hypothesis here (its pytest plugin does not load under this pytest).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api

EXAMPLES = 12
# Each request to these runs a whole job over the demo world (or argon2): they were
# the test's slowest operations by far. A few examples still reach their validation.
FEWER = {("POST", "/v1/groups/runs"): 3, ("POST", "/v1/persons/resolution"): 3,
         ("POST", "/v1/login"): 4}  # fmt: skip
# schemathesis' read timeout (10 s by default) is a wall-clock deadline: those jobs
# pass it on a loaded machine. A request that hangs for good still fails the test.
TIMEOUT_S = 300

# The records push takes NDJSON, which schemathesis cannot serialise by itself: lines
# of JSON objects with call-like and arbitrary fields, or arbitrary bytes.
_LINE = st.dictionaries(
    st.sampled_from(["caller", "callee", "start", "duration_s", "text", "x"]),
    st.one_of(st.text(max_size=30), st.integers(), st.none()),
    max_size=5,
)
schemathesis.openapi.media_type(
    "application/x-ndjson",
    st.one_of(
        st.lists(_LINE, max_size=5).map(
            lambda lines: "\n".join(json.dumps(line) for line in lines).encode()
        ),
        st.binary(max_size=200),
    ),
)


def _operations(api: Api) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
def test_no_server_errors_anywhere_in_the_openapi(api: Api) -> None:
    operations = _operations(api)
    assert len(operations) >= 50
    failures: list[str] = []
    for operation in operations:
        if operation.path == "/v1/logout":
            continue  # it would end the admin's session for the other operations

        examples = FEWER.get((operation.method.upper(), operation.path), EXAMPLES)

        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            for headers in (api.as_("admin"), {}):
                response = case.call(headers=headers, timeout=TIMEOUT_S)
                if response.status_code >= 500 and response.status_code != 503:
                    failures.append(f"{case.method} {case.formatted_path}: "
                                    f"{response.status_code} {response.text[:200]}")  # fmt: skip

        run()
    assert failures == []

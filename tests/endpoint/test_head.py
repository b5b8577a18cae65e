"""HEAD is answered wherever GET is (endpoint/head.py): the same status and headers, no body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.endpoint.test_resources import REPORT_001

PAGES = ["/", "/agencies", "/agencies.csv", "/coverage", "/figures", "/query", "/.well-known/void", "/def"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_answers_head_as_its_get_without_the_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200, path
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_document_and_a_redirect_answer_head(client: TestClient) -> None:
    doc = f"/doc/{REPORT_001}"
    head = client.head(doc, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/turtle")
    redirect = client.head(f"/id/{REPORT_001}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].endswith(doc)


def test_head_of_nothing_is_404_and_other_methods_still_405(client: TestClient) -> None:
    assert client.head("/no/such/page").status_code == 404
    refused = client.put("/agencies")
    assert refused.status_code == 405 and "GET" in refused.headers["allow"]

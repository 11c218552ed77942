"""Signing in to the web app's test client."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.webapp import sign_in


def signed_in(app, user: str) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, user).status_code == 303
    return client

"""Helpers of the API tests (no tests here): a client that speaks as one user's token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from cordtrack.server.accounts.models import User
from cordtrack.server.services import api_tokens


class ApiClient:
    """Django's test client with ``Authorization: Bearer`` of ``user`` and JSON bodies."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, secret = api_tokens.create_token(user)
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any, *, key: str | None = None) -> Any:
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json",
            headers=self.headers,
        )  # fmt: skip

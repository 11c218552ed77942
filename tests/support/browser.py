"""What the browser tests share: signing in through the page, as staff do."""

from __future__ import annotations

from tests.support.webapp import PASSWORD


def sign_in_at(page, user: str, path: str) -> None:
    """Open `path`, be sent to the sign-in page, sign in as `user` and land back on `path`."""
    page.goto(path)
    page.get_by_label("ユーザー名").fill(user)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(f"**{path}")

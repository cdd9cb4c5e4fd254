"""A clerk signs in and sees the home page; the sixth wrong password shows the lockout page."""

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_signs_in_and_sees_home(page, alice, password):
    login(page, "alice", password)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert "AAA01" in page.locator(".whoami").inner_text()
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")


def test_sixth_wrong_password_shows_the_lockout_page(page, alice):
    for attempt in range(1, 7):
        login(page, "alice", f"wrong-{attempt}")
        if attempt < 5:
            assert "Please enter a correct username and password" in page.content()
    assert "Too many sign-in attempts" in page.locator("h1").inner_text()

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/reports/", "/api/v1/docs/"])
def test_anonymous_user_is_redirected_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_sign_in_page_renders_for_anonymous_user(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to Accord" in response.content


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_starts_no_session(client):
    get_user_model().objects.create_user("officer", password="right-horse-battery")
    response = client.post(
        "/accounts/login/", {"username": "officer", "password": "wrong-horse-battery"}
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_right_password_signs_in_and_shows_the_user(client):
    get_user_model().objects.create_user("officer", password="right-horse-battery")
    response = client.post(
        "/accounts/login/",
        {"username": "officer", "password": "right-horse-battery"},
        follow=True,
    )
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
    assert b'data-testid="signed-in-user">officer<' in response.content


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = get_user_model().objects.create_user("analyst", password="right-horse-battery")
    assert user.password.startswith("argon2$")


@pytest.mark.django_db
def test_error_pages_use_the_site_layout(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-header" in response.content
    assert b"Skip to main content" in response.content

import pytest


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client, settings, broker_url):
    settings.CELERY_BROKER_URL = broker_url
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "redis://" not in response.content.decode()  # no connection details leak


@pytest.mark.django_db
def test_healthz_needs_no_login(client, settings, broker_url):
    settings.CELERY_BROKER_URL = broker_url
    assert client.get("/healthz").status_code == 200

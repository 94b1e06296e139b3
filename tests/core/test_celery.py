import pytest
from celery import Celery

pytestmark = pytest.mark.broker


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_runs_a_task_and_its_result_is_seen(celery_worker_process):
    client = Celery(broker=celery_worker_process.broker, backend=celery_worker_process.broker)
    result = client.send_task("core.tasks.ping", queue=celery_worker_process.queue)
    assert result.get(timeout=60) == "pong"

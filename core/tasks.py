from celery import shared_task


@shared_task
def ping() -> str:
    """Answers "pong": lets operators and tests see a worker round trip."""
    return "pong"

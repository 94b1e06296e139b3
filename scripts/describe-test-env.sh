#!/usr/bin/env bash
# Prints, as the first line of `make test`, which database server and broker the tests use.
if [ -n "${DATABASE_URL:-}" ]; then
  db="PostgreSQL at ${DATABASE_URL##*@} (DATABASE_URL)"
else
  db="an embedded PostgreSQL 18 under var/postgres (DATABASE_URL unset)"
fi
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  broker="${CELERY_BROKER_URL%%://*} at ${CELERY_BROKER_URL##*@} (CELERY_BROKER_URL)"
elif (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  broker="Redis at 127.0.0.1:6379 (answering; CELERY_BROKER_URL unset)"
else
  broker="none: broker tests will be skipped (no CELERY_BROKER_URL, nothing on 127.0.0.1:6379)"
fi
echo "Tests use: database ${db}; broker ${broker}"

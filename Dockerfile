FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY static/scss static/scss
RUN node scripts/build-assets.mjs

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Production dependencies only: requirements.lock has no test, lint or browser tooling
# (those are in requirements-dev.lock, for development).
COPY requirements.lock .
RUN pip install --no-cache-dir uv \
    && uv venv /opt/venv \
    && uv pip sync --no-cache --python /opt/venv/bin/python requirements.lock \
    && pip uninstall --yes uv
COPY . .
COPY --from=assets /src/static/vendor static/vendor
# Importing the settings starts and connects to nothing, so no database is needed here.
RUN SECRET_KEY=build DJANGO_SETTINGS_MODULE=config.settings.base \
    python manage.py collectstatic --noinput
RUN useradd --system accord && mkdir -p var && chown accord var
USER accord
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

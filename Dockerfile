FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY static/scss static/scss
RUN node scripts/build-assets.mjs

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir uv && uv pip install --system --no-cache -r requirements.lock
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
RUN useradd --system accord && mkdir -p var && chown accord var
USER accord
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

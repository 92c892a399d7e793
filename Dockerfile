# GridGov web image: Debian's Python (its sqlite3 loads SpatiaLite), GDAL/GEOS/PROJ from
# Debian, pinned Python dependencies, static files collected at build time.
#   docker compose up            PostGIS + migrate/demo + gunicorn on http://localhost:8000/
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates gdal-bin libsqlite3-mod-spatialite gettext python3 python3-venv npm \
    && rm -rf /var/lib/apt/lists/*

# The venv comes from Debian's /usr/bin/python3 (SpatiaLite needs its loadable extensions).
RUN /usr/bin/python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project itself is not
# installed: its pinned runtime requirements are read from pyproject.toml.
COPY pyproject.toml requirements.lock ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install --upgrade pip \
    && pip install -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Leaflet plugins (marker clustering) from the npm registry, pinned by package-lock.json.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

COPY . .

ENV GRIDGOV_STATIC_ROOT=/app/staticfiles
RUN GRIDGOV_SECRET_KEY=build-only python manage.py compilemessages --verbosity 0 \
    && GRIDGOV_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0

# /data holds the generated secret key and, when DATABASE_URL is unset, the SpatiaLite
# database (var/ points there).
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin gridgov \
    && mkdir -p /data \
    && chown gridgov:gridgov /data \
    && rm -rf /app/var \
    && ln -s /data /app/var \
    && chmod 755 /app/docker/entrypoint.sh
VOLUME ["/data"]
USER gridgov

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "gridgov.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

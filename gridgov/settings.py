"""GridGov settings: one module, every knob from the environment (12-factor).

Unset DATABASE_URL means SpatiaLite in var/gridgov.sqlite3, so the product runs with no
server at all. ``DATABASE_URL=postgis://user:pass@host:5432/name`` selects PostGIS.
"""

import datetime as dt
import importlib.util
import warnings
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("GRIDGOV_DEBUG", default=False)
# The key comes from GRIDGOV_SECRET_KEY, or from the file GRIDGOV_SECRET_KEY_FILE names (the
# container generates one on first start), or else from var/secret_key, generated once by the
# first command that needs it (gridgov/ops/secret_key.py): `make run` and manage.py work in a
# new shell with nothing set. Production sets its own.
SECRET_KEY = env("GRIDGOV_SECRET_KEY", default="")
if not SECRET_KEY:
    from gridgov.ops.secret_key import read_or_create

    _key_file = env("GRIDGOV_SECRET_KEY_FILE", default="")
    if _key_file and not Path(_key_file).exists():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"GRIDGOV_SECRET_KEY_FILE names {_key_file}, which does not exist"
        )
    SECRET_KEY = read_or_create(Path(_key_file) if _key_file else BASE_DIR / "var" / "secret_key")
ALLOWED_HOSTS = env.list("GRIDGOV_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("GRIDGOV_CSRF_TRUSTED_ORIGINS", default=[])

# --- transport security ---------------------------------------------------------------------
# Production is served over HTTPS (GRIDGOV_HTTPS, on unless GRIDGOV_DEBUG): secure cookies,
# redirect to https, HSTS. A TLS-terminating proxy must send X-Forwarded-Proto
# (GRIDGOV_BEHIND_PROXY=1). GRIDGOV_HTTPS=0 is for plain-HTTP trials only; `check --deploy`
# then warns, on purpose.
GRIDGOV_HTTPS = env.bool("GRIDGOV_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GRIDGOV_HTTPS
SECURE_SSL_REDIRECT = GRIDGOV_HTTPS
SECURE_HSTS_SECONDS = env.int("GRIDGOV_HSTS_SECONDS", default=31_536_000) if GRIDGOV_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("GRIDGOV_HSTS_PRELOAD", default=False)
# Behind reverse proxies (GRIDGOV_BEHIND_PROXY=1): the scheme from X-Forwarded-Proto, and the
# client's address from X-Forwarded-For, the entry the outermost of GRIDGOV_PROXY_COUNT
# proxies appended (gridgov/ratelimits/limits.py client_ip; never the client-typed left end).
GRIDGOV_BEHIND_PROXY = env.bool("GRIDGOV_BEHIND_PROXY", default=False)
GRIDGOV_PROXY_COUNT = env.int("GRIDGOV_PROXY_COUNT", default=1)
if GRIDGOV_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("GRIDGOV_SESSION_SECONDS", default=8 * 3600)  # a working day
SECURE_REFERRER_POLICY = "same-origin"
# A stale or cookie-less form answers a page in the site's chrome (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "gridgov.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",
    "gridgov.ratelimits",
    "gridgov.messaging",
    "gridgov.grids",
    "gridgov.people",
    "gridgov.reporting",
    "gridgov.accounts",
    "gridgov.cases",
    "gridgov.patrols",
    "gridgov.demo",
    "gridgov.planning",
    "gridgov.service",
    "gridgov.posts",
    "gridgov.points",
    "gridgov.notices",
    "gridgov.ops",
    "gridgov.photos",
    "gridgov.reports",
    "gridgov.privacy",
    "gridgov.api",
    "gridgov.home",
    "maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp): scripts from this site or carrying the
    # request's nonce only; see the policy below.
    "csp.middleware.CSPMiddleware",
    # Last: counts failed logins and locks out password guessing (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.notices.context.unread_notices",
                "gridgov.accounts.context.access",
                "gridgov.accounts.navigation.navigation",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
# SpatiaLite needs a Python whose sqlite3 can load extensions (scripts/setup.sh picks one).
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"spatialite:///{BASE_DIR / 'var' / 'gridgov.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.spatialite":
    # The embedded default lives in var/ (not in git): make sure the folder exists.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Wait for the write lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction begins: a read-then-write transaction (a case
    # number, a claim) then waits for the lock instead of failing with "database is locked"
    # when another writer got there between its read and its write.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Write-ahead log: readers never wait for a writer nor block its commit, so pages keep
    # answering while a request writes (the rollback journal let readers starve writers into
    # "database is locked" under load). synchronous=NORMAL is durable across a killed process;
    # only a power cut may lose the last commits. The mode stays with the file.
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )
SPATIALITE_LIBRARY_PATH = env("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")
# Persistent database connections (seconds; 0 = one per request). Opening one costs a
# PostgreSQL backend and PostGIS's library load, or on SQLite loading mod_spatialite: tens of
# milliseconds a request. Health checks drop a connection the server has closed (a restart)
# before a request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("GRIDGOV_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("GRIDGOV_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username/address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after GRIDGOV_LOGIN_FAILURES failed attempts for one username from one
# address, that pair is locked out for GRIDGOV_LOGIN_COOLOFF_MINUTES (a 429 page says so).
AXES_FAILURE_LIMIT = env.int("GRIDGOV_LOGIN_FAILURES", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("GRIDGOV_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The address is the project's one client address (behind a proxy: the one the trusted proxy
# saw), so a lockout holds one client, not everyone behind the proxy. Lockouts are rows in
# the database (axes' default AxesDatabaseHandler): every worker sees them.
AXES_CLIENT_IP_CALLABLE = "gridgov.ratelimits.limits.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # each role's own page (gridgov/accounts/navigation.py)
LOGOUT_REDIRECT_URL = "home"

# --- language -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("GRIDGOV_TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- static files: everything local, no CDN -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("GRIDGOV_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (make run, tests), WhiteNoise serves straight from the finders, and
# its warning about the not-yet-collected STATIC_ROOT is noise.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Leaflet ships inside django-leaflet's wheel; serve it under static/vendor/leaflet/.
    # Found without importing django-leaflet: importing it reads LEAFLET_CONFIG once, and here
    # (before LEAFLET_CONFIG below) it read none and kept its defaults, OpenStreetMap's tiles
    # and a world view, for every admin map widget.
    (
        "vendor/leaflet",
        Path(importlib.util.find_spec("leaflet").origin).resolve().parent / "static" / "leaflet",
    ),
    # Leaflet plugins from the npm registry (package-lock.json), installed by the set-up.
    ("vendor/markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("vendor/vectorgrid", BASE_DIR / "node_modules" / "leaflet.vectorgrid" / "dist"),
]

# Uploaded files (evidence photos, GPX tracks): never served as static files; views that
# check the viewer's scope hand them out.
MEDIA_ROOT = env.path("GRIDGOV_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# Upload limit for evidence photos and tracks (bytes).
GRIDGOV_MAX_UPLOAD_BYTES = env.int("GRIDGOV_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# Photos (gridgov/photos/pipeline.py): at most this many pixels, read from the header before
# anything is decoded; stored re-encoded, without metadata, the long edge at most MAX_EDGE.
GRIDGOV_PHOTO_MAX_PIXELS = env.int("GRIDGOV_PHOTO_MAX_PIXELS", default=50_000_000)
GRIDGOV_PHOTO_MAX_EDGE = env.int("GRIDGOV_PHOTO_MAX_EDGE", default=2048)
GRIDGOV_PHOTO_JPEG_QUALITY = env.int("GRIDGOV_PHOTO_JPEG_QUALITY", default=85)

# --- notifications --------------------------------------------------------------------------
# Email is sent only when a mail server is configured, e.g.
# GRIDGOV_EMAIL_URL=smtp://user:password@mail.intranet:25 (or smtp+tls://…:587).
if env("GRIDGOV_EMAIL_URL", default=""):
    globals().update(env.email_url("GRIDGOV_EMAIL_URL"))
    GRIDGOV_NOTICE_EMAIL = True
else:
    GRIDGOV_NOTICE_EMAIL = False
DEFAULT_FROM_EMAIL = env("GRIDGOV_EMAIL_FROM", default="gridgov@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address, for links in emails (e.g. https://gridgov.intranet).
GRIDGOV_SITE_URL = env("GRIDGOV_SITE_URL", default="")

# --- messages and timed work ----------------------------------------------------------------
# SMS and e-mail leave through one queue (gridgov/messaging, docs/MESSAGES.md). SMS goes
# where GRIDGOV_SMS_URL says: "none" (default: no SMS; features say so and show the
# community's phone), file:///absolute/folder (one file per message, for development and
# trials: `make run` writes var/outbox/; `check --deploy` warns with debug off), or an HTTP
# gateway https://TOKEN@sms.intranet/send (the token may come from GRIDGOV_SMS_TOKEN instead),
# each request waiting at most GRIDGOV_SMS_TIMEOUT seconds.
GRIDGOV_SMS_URL = env("GRIDGOV_SMS_URL", default="none")
GRIDGOV_SMS_TOKEN = env("GRIDGOV_SMS_TOKEN", default="")
GRIDGOV_SMS_TIMEOUT = env.float("GRIDGOV_SMS_TIMEOUT", default=10.0)
# The scheduler (`manage.py scheduler`: service-level alarms, reminders, sending and retrying
# messages) starts a pass every this many seconds.
GRIDGOV_SCHEDULER_TICK = env.float("GRIDGOV_SCHEDULER_TICK", default=10.0)

# --- service: activities, hours and points --------------------------------------------------
# On-site check-in: within this many metres of the activity's point.
GRIDGOV_CHECKIN_DISTANCE_M = env.float("GRIDGOV_CHECKIN_DISTANCE_M", default=200.0)
# Volunteer hours an in-service member should serve in a year (seed 000: 48).
GRIDGOV_YEARLY_HOURS_TARGET = env.float("GRIDGOV_YEARLY_HOURS_TARGET", default=48.0)
# Points earned per confirmed volunteer hour.
GRIDGOV_POINTS_PER_HOUR = env.int("GRIDGOV_POINTS_PER_HOUR", default=10)
# Star ratings: "stars:hours" pairs, cumulative confirmed hours needed for each star level.
GRIDGOV_STAR_THRESHOLDS = env.list(
    "GRIDGOV_STAR_THRESHOLDS", default=["1:20", "2:100", "3:300", "4:600", "5:1000"]
)

# Above this many features a map layer is loaded as tiles (/tiles/…) instead of inline.
GRIDGOV_TILE_THRESHOLD = env.int("GRIDGOV_TILE_THRESHOLD", default=2000)
# Patrol coverage on the dashboards: buildings within this many metres of a route walked in
# the last this many days.
GRIDGOV_PATROL_COVERAGE_M = env.float("GRIDGOV_PATROL_COVERAGE_M", default=50.0)
GRIDGOV_PATROL_COVERAGE_DAYS = env.int("GRIDGOV_PATROL_COVERAGE_DAYS", default=7)
# Dashboards and the street map are cached this long (seconds) and invalidated on change.
GRIDGOV_MAP_CACHE_SECONDS = env.int("GRIDGOV_MAP_CACHE_SECONDS", default=600)

# --- caches -------------------------------------------------------------------------------
# "default" (local memory, per process) holds the rendered dashboards and maps: a copy each
# worker may keep, invalidated on change. "ratelimit" holds the rate-limit counters and the
# API throttles, which must be shared by every worker process: the database cache (table
# gridgov_ratelimit, made by every `migrate`) unless GRIDGOV_RATELIMIT_CACHE_URL names
# another, e.g. redis://host:6379/1 (Django's own RedisCache; needs the redis package) or
# locmemcache:// (one process only).
_RATELIMIT_URL = env("GRIDGOV_RATELIMIT_CACHE_URL", default="dbcache://gridgov_ratelimit")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": env.cache_url_config(
        _RATELIMIT_URL,
        backend="django.core.cache.backends.redis.RedisCache"
        if _RATELIMIT_URL.startswith(("redis://", "rediss://"))
        else None,
    ),
}
if CACHES["ratelimit"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # An atomic, window-keeping incr, and a cull that deletes expired rows only, never a live
    # counter (gridgov/ratelimits/backends.py): MAX_ENTRIES is how many rows make a write
    # sweep out the expired ones, not a cap on live counters.
    CACHES["ratelimit"]["BACKEND"] = "gridgov.ratelimits.backends.DatabaseCounterCache"
    CACHES["ratelimit"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

# The public lookup limit, per client address: lookups per window (seconds), on the finder
# page and /api/v1/locate/ together (docs/FINDER.md).
GRIDGOV_FINDER_RATE_LIMIT = env.int("GRIDGOV_FINDER_RATE_LIMIT", default=30)
GRIDGOV_FINDER_RATE_WINDOW = env.int("GRIDGOV_FINDER_RATE_WINDOW", default=60)

# --- maps -----------------------------------------------------------------------------------
# Background tiles (docs/MAPS.md, geodata/tilesources.py): "none" (default: works on an intranet
# with no tile server), "osm", "tianditu" (Tianditu; needs GRIDGOV_TIANDITU_KEY), "gaode" (Amap,
# GCJ-02: overlays are shifted for display), or an XYZ URL template of an intranet tile server,
# e.g. http://tiles.intranet/{z}/{x}/{y}.png, with GRIDGOV_TILES_SUBDOMAINS for its {s} and
# GRIDGOV_TILES_CRS=gcj02 when it serves Gaode-style (GCJ-02) tiles.
GRIDGOV_TILES = env("GRIDGOV_TILES", default="none")
GRIDGOV_TILES_ATTRIBUTION = env("GRIDGOV_TILES_ATTRIBUTION", default="")
GRIDGOV_TIANDITU_KEY = env("GRIDGOV_TIANDITU_KEY", default="")
GRIDGOV_TILES_CRS = env("GRIDGOV_TILES_CRS", default="")
GRIDGOV_TILES_SUBDOMAINS = env("GRIDGOV_TILES_SUBDOMAINS", default="")


def _tile_config():
    from django.core.exceptions import ImproperlyConfigured

    from geodata.tilesources import TileConfigError, tile_config

    try:
        return tile_config(
            GRIDGOV_TILES,
            key=GRIDGOV_TIANDITU_KEY,
            crs=GRIDGOV_TILES_CRS,
            attribution=GRIDGOV_TILES_ATTRIBUTION,
            subdomains=GRIDGOV_TILES_SUBDOMAINS,
        )
    except TileConfigError as exc:
        raise ImproperlyConfigured(str(exc)) from None


_TILE_CONFIG = _tile_config()

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (
        env.float("GRIDGOV_MAP_CENTER_LAT", default=23.0),
        env.float("GRIDGOV_MAP_CENTER_LON", default=113.1),
    ),
    "DEFAULT_ZOOM": 14,
    "MAX_ZOOM": 20,
    # django-leaflet's widgets (admin): the same background, and nothing else (none: no tile
    # layer at all); Tianditu's labels as an overlay. The base map drawn from the grid and the
    # view (the object, or the user's grid) come from gridgov/grids/admin_map.py.
    "TILES": [
        ("", t["url"], {k: v for k, v in t.items() if k != "url" and v != ""})
        for t in _TILE_CONFIG.leaflet()[:1]
    ],
    "OVERLAYS": [
        ("labels", t["url"], {k: v for k, v in t.items() if k != "url" and v != ""})
        for t in _TILE_CONFIG.leaflet()[1:]
    ],
    "RESET_VIEW": False,
}

# --- Content-Security-Policy --------------------------------------------------------------
# Scripts: this site's files, and inline scripts only with the request's nonce (folium's
# generated map code gets it in the templates; no inline event handlers anywhere). Styles
# need 'unsafe-inline': folium and Leaflet write <style> blocks and style attributes.
# Images: this site, data: URIs (Leaflet) and every server of the configured background tiles
# (each subdomain by name: Tianditu's t0–t7, Gaode's webrd01–04).
_TILE_ORIGINS = _TILE_CONFIG.origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_TILE_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Overlaps / parts outside the parent smaller than this (m²) are floating-point noise of
# shared edges, not real topology errors.
GRIDGOV_TOPOLOGY_TOLERANCE_M2 = env.float("GRIDGOV_TOPOLOGY_TOLERANCE_M2", default=1.0)

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error is JSON naming the parameter at fault (gridgov/api/errors.py).
    "EXCEPTION_HANDLER": "gridgov.api.errors.exception_handler",
}
# OpenAPI 3 at /api/schema/, Swagger UI at /api/docs/ with assets served locally (sidecar).
SPECTACULAR_SETTINGS = {
    "TITLE": "GridGov API",
    "DESCRIPTION": "Grids, point lookup, exports, members, residents, cases and patrol "
    "routes; Open311 GeoReport v2 at /open311/v2/. See docs/API.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Keeps the Open311 paths (`requests.{format}`), which DRF's enumerator drops.
    "DEFAULT_GENERATOR_CLASS": "gridgov.api.schema.GridGovSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridgov.api.schema.no_nul_in_text",
    ],
}
# Point lookup keeps an in-process index of grids and building contacts; it re-reads their
# fingerprint at most this often (seconds) and rebuilds the index when they changed.
GRIDGOV_LOCATE_CHECK_SECONDS = env.float("GRIDGOV_LOCATE_CHECK_SECONDS", default=2.0)

# gis.W001: Debian 12 ships GDAL 3.6, which cannot block file and network access inside
# spatial reference definitions (GDAL >= 3.9 can). GridGov never hands GDAL a spatial
# reference typed by a user: CRSs are chosen from a fixed list of names (geodata.crs) and
# deployments run on intranets. Re-enable the check when the platform ships GDAL >= 3.9.
#
# security.W021 (HSTS preload): the preload list is for public internet names; government
# intranet hosts cannot be on it, and preloading cannot be undone quickly. A deployment on a
# public name turns it on with GRIDGOV_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = ["gis.W001"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("GRIDGOV_LOG_LEVEL", default="WARNING")},
}

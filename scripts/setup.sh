#!/usr/bin/env bash
# Set up GridGov on this machine: Debian packages, a Python that can load SpatiaLite, the
# virtualenv .venv with the pinned dependencies, compiled translations.
# Idempotent and quick when nothing changed.
#
#   scripts/setup.sh          everything, including what the tests need (PostgreSQL + PostGIS,
#                             chromium for the browser tests)
#   scripts/setup.sh run      only what running the app needs (also: SETUP_SKIP_TEST_PACKAGES=1)
#
# GRIDGOV_PYTHON=/path/to/python3 tries that interpreter first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

SKIP_TEST_PACKAGES="${SETUP_SKIP_TEST_PACKAGES:-0}"
case "${1:-}" in
    "") ;;
    run) SKIP_TEST_PACKAGES=1 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (expected nothing or 'run')" ;;
esac

# --- (a) Debian packages -------------------------------------------------------------------
# Names exist on Debian 12 and Ubuntu 24.04. gdal-bin pulls libgdal, GEOS and PROJ under
# whatever soname the release has; postgresql-postgis pulls the PostGIS extension built for
# the release's default PostgreSQL.
packages=(python3 python3-venv python3-dev gdal-bin libsqlite3-mod-spatialite proj-bin gettext make)
if [[ "$SKIP_TEST_PACKAGES" != 1 ]]; then
    packages+=(postgresql postgresql-postgis fonts-wqy-microhei curl)
    distro_id="$( . /etc/os-release 2>/dev/null && echo "${ID:-}")"
    if [[ "$distro_id" == ubuntu ]]; then
        packages+=(chromium-browser chromium-chromedriver)
    else
        packages+=(chromium chromium-driver)
    fi
fi

# npm installs the front-end plugins (package-lock.json); Debian's npm brings Node.js along.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [[ "$status" == *" installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    install_cmd=(apt-get install -y -q -o Dpkg::Use-Pty=0 "${missing[@]}")
    if [[ "$(id -u)" == 0 ]]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n apt-get update -q
        sudo -n env DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}"
    else
        printf 'setup: missing Debian packages. Install them with:\n\n' >&2
        printf '    sudo apt-get update && sudo apt-get install -y %s\n\n' "${missing[*]}" >&2
        printf 'then run this again.\n' >&2
        exit 1
    fi
else
    say "Debian packages present"
fi

# --- (b) a Python whose sqlite3 can load mod_spatialite ------------------------------------
SPATIALITE_CHECK='
import sqlite3, sys
assert sys.version_info >= (3, 11), "Python >= 3.11 needed"
c = sqlite3.connect(":memory:")
c.enable_load_extension(True)
c.load_extension("mod_spatialite")
c.execute("select spatialite_version()").fetchone()
'
can_spatialite() { "$1" -c "$SPATIALITE_CHECK" >/dev/null 2>&1; }

python=""
candidates=(${GRIDGOV_PYTHON:+"$GRIDGOV_PYTHON"} /usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12
    /usr/bin/python3.11 "$(command -v python3 || true)")
for c in "${candidates[@]}"; do
    [[ -n "$c" && -x "$c" ]] || continue
    if can_spatialite "$c"; then python="$c"; break; fi
done
[[ -n "$python" ]] || die "no python3 >= 3.11 here can load mod_spatialite into sqlite3
(tried: ${candidates[*]}). Debian's /usr/bin/python3 with libsqlite3-mod-spatialite can."

# --- (c) the virtualenv --------------------------------------------------------------------
VENV="$ROOT/.venv"
STAMP="$VENV/.gridgov-deps.stamp"
if [[ -x "$VENV/bin/python" ]] && can_spatialite "$VENV/bin/python" \
    && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "using .venv ($("$VENV/bin/python" -c 'import sys; print(sys.executable, sys.version.split()[0])'))"
else
    if [[ -e "$VENV" ]]; then
        say "rebuilding .venv: it is broken or its Python cannot load SpatiaLite"
        rm -rf "$VENV"
    fi
    say "creating .venv from $python"
    "$python" -m venv "$VENV"
fi

if [[ -f "$STAMP" && "$STAMP" -nt pyproject.toml && "$STAMP" -nt requirements.lock ]]; then
    say "Python dependencies up to date"
else
    say "installing Python dependencies (pinned, requirements.lock as constraints)"
    export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # The project itself is not installed: list its pinned requirements (with the test extra
    # and the dev extra, the linters `make lint` runs).
    "$VENV/bin/python" - > "$VENV/gridgov-requirements.txt" <<'EOF'
import tomllib
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)["project"]
extras = project.get("optional-dependencies", {})
for req in project["dependencies"] + extras.get("test", []) + extras.get("dev", []):
    print(req)
EOF
    "$VENV/bin/python" -m pip install -q -c requirements.lock -r "$VENV/gridgov-requirements.txt"
    touch "$STAMP"
fi

# --- (d) front-end plugins from the npm registry, pinned by package-lock.json ---------------
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing front-end plugins (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# --- (e) translations ----------------------------------------------------------------------
# Skips .mo files that are newer than their .po; does nothing when there is no .po yet.
say "compiling translations"
GRIDGOV_DEBUG=1 "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules \
    --verbosity 0
say "done"

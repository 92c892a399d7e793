#!/bin/sh
# Container entry point: make sure Django has a secret key, then run the command.
# Without GRIDGOV_SECRET_KEY or GRIDGOV_SECRET_KEY_FILE, a random key is generated once into
# /data/secret_key (a volume, so it survives restarts and is shared by the services).
set -eu

if [ -z "${GRIDGOV_SECRET_KEY:-}" ] && [ -z "${GRIDGOV_SECRET_KEY_FILE:-}" ]; then
    key_file=/data/secret_key
    if [ ! -s "$key_file" ]; then
        umask 077
        tmp="$(mktemp /data/.secret_key.XXXXXX)"
        python -c 'import secrets; print(secrets.token_urlsafe(50))' > "$tmp"
        # Another container may have written it meanwhile: keep the first one.
        if [ -s "$key_file" ]; then rm -f "$tmp"; else mv "$tmp" "$key_file"; fi
    fi
    export GRIDGOV_SECRET_KEY_FILE="$key_file"
fi

exec "$@"

"""Writers for API keys: issue, change, revoke, and the use log. Keys are hashed with a
per-key salt (SHA-256); the key itself exists only in the answer of ``api_key_issue``."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.api.models import PREFIX_LENGTH, ApiKey, ApiKeyUse

KEY_START = "gg_"
_HIDDEN = ("salt", "secret_hash")


def _hash(salt: str, key: str) -> str:
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def _public(key: ApiKey) -> dict:
    """The audit snapshot without salt and hash."""
    return {k: v for k, v in snapshot(key).items() if k not in _HIDDEN}


def split_key(raw: str) -> str | None:
    """The prefix of a well-formed key ``gg_<8 hex>_<rest>``, else None."""
    end = len(KEY_START) + PREFIX_LENGTH
    if len(raw) <= end + 1 or not raw.startswith(KEY_START) or raw[end] != "_":
        return None
    prefix = raw[len(KEY_START) : end]
    return prefix if all(c in "0123456789abcdef" for c in prefix) else None


def api_key_find(raw: str) -> tuple[ApiKey | None, str]:
    """The key a presented string belongs to (revoked or not), and the prefix presented.
    None when the string is no key of ours or its secret does not match."""
    prefix = split_key(raw)
    if prefix is None:
        return None, ""
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(key.salt, raw)):
        return None, prefix
    return key, prefix


@transaction.atomic
def api_key_issue(*, key: ApiKey, acting_user: Actor) -> str:
    """Save a new (unsaved) key with a fresh secret; return the whole key, shown once."""
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    key.prefix, key.salt = prefix, secrets.token_hex(16)
    key.secret_hash = _hash(key.salt, raw)
    key.created_by = account_of(acting_user)
    key.full_clean()
    key.save()
    audit_record(actor=acting_user, action="api_key.issued", obj=key, after=_public(key))
    return raw


@transaction.atomic
def api_key_change(*, key: ApiKey, acting_user: Actor) -> ApiKey:
    """Save edited scopes, name or rate of an existing key."""
    before = _public(ApiKey.objects.get(pk=key.pk))
    key.full_clean()
    key.save()
    audit_record(
        actor=acting_user, action="api_key.changed", obj=key, before=before, after=_public(key)
    )
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, acting_user: Actor) -> bool:
    """Revoke a key for good; False when it already was."""
    now = timezone.now()
    if not ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now):
        return False
    before = _public(key)
    key.revoked_at = now
    audit_record(
        actor=acting_user, action="api_key.revoked", obj=key, before=before, after=_public(key)
    )
    return True


def api_key_use_record(
    *,
    key: ApiKey | None,
    prefix: str,
    method: str,
    path: str,
    status_code: int,
    remote_addr: str | None,
) -> ApiKeyUse:
    """Log one request made with a key (one insert; plus last_used_at on a known key)."""
    now = timezone.now()
    try:
        remote_addr = str(ipaddress.ip_address(remote_addr or ""))
    except ValueError:
        remote_addr = None
    if key is not None:
        ApiKey.objects.filter(Q(pk=key.pk)).update(last_used_at=now)
    return ApiKeyUse.objects.create(
        key=key,
        prefix=prefix or (key.prefix if key else ""),
        method=method[:10],
        path=path[:300],
        status_code=status_code,
        remote_addr=remote_addr,
    )

"""The chat's two secrets (settings CONCERTO_CHANNELS_HASH_KEY and CONCERTO_CHANNELS_ENCRYPTION_KEY).

A platform's user id (a Messenger PSID) is personal data. It is looked up by its HMAC-SHA256 with the hash key,
so the table can be searched without holding ids in clear; because replying needs the raw id, it is also kept
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under the encryption key. Page tokens
are encrypted the same way and never shown again once saved.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    # Any string makes a key: its SHA-256, in Fernet's url-safe base64 form.
    raw = hashlib.sha256(settings.CONCERTO_CHANNELS_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""  # the key changed: the value is lost, not a crash


def lookup_hash(platform: str, user_id: str) -> str:
    return hmac.new(settings.CONCERTO_CHANNELS_HASH_KEY.encode(), f"{platform}:{user_id}".encode(),
                    hashlib.sha256).hexdigest()

"""Cache files the build can trust: JSON, signed with a key that never lives in the repository.

The build keeps what it has computed (pages, Cite boxes, search terms) under
`.cache/edition/`, so an unchanged source is not processed again. A pull request can add
any file to the repository, that folder included (`git add -f`), so a cache file is
untrusted input until proven otherwise:

* it is JSON, never pickle: reading it cannot run code;
* it starts with a signature line, an HMAC-SHA256 of its bytes and of what it is for,
  made with a random key kept outside the project, in the user's cache folder
  (`$XDG_CACHE_HOME/edition-build/cache-key`, by default `~/.cache/...`). A file this
  machine's builds did not write (committed, copied, edited, truncated) fails the check
  before it is parsed and is treated as missing: the build recomputes it. A fresh
  machine, such as a CI runner, therefore never reads a cache it did not write;
* what it holds is still checked for shape by whoever reads it.

Without a usable key (no writable home folder) the caches are simply not used.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path

MAGIC = b"edition-cache 1 "
KEY_BYTES = 32


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edition-build" / "cache-key"


_keys: dict[Path, bytes | None] = {}


def private_dir() -> Path | None:
    """This user's own folder beside the key (mode 700), or None if it cannot be made."""
    path = key_path().parent
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path if path.stat().st_uid == os.getuid() else None
    except (OSError, AttributeError):  # AttributeError: no getuid (not POSIX)
        return None


def secret() -> bytes | None:
    """This user's cache key, made on first use; None when it cannot be kept."""
    path = key_path()
    if path not in _keys:
        _keys[path] = _load_or_make_key(path)
    return _keys[path]


def _load_or_make_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
        if len(data) == KEY_BYTES:
            return data
        damaged = True       # replaced: the caches it signed are then simply rebuilt
    except FileNotFoundError:
        damaged = False
    except OSError:
        return None
    try:  # written beside, then linked into place: two builds starting at once agree on one key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.close(fd)
            if damaged:
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
        finally:
            Path(tmp).unlink(missing_ok=True)
        data = path.read_bytes()
        return data if len(data) == KEY_BYTES else None
    except OSError:
        return None


def _mac(key: bytes, purpose: str, body: bytes) -> str:
    return hmac.new(key, purpose.encode() + b"\0" + body, hashlib.sha256).hexdigest()


def dumps(purpose: str, data, key: bytes) -> bytes:
    """The signed file: one line `edition-cache 1 <mac>`, then the JSON.

    >>> k = b"k" * 32
    >>> blob = dumps("test", {"a": [1, "가"]}, k)
    >>> blob.splitlines()[1].decode()
    '{"a":[1,"가"]}'
    >>> loads("test", blob, k)
    ({'a': [1, '가']}, None)
    >>> loads("other", blob, k)[1]
    'its signature does not match (not written by a build on this machine)'
    >>> loads("test", blob.replace("가".encode(), "나".encode()), k)[1]
    'its signature does not match (not written by a build on this machine)'
    >>> loads("test", b"\\x80\\x04\\x95 a pickle", k)[1]
    'it is not a signed cache file of this version'
    """
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return MAGIC + _mac(key, purpose, body).encode() + b"\n" + body


def loads(purpose: str, blob: bytes, key: bytes):
    """(data, None) for a file this key signed for this purpose, else (None, why not).
    The signature is checked before the JSON is parsed."""
    head, nl, body = blob.partition(b"\n")
    if not nl or not head.startswith(MAGIC):
        return None, "it is not a signed cache file of this version"
    if not hmac.compare_digest(head[len(MAGIC):], _mac(key, purpose, body).encode()):
        return None, "its signature does not match (not written by a build on this machine)"
    try:
        return json.loads(body.decode("utf-8")), None
    except (ValueError, RecursionError):  # cannot happen for a file we signed; still not a crash
        return None, "it is not valid JSON"


def read(path: Path, purpose: str):
    """(data, None), or (None, why it was not used); a missing file is (None, None)."""
    key = secret()
    if key is None:
        return None, None
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"it cannot be read ({e.strerror})"
    return loads(purpose, blob, key)


def write(path: Path, purpose: str, data) -> None:
    """Signed and written whole (a reader never sees half a file); nothing without a key."""
    key = secret()
    if key is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(dumps(purpose, data, key))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def shown(path: Path) -> str:
    """A cache file's path as the user sees it (relative to the working folder)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

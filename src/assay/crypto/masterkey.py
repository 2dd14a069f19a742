"""The master key: ``ASSAY_MASTER_KEY`` (base64 of 32 bytes), ``ASSAY_MASTER_KEY_FILE``, or
one generated once at ``$ASSAY_DATA_DIR/master.key`` (default
``~/.local/share/assay/master.key``, mode 0600) that every command on the machine shares.

Generation is atomic: the key is written to a private temporary file and hard-linked to its
name, so two processes starting together both end up with whichever link won.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from assay.crypto.envelope import KEY_BYTES, parse_key
from assay.crypto.errors import KeyFileError

log = logging.getLogger("assay.crypto")


def data_dir(env: Mapping[str, str]) -> Path:
    configured = env.get("ASSAY_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(env.get("HOME") or Path.home()) / ".local" / "share" / "assay"


def read_key_file(path: str | Path, source: str) -> bytes:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{source}: cannot read {path}: {exc.strerror}") from None
    return parse_key(raw, f"{source} {path}")


def load_master_key(env: Mapping[str, str] | None = None) -> bytes:
    """The configured master key, generating the default one on first use."""
    env = os.environ if env is None else env
    if env.get("ASSAY_MASTER_KEY"):
        return parse_key(env["ASSAY_MASTER_KEY"].encode(), "ASSAY_MASTER_KEY")
    if env.get("ASSAY_MASTER_KEY_FILE"):
        return read_key_file(env["ASSAY_MASTER_KEY_FILE"], "ASSAY_MASTER_KEY_FILE")
    path = data_dir(env) / "master.key"
    if not path.exists():
        _generate(path)
    return read_key_file(path, "master key")


def load_previous_master_key(env: Mapping[str, str] | None = None) -> bytes | None:
    """``ASSAY_PREVIOUS_MASTER_KEY_FILE``: the key being rotated away from, if any."""
    env = os.environ if env is None else env
    path = env.get("ASSAY_PREVIOUS_MASTER_KEY_FILE")
    return read_key_file(path, "ASSAY_PREVIOUS_MASTER_KEY_FILE") if path else None


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".master.key.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
        log.warning("generated a master key at %s: keep it safe and back it up apart from "
                    "the database (without it nothing encrypted can be read); set "
                    "ASSAY_MASTER_KEY or ASSAY_MASTER_KEY_FILE to use your own", path)
    except FileExistsError:
        pass  # another process won the race: use its key
    finally:
        tmp.unlink()


__all__ = ["KeyFileError", "load_master_key", "load_previous_master_key", "read_key_file"]

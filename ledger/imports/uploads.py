"""Where the admin keeps an uploaded import between its preview and its confirmation.

django-import-export's own temp-folder storage takes the file name back from the confirmation form,
so an editor could name any file (`../../tmp/victim.csv`) and have it read and deleted. Here an
upload is saved under a random token in a folder of its own; the confirmation may name only a
token, and only one this folder holds. Uploads left unconfirmed are removed after UPLOAD_MAX_AGE."""

import contextlib
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from import_export.tmp_storages import BaseStorage

UPLOAD_MAX_AGE_SECONDS = 6 * 3600
TOKEN = re.compile(r"[0-9a-f]{32}")


def upload_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "aidledger-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def is_upload_token(name: str) -> bool:
    """Whether `name` is a token of an upload waiting for its confirmation."""
    return bool(TOKEN.fullmatch(name or "")) and (upload_folder() / name).is_file()


def remove_stale_uploads(*, now: float | None = None) -> int:
    """Delete uploads older than UPLOAD_MAX_AGE_SECONDS; returns how many."""
    cutoff = (now if now is not None else time.time()) - UPLOAD_MAX_AGE_SECONDS
    removed = 0
    for path in upload_folder().iterdir():
        try:
            if TOKEN.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed


class TokenUploadStorage(BaseStorage):
    """An import-export temp storage whose names are random tokens in the uploads folder."""

    def path(self) -> Path:
        if not TOKEN.fullmatch(self.name or ""):
            raise FileNotFoundError("not an upload token")
        return upload_folder() / self.name

    def save(self, data):
        remove_stale_uploads()
        self.name = secrets.token_hex(16)
        mode = "wb" if isinstance(data, bytes) else "w"
        descriptor = os.open(self.path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, mode, encoding=None if mode == "wb" else self.encoding) as file:
            file.write(data)

    def read(self):
        encoding = None if "b" in self.read_mode else self.encoding
        with open(self.path(), self.read_mode, encoding=encoding) as file:
            return file.read()

    def remove(self):
        with contextlib.suppress(FileNotFoundError):
            self.path().unlink()

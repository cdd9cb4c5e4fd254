"""A backup set on disk: the compressed dump, its JSON manifest and a SHA-256 file for both."""

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from branch_courier.ops.common import OpsError, sha256_of

PREFIX = "db_backup_"
SUFFIXES = (".sql.gz", ".sqlite3.gz")


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR).expanduser().resolve()


@dataclass(frozen=True)
class BackupSet:
    dump: Path

    @property
    def manifest(self) -> Path:
        return self.dump.with_name(self.dump.name + ".manifest.json")

    @property
    def checksum(self) -> Path:
        return self.dump.with_name(self.dump.name + ".sha256")

    @property
    def paths(self) -> list[Path]:
        return [self.dump, self.manifest, self.checksum]

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise OpsError(f"manifest {self.manifest.name} is missing") from exc
        except (OSError, ValueError) as exc:
            raise OpsError(f"manifest {self.manifest.name} is unreadable: {exc}") from exc

    def write_checksums(self) -> None:
        # sha256sum format, so `sha256sum -c FILE.sha256` works by hand too.
        lines = [f"{sha256_of(p)}  {p.name}\n" for p in (self.dump, self.manifest)]
        tmp = self.checksum.with_name(self.checksum.name + ".tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        os.replace(tmp, self.checksum)

    def verify_checksums(self) -> None:
        """Raise OpsError unless the dump and the manifest match their recorded SHA-256."""
        if not self.dump.is_file():
            raise OpsError(f"backup file {self.dump} does not exist")
        try:
            text = self.checksum.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise OpsError(f"checksum file {self.checksum.name} is missing") from exc
        expected = {}
        for line in text.splitlines():
            digest, _, name = line.strip().partition("  ")
            if digest and name:
                expected[name] = digest
        for path in (self.dump, self.manifest):
            if path.name not in expected:
                raise OpsError(f"checksum file {self.checksum.name} has no entry for {path.name}")
            if not path.is_file():
                raise OpsError(f"{path.name} is missing")
            if sha256_of(path) != expected[path.name]:
                raise OpsError(f"checksum mismatch for {path.name}: the file is corrupted or was changed")

    def created_at(self) -> datetime:
        manifest = self.read_manifest()
        try:
            return datetime.fromisoformat(manifest["created_at"])
        except (KeyError, ValueError) as exc:
            raise OpsError(f"manifest {self.manifest.name} has no valid created_at") from exc


def backup_set_for(path: str | Path) -> BackupSet:
    """The set for a dump path as an operator types it (the manifest or .sha256 are accepted too)."""
    path = Path(path).expanduser()
    for extra in (".manifest.json", ".sha256"):
        if path.name.endswith(extra):
            path = path.with_name(path.name[: -len(extra)])
    return BackupSet(path.resolve())


def list_backups(directory: Path) -> list[BackupSet]:
    """Complete sets (dump + manifest + checksum) in the directory, oldest name first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if path.name.startswith(PREFIX) and path.name.endswith(SUFFIXES) and path.is_file():
            backup = BackupSet(path)
            if backup.manifest.is_file() and backup.checksum.is_file():
                found.append(backup)
    return sorted(found, key=lambda b: b.dump.name)


def newest_backup(directory: Path) -> BackupSet | None:
    backups = list_backups(directory)
    if not backups:
        return None
    return max(backups, key=lambda b: (b.created_at(), b.dump.name))

"""Backups: a consistent archive of everything not derived, and its restore (see archive.py)."""

from .archive import BackupError, read_manifest
from .restore import Restored, restore
from .take import Backup, create

__all__ = ["Backup", "BackupError", "Restored", "create", "read_manifest", "restore"]

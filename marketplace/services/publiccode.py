"""publiccode.yml files as import rows: one file, a zip of many (of repositories), or a folder.

The YAML is read with PyYAML's pure parser and safe constructor behind a guard that refuses what
a publiccode.yml never needs and an attacker would use: explicit tags (``!!python/object``, and
every other tag: nothing is ever constructed from one), aliases (so a few kilobytes cannot expand
into gigabytes, "billion laughs"), nesting deeper than MAX_DEPTH and more than MAX_NODES values.
Every scalar is read as text (no implicit booleans, dates or numbers). A zip is read member by
member with the uncompressed bytes counted as they come, whatever sizes the archive declares;
nested zips are not opened and members named with ``..`` or an absolute path are passed over.
How a document becomes our fields is publiccode_fields.py.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import yaml
from flask_babel import gettext as _
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from . import publiccode_fields
from .import_rows import MAX_BYTES, SourceRow, UnreadableFile

FILE_NAMES = ("publiccode.yml", "publiccode.yaml")
# A real publiccode.yml is a few kilobytes; the pure-Python parser reads about 350 KB a second.
MAX_DOCUMENT_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000
# Values read from all the files of one zip or folder (a real publiccode.yml holds about 300):
# parsing is about 50,000 values a second, so a zip of value-dense files stays a few seconds.
MAX_TOTAL_NODES = 250_000
# A zip's members (all of them, not only publiccode.yml files) and the files of a folder walked.
MAX_MEMBERS = 10_000
# publiccode.yml files read from one zip or folder.
MAX_FILES = 500
_CHUNK = 64 * 1024


def _megabytes(limit: int) -> int:
    return limit // (1024 * 1024)


# --- One document ----------------------------------------------------------------------------


class _Refused(yaml.YAMLError):
    """What the guard refuses, with the message for the person who uploaded the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Budget:
    """The values still allowed in the files of one upload (shared by a zip's members)."""

    def __init__(self) -> None:
        self.values = MAX_TOTAL_NODES


class _Exhausted(Exception):
    """The upload as a whole holds more values than MAX_TOTAL_NODES."""


class _GuardedComposer(Composer):
    """PyYAML's composer, refusing tags, aliases and oversized structures before they are built."""

    def __init__(self, budget: _Budget) -> None:
        super().__init__()
        self._depth = 0
        self._nodes = 0
        self._budget = budget

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                _(
                    "it uses a YAML alias (*%(alias)s, line %(line)d): aliases are refused, so "
                    "a small file cannot expand into a huge one.",
                    alias=event.anchor,
                    line=line,
                )
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refused(
                _(
                    "it uses the YAML tag %(tag)s (line %(line)d): tags are refused and nothing "
                    "is built from them.",
                    tag=tag,
                    line=line,
                )
            )
        self._nodes += 1
        self._budget.values -= 1
        if self._budget.values < 0:
            raise _Exhausted
        self._depth += 1
        if self._depth > MAX_DEPTH or self._nodes > MAX_NODES:
            raise _Refused(
                _(
                    "it is nested deeper than %(depth)d levels or holds more than %(nodes)d "
                    "values (line %(line)d): no publiccode.yml does.",
                    depth=MAX_DEPTH,
                    nodes=MAX_NODES,
                    line=line,
                )
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(Reader, Scanner, Parser, _GuardedComposer, SafeConstructor, BaseResolver):
    """Safe loading with no implicit types: every scalar is a string, every tag refused."""

    def __init__(self, stream: str, budget: _Budget) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _GuardedComposer.__init__(self, budget)
        SafeConstructor.__init__(self)
        BaseResolver.__init__(self)


def _refuse(name: str, reason: str) -> UnreadableFile:
    return UnreadableFile(_("%(name)s: %(reason)s", name=name, reason=reason))


def load(name: str, data: bytes, budget: _Budget | None = None) -> dict:
    """One publiccode.yml's bytes as a mapping of strings, lists and mappings.

    :raises UnreadableFile: too large, not UTF-8, not YAML, not a mapping, or refused by the guard.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _refuse(
            name,
            _(
                "it is larger than %(limit)d KB, and a publiccode.yml is a few kilobytes.",
                limit=MAX_DOCUMENT_BYTES // 1024,
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            name,
            _(
                "it is not UTF-8 text (byte %(position)d), and a publiccode.yml must be.",
                position=error.start + 1,
            ),
        ) from None
    loader = None
    try:
        # The reader refuses control characters as soon as it is made.
        loader = _Loader(text, budget or _Budget())
        document = loader.get_single_data()
    except _Refused as error:
        raise _refuse(name, error.message) from None
    except yaml.reader.ReaderError as error:
        raise _refuse(
            name,
            _(
                "it contains the control character U+%(code)s (line %(line)d), which a text "
                "file cannot hold.",
                code=format(error.character, "04X") if isinstance(error.character, int) else "?",
                line=text.count("\n", 0, max(error.position, 0)) + 1,
            ),
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _refuse(
            name,
            _(
                "it is not valid YAML (line %(line)d: %(problem)s).",
                line=(mark.line + 1) if mark else 0,
                problem=error.problem or error.context or "",
            ),
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError):
        raise _refuse(name, _("it is not valid YAML.")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(document, dict):
        raise _refuse(name, _("it is YAML, but not a publiccode.yml: it holds no keys and values."))
    return document


def _row(label: str, data: bytes, budget: _Budget | None = None) -> SourceRow:
    return publiccode_fields.row(label, load(label, data, budget))


def _row_or_problem(label: str, data: bytes, budget: _Budget, container: str) -> SourceRow:
    """A file of several: one that cannot be read is a row with its problem, not the end.

    :raises UnreadableFile: the files read so far hold more than MAX_TOTAL_NODES values.
    """
    try:
        return _row(label, data, budget)
    except UnreadableFile as error:
        return SourceRow(label=label, fields={}, problems=[str(error)])
    except _Exhausted:
        raise _refuse(
            container,
            _(
                "its publiccode.yml files hold more than %(limit)d values in all, the most an "
                "import reads.",
                limit=MAX_TOTAL_NODES,
            ),
        ) from None


def _is_publiccode(name: str) -> bool:
    return name.rsplit("/", 1)[-1].lower() in FILE_NAMES


# --- A zip -----------------------------------------------------------------------------------


def _safe_member(info: zipfile.ZipInfo) -> bool:
    """A regular file whose name stays inside the archive (no ``..``, no absolute path)."""
    name = info.filename.replace("\\", "/")
    if info.is_dir() or name.startswith("/") or ":" in name.split("/", 1)[0]:
        return False
    if ".." in PurePosixPath(name).parts:
        return False
    return not stat.S_ISLNK(info.external_attr >> 16)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit`` bytes of the member, counted as they are inflated (not as declared)."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while size < limit and (chunk := member.read(min(_CHUNK, limit - size))):
            size += len(chunk)
            chunks.append(chunk)
    return b"".join(chunks)


def _too_large_unpacked(name: str) -> UnreadableFile:
    return _refuse(
        name,
        _(
            "it unpacks to more than %(limit)d MB, the most an import reads, so it is refused "
            "(a zip bomb?).",
            limit=_megabytes(MAX_BYTES),
        ),
    )


def _zip_rows(name: str, data: bytes) -> list[SourceRow]:
    try:
        archive = zipfile.ZipFile(_BytesReader(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse(name, _("it is not a readable zip archive.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _refuse(
                name,
                _(
                    "it holds more than %(limit)d files, the most an import reads.",
                    limit=MAX_MEMBERS,
                ),
            )
        wanted = [m for m in members if _safe_member(m) and _is_publiccode(m.filename)]
        _check_found(name, len(wanted))
        if sum(m.file_size for m in wanted) > MAX_BYTES:
            raise _too_large_unpacked(name)
        rows, total, budget = [], 0, _Budget()
        for info in sorted(wanted, key=lambda m: m.filename):
            label = _("%(file)s in %(archive)s", file=info.filename, archive=name)
            try:
                member = _read_member(archive, info, MAX_DOCUMENT_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
                # A damaged, encrypted or unsupported member: the others are still read.
                rows.append(
                    SourceRow(label, {}, problems=[_("%(file)s cannot be unpacked.", file=label)])
                )
                continue
            total += len(member)
            if total > MAX_BYTES:
                raise _too_large_unpacked(name)
            if len(member) > MAX_DOCUMENT_BYTES:
                rows.append(SourceRow(label, {}, problems=[_member_too_large(label)]))
                continue
            rows.append(_row_or_problem(label, member, budget, name))
        return rows


def _member_too_large(label: str) -> str:
    return _(
        "%(file)s is larger than %(limit)d KB, and a publiccode.yml is a few kilobytes.",
        file=label,
        limit=MAX_DOCUMENT_BYTES // 1024,
    )


class _BytesReader:
    """Seekable bytes for zipfile without copying them (io.BytesIO would copy up to 20 MB)."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._at = 0

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._at, os.SEEK_END: len(self._view)}[whence]
        self._at = max(0, base + offset)
        return self._at

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._at + size
        chunk = bytes(self._view[self._at : end])
        self._at += len(chunk)
        return chunk


def _check_found(name: str, count: int) -> None:
    if count == 0:
        raise _refuse(name, _("it holds no publiccode.yml or publiccode.yaml file."))
    if count > MAX_FILES:
        raise _refuse(
            name,
            _(
                "it holds more than %(limit)d publiccode.yml files, the most an import reads.",
                limit=MAX_FILES,
            ),
        )


# --- Entry points ----------------------------------------------------------------------------


def _is_zip(name: str, data: bytes) -> bool:
    return name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04"


def read(name: str, data: bytes) -> list[SourceRow]:
    """The entries of one publiccode.yml file, or of every one in a zip (at any depth).

    :raises UnreadableFile: the file (or the zip as a whole) cannot be read; a zip member that
        cannot be read is a row with that problem instead.
    """
    if len(data) > MAX_BYTES:
        raise _refuse(
            name,
            _(
                "it is larger than %(limit)d MB, the most an import reads.",
                limit=_megabytes(MAX_BYTES),
            ),
        )
    if _is_zip(name, data):
        return _zip_rows(name, data)
    return [_row(name, data)]


def _walk(root: Path) -> Iterator[Path]:
    """The publiccode files under ``root``, not following symlinks out of it."""
    inside = root.resolve()
    seen = 0
    for folder, folders, files in os.walk(root, followlinks=False):
        folders.sort()
        seen += len(files) + len(folders)
        if seen > MAX_MEMBERS:
            raise _refuse(
                root.name,
                _(
                    "it holds more than %(limit)d files, the most an import reads.",
                    limit=MAX_MEMBERS,
                ),
            )
        for file in sorted(files):
            path = Path(folder, file)
            target = path.resolve()
            if file.lower() in FILE_NAMES and target.is_relative_to(inside) and target.is_file():
                yield path


def read_path(path: Path) -> list[SourceRow]:
    """The entries of a publiccode.yml file, a zip of them, or a folder searched for them.

    :raises UnreadableFile: as ``read``; a folder with none, too many or too large files.
    """
    path = Path(path)
    if path.is_dir():
        found = list(_walk(path))
        _check_found(path.name or str(path), len(found))
        rows, total, budget = [], 0, _Budget()
        for file in found:
            label = file.relative_to(path).as_posix()
            size = file.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                rows.append(SourceRow(label, {}, problems=[_member_too_large(label)]))
                continue
            total += size
            if total > MAX_BYTES:
                raise _refuse(
                    path.name,
                    _(
                        "its publiccode.yml files add up to more than %(limit)d MB, the most "
                        "an import reads.",
                        limit=_megabytes(MAX_BYTES),
                    ),
                )
            with file.open("rb") as opened:
                data = opened.read(MAX_DOCUMENT_BYTES + 1)
            rows.append(_row_or_problem(label, data, budget, path.name))
        return rows
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError:
        raise _refuse(path.name, _("it cannot be read.")) from None
    return read(path.name, data)

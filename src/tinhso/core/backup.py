"""Back up and restore the database and the uploaded files as one .tar.gz archive.

Archive layout (format 2), in this order:

    database.sqlite3 | database.pgdump   the database: an SQLite online-backup copy, or `pg_dump --format=custom`
    media/<path>                         every regular file under MEDIA_ROOT
    private/<store>/<path>               every regular file of each private store registered with
                                         tinhso.core.registry.register_private_store (files kept outside
                                         MEDIA_ROOT, e.g. the applicants' documents of e-services)
    manifest.json                        written last: versions, time, database vendor, applied migrations,
                                         file counts per section, and the SHA-256 and size of every other member

Format 1 is format 2 without the private section; such archives still restore, leaving the private stores as
they are. Private files are extracted owner-only (0600 files, 0700 directories) and stay so once restored.

The manifest comes last so each checksum is taken from the very bytes that went into the archive, even when
a file changes while the backup runs. A restore extracts into a private directory next to MEDIA_ROOT, checks
every checksum, and only then touches the database and the files.

Archives are restored only into a database of the same vendor: a cross-vendor move (SQLite to PostgreSQL)
goes through `dumpdata`/`loaddata` as a deliberate migration (docs/operations.md), not through a restore.
"""

import hashlib
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.utils import timezone
from django.utils.translation import gettext as _

import tinhso

FORMAT = 2
READABLE_FORMATS = {1, 2}  # format 1: no private section
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
PRIVATE_PREFIX = "private/"
PRIVATE_FILE_MODE, PRIVATE_DIR_MODE = 0o600, 0o700
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ARCHIVE_NAME = re.compile(r"^tinhso-\d{8}-\d{6}\.tar\.gz$")
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _quiet(message: str) -> None:
    pass


def vendor_of(db: dict[str, Any]) -> str:
    """Return "sqlite" or "postgresql" for a DATABASES entry; refuse other engines."""
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(engine)s.") % {"engine": engine})


def archive_name() -> str:
    """Return the default file name of a new archive, stamped with the local time."""
    return timezone.localtime().strftime("tinhso-%Y%m%d-%H%M%S.tar.gz")


def human_size(size: float) -> str:
    """Return a byte count the Vietnamese way (1.030,5 MB)."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    text = f"{size:,.1f}" if unit != "B" else f"{int(size):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + f" {unit}"


# --- Database connections without Django (the restore target may be any database) ----------------------


def _sqlite_connect(db: dict[str, Any]) -> sqlite3.Connection:
    name = str(db["NAME"])
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=30)


def _pg_params(db: dict[str, Any]) -> dict[str, Any]:
    params = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD")}
    params |= {"host": db.get("HOST"), "port": db.get("PORT")}
    params |= {k: v for k, v in (db.get("OPTIONS") or {}).items() if k.startswith("ssl") or k == "passfile"}
    return {k: v for k, v in params.items() if v not in (None, "")}


@contextmanager
def _connect(db: dict[str, Any]) -> Iterator[Any]:
    if vendor_of(db) == "sqlite":
        with closing(_sqlite_connect(db)) as conn:
            yield conn
    else:
        import psycopg

        with psycopg.connect(**_pg_params(db), autocommit=True, connect_timeout=10) as conn:
            yield conn


def applied_migrations(conn: Any) -> list[list[str]]:
    """Return the sorted [app, name] pairs in django_migrations (empty when the table is missing)."""
    try:
        rows = conn.execute("SELECT app, name FROM django_migrations").fetchall()
    except Exception:
        return []
    return sorted([str(app), str(name)] for app, name in rows)


def table_count(db: dict[str, Any]) -> int:
    """Return how many tables the database holds outside the system catalogues."""
    with _connect(db) as conn:
        if vendor_of(db) == "sqlite":
            sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        return conn.execute(sql).fetchone()[0]


def code_migrations() -> set[tuple[str, str]]:
    """Return the (app, name) of every migration this code base ships."""
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- PostgreSQL client tools ------------------------------------------------------------------------------


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    names |= {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY"}
    names |= {"passfile": "PGPASSFILE"}
    for key, value in _pg_params(db).items():
        if key in names:
            env[names[key]] = str(value)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    env["PGAPPNAME"] = "tinhso-backup"
    return env


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\)\s+(\d+)", output)
    if not match:
        raise BackupError(_("Không đọc được phiên bản của %(tool)s: %(output)s") % {"tool": path, "output": output})
    return int(match.group(1))


def pg_tool(name: str, *, minimum: int) -> tuple[str, int]:
    """Return (path, major version) of pg_dump or pg_restore at least `minimum`.

    The one on PATH wins when it is new enough; otherwise Debian's versioned copy under
    /usr/lib/postgresql/<minimum>/bin, installed by postgresql-client-<minimum>.
    """
    seen = []
    for path in (shutil.which(name), f"/usr/lib/postgresql/{minimum}/bin/{name}"):
        if path and os.access(path, os.X_OK):
            major = _tool_major(path)
            if major >= minimum:
                return path, major
            seen.append(f"{path} ({major})")
    found = ", ".join(seen) or _("không có")
    raise BackupError(
        _("Cần %(tool)s phiên bản %(minimum)s trở lên (tìm thấy: %(found)s). Cài gói postgresql-client-%(minimum)s.")
        % {"tool": name, "minimum": minimum, "found": found}
    )


def _run(command: list[str], *, env: dict[str, str], progress: Progress, verbose: bool) -> None:
    """Run a client tool, pass its messages on when verbose, and raise with its last lines when it fails."""
    tail: deque[str] = deque(maxlen=15)
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        for line in process.stderr:
            tail.append(line.rstrip())
            if verbose:
                progress("  " + line.rstrip())
    if process.returncode != 0:
        raise BackupError(
            _("%(tool)s thất bại (mã %(code)s):\n%(output)s")
            % {"tool": Path(command[0]).name, "code": process.returncode, "output": "\n".join(tail)}
        )


def _server_major(conn: Any) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


# --- Backup ---------------------------------------------------------------------------------------------


class _HashingReader:
    """A file wrapper that hashes what tarfile reads, so the checksum matches the archived bytes."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str, *, mode: int | None = None) -> dict[str, Any]:
    with path.open("rb") as file:
        info = tar.gettarinfo(arcname=arcname, fileobj=file)
        if mode is not None:
            info.mode = mode
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(file)
        tar.addfile(info, reader)
    return {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def _media_files(media_root: Path) -> list[tuple[Path, str]]:
    """Return (path, relative POSIX name) of every regular file under MEDIA_ROOT, symlinks left out."""
    found = []
    if not media_root.is_dir():
        return found
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(media_root).as_posix()))
    return found


def _dump_sqlite(db: dict[str, Any], target: Path) -> dict[str, Any]:
    with closing(_sqlite_connect(db)) as source, closing(sqlite3.connect(target)) as copy:
        # One step (pages=-1): a stepwise copy restarts whenever the live server writes, and may never finish.
        # Under WAL the single step only holds a read snapshot, so the server keeps writing meanwhile.
        source.backup(copy, pages=-1)
        migrations = applied_migrations(copy)
    return {"server_version": sqlite3.sqlite_version, "dump_tool": f"sqlite3 {sqlite3.sqlite_version}"} | {
        "migrations": migrations
    }


def _dump_postgres(db: dict[str, Any], target: Path, *, progress: Progress, verbose: bool) -> dict[str, Any]:
    with _connect(db) as conn:
        server_major = _server_major(conn)
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        migrations = applied_migrations(conn)
    tool, major = pg_tool("pg_dump", minimum=server_major)
    command = [tool, "--format=custom", "--no-password", f"--file={target}", *(["--verbose"] if verbose else [])]
    _run(command, env=_pg_env(db), progress=progress, verbose=verbose)
    return {"server_version": server_version, "dump_tool": f"pg_dump {major}", "dump_major": major} | {
        "migrations": migrations
    }


def create_backup(
    *,
    db: dict[str, Any],
    media_root: Path,
    destination: Path,
    private_roots: dict[str, Path] | None = None,
    progress: Progress = _quiet,
    verbose: bool = False,
) -> dict[str, Any]:
    """Write the database, MEDIA_ROOT and the private stores into the archive `destination`; return its manifest.

    `private_roots` maps each private store's name to its directory (see tinhso.core.registry.private_stores).

    The archive appears under its final name only when complete, readable by its owner alone
    (it holds personal data).
    """
    vendor = vendor_of(db)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".tinhso-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        progress(_("Đang sao lưu cơ sở dữ liệu (%(vendor)s)…") % {"vendor": vendor})
        if vendor == "sqlite":
            database = _dump_sqlite(db, dump)
        else:
            database = _dump_postgres(db, dump, progress=progress, verbose=verbose)
        progress(_("Cơ sở dữ liệu: %(size)s.") % {"size": human_size(dump.stat().st_size)})

        media = _media_files(media_root)
        progress(_("Đang đóng gói %(count)s tệp tải lên…") % {"count": f"{len(media):,}".replace(",", ".")})
        private = {name: _media_files(Path(root)) for name, root in sorted((private_roots or {}).items())}
        for name, found in private.items():
            count = f"{len(found):,}".replace(",", ".")
            progress(_("Kho tệp riêng %(name)s: %(count)s tệp.") % {"name": name, "count": count})
        files: dict[str, dict[str, Any]] = {}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                files[dump.name] = _add_file(tar, dump, dump.name)
                for number, (path, relative) in enumerate(media, start=1):
                    files[MEDIA_PREFIX + relative] = _add_file(tar, path, MEDIA_PREFIX + relative)
                    if number % 1000 == 0:
                        progress(_("  … %(done)s/%(total)s tệp") % {"done": number, "total": len(media)})
                private_summary = {}
                for name, found in private.items():
                    prefix = f"{PRIVATE_PREFIX}{name}/"
                    for path, relative in found:
                        files[prefix + relative] = _add_file(tar, path, prefix + relative, mode=PRIVATE_FILE_MODE)
                    private_summary[name] = {
                        "files": len(found),
                        "bytes": sum(files[prefix + r]["size"] for _p, r in found),
                    }
                manifest = {
                    "format": FORMAT,
                    "application": "tinhso",
                    "version": tinhso.__version__,
                    "django": django.get_version(),
                    "created_at": timezone.now().isoformat(),
                    "host": socket.gethostname(),
                    "database": {"vendor": vendor, "name": str(db["NAME"])}
                    | {k: v for k, v in database.items() if k != "migrations"},
                    "migrations": database["migrations"],
                    "media": {"files": len(media), "bytes": sum(files[MEDIA_PREFIX + r]["size"] for _p, r in media)},
                    "private": private_summary,
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
    progress(_("Đã tạo %(path)s (%(size)s).") % {"path": destination, "size": human_size(destination.stat().st_size)})
    return manifest


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the `keep` newest tinhso-YYYYmmdd-HHMMSS.tar.gz archives in `directory`; return the deleted."""
    archives = sorted(p for p in directory.iterdir() if ARCHIVE_NAME.match(p.name) and p.is_file())
    doomed = archives[: max(len(archives) - keep, 0)]
    for path in doomed:
        path.unlink()
    return doomed


# --- Restore --------------------------------------------------------------------------------------------


def _safe_member_path(work: Path, name: str) -> Path:
    pure = PurePosixPath(name)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or not pure.parts
        # private/<store>/<path>: a store name that is a plain slug, and a file inside it
        or (pure.parts[0] == PRIVATE_PREFIX.rstrip("/") and (len(pure.parts) < 3 or not _STORE.match(pure.parts[1])))
    ):
        raise BackupError(_("Tệp sao lưu chứa đường dẫn không hợp lệ: %(name)s") % {"name": name})
    return work.joinpath(*pure.parts)


_STORE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _private_open(target: Path) -> Any:
    """Create `target` and its missing parents owner-only (a private file is never readable by others)."""
    missing = [p for p in reversed(target.parents) if not p.exists()]
    for folder in missing:
        folder.mkdir(mode=PRIVATE_DIR_MODE)
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)
    return os.fdopen(descriptor, "wb")


def read_archive(archive: Path, work: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Extract `archive` into `work`, check every checksum against the manifest, and return the manifest."""
    if not archive.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu %(path)s.") % {"path": archive})
    progress(_("Đang giải nén và kiểm tra %(path)s…") % {"path": archive})
    actual: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(_("Tệp sao lưu chứa mục không phải tệp thường: %(name)s") % {"name": member.name})
                target = _safe_member_path(work, member.name)
                private = target.relative_to(work).parts[0] == PRIVATE_PREFIX.rstrip("/")
                if not private:
                    target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                sha256, size = hashlib.sha256(), 0
                with _private_open(target) if private else target.open("wb") as out:
                    while data := source.read(CHUNK):
                        sha256.update(data)
                        size += len(data)
                        out.write(data)
                actual[member.name] = {"sha256": sha256.hexdigest(), "size": size}
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(_("Tệp sao lưu bị hỏng hoặc không đọc được: %(error)s") % {"error": exc}) from exc

    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(_("Tệp sao lưu không có manifest.json hợp lệ.")) from exc
    if manifest.get("application") != "tinhso" or manifest.get("format") not in READABLE_FORMATS:
        raise BackupError(
            _("Không nhận ra định dạng tệp sao lưu (format %(format)s).") % {"format": manifest.get("format")}
        )
    actual.pop(MANIFEST, None)
    expected = manifest.get("files", {})
    problems = sorted(set(expected) ^ set(actual)) + sorted(
        n for n in expected if n in actual and expected[n] != actual[n]
    )
    if problems:
        listed = ", ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
        raise BackupError(
            _("Kiểm tra checksum thất bại ở %(count)s tệp: %(names)s. Không khôi phục gì.")
            % {"count": len(problems), "names": listed}
        )
    progress(_("Checksum khớp cho %(count)s tệp.") % {"count": len(expected)})
    return manifest


def _restore_sqlite(db: dict[str, Any], dump: Path, *, progress: Progress) -> None:
    name = str(db["NAME"])
    if not name.startswith("file:"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)

    def report(status, remaining, total):
        if total:
            progress(_("  … %(percent)s%%") % {"percent": round(100 * (total - remaining) / total)})

    with closing(sqlite3.connect(dump)) as source, closing(_sqlite_connect(db)) as target:
        source.backup(target, pages=max(source.execute("PRAGMA page_count").fetchone()[0] // 10, 256), progress=report)
        if not name.startswith("file:") and name != ":memory:":
            target.execute("PRAGMA journal_mode=WAL")


def _restore_postgres(
    db: dict[str, Any], dump: Path, manifest: dict[str, Any], *, progress: Progress, verbose: bool
) -> None:
    tool, _major = pg_tool("pg_restore", minimum=int(manifest["database"].get("dump_major", 0)))
    command = [
        tool,
        # Drop what the archive holds before recreating it; all in one transaction, so a failure leaves
        # the target as it was. Owners and grants are the target server's business, not the archive's.
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={db['NAME']}",
        *(["--verbose"] if verbose else []),
        str(dump),
    ]
    _run(command, env=_pg_env(db), progress=progress, verbose=verbose)


def _replace_media(new: Path, media_root: Path, parked: Path) -> None:
    """Move MEDIA_ROOT's contents aside into `parked` and the restored files in; undo on failure.

    Contents move rather than the directory itself, because MEDIA_ROOT is often a mount point.
    """
    media_root.mkdir(parents=True, exist_ok=True)
    parked.mkdir()
    for child in list(media_root.iterdir()):
        shutil.move(child, parked / child.name)
    try:
        if new.is_dir():
            for child in list(new.iterdir()):
                shutil.move(child, media_root / child.name)
    except Exception:
        for child in list(media_root.iterdir()):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        for child in list(parked.iterdir()):
            shutil.move(child, media_root / child.name)
        raise


def _replace_private(new: Path, root: Path) -> None:
    """Swap a private store's contents for the restored ones, through an owner-only directory beside it."""
    root.parent.mkdir(parents=True, exist_ok=True)
    if not root.exists():
        root.mkdir(mode=PRIVATE_DIR_MODE)
    if root.stat().st_mode & 0o077:
        os.chmod(root, PRIVATE_DIR_MODE)
    # The files move in by rename when `new` sits on the same file system; otherwise they are copied into the
    # owner-only staging directory beside the store first, so the swap itself is a rename.
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=f".tinhso-restore-{root.name}-") as folder:
        staged = Path(folder) / "restored"
        if new.is_dir():
            shutil.move(new, staged)
        else:
            staged.mkdir(mode=PRIVATE_DIR_MODE)
        _make_private(staged)
        _replace_media(staged, root, Path(folder) / "previous")


def _make_private(folder: Path) -> None:
    """Make every directory under `folder` 0700 and every file 0600 (its own mode included)."""
    os.chmod(folder, PRIVATE_DIR_MODE)
    for parent, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(Path(parent) / name, PRIVATE_DIR_MODE, follow_symlinks=False)
        for name in files:
            os.chmod(Path(parent) / name, PRIVATE_FILE_MODE, follow_symlinks=False)


def restore_backup(
    *,
    archive: Path,
    db: dict[str, Any],
    media_root: Path,
    private_roots: dict[str, Path] | None = None,
    force: bool = False,
    check_only: bool = False,
    progress: Progress = _quiet,
    verbose: bool = False,
) -> dict[str, Any]:
    """Check `archive`, then put its database and files in place of `db`, `media_root` and the private stores
    `private_roots` ({name: directory}); return the manifest.

    Refuses, before changing anything: a damaged archive, one from another database vendor, one holding a
    private store this installation does not have, and unless `force`, a target database that already has
    tables, a non-empty MEDIA_ROOT or private store, or an archive made by newer code (migrations this code
    does not know). A private store the archive has no section for (an archive from before that store) is
    left as it is.
    """
    private_roots = {name: Path(root) for name, root in (private_roots or {}).items()}
    vendor = vendor_of(db)
    # Extract next to MEDIA_ROOT so the files move in by rename; a mere check extracts next to the archive.
    scratch = archive.resolve().parent if check_only else media_root.parent
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".tinhso-restore-") as folder:
        work = Path(folder) / "archive"
        manifest = read_archive(archive, work, progress=progress)
        if check_only:
            return manifest
        source_vendor = manifest["database"]["vendor"]
        if source_vendor != vendor:
            raise BackupError(
                _(
                    "Tệp sao lưu này là của %(source)s, còn cơ sở dữ liệu đích là %(target)s. Chỉ khôi phục được vào "
                    "cùng loại cơ sở dữ liệu; muốn chuyển giữa hai loại, xem mục “Chuyển SQLite sang PostgreSQL” "
                    "trong docs/operations.md (dumpdata/loaddata)."
                )
                % {"source": source_vendor, "target": vendor}
            )
        unknown = {tuple(m) for m in manifest["migrations"]} - code_migrations()
        if unknown and not force:
            names = ", ".join(f"{app}.{name}" for app, name in sorted(unknown)[:5])
            raise BackupError(
                _(
                    "Tệp sao lưu được tạo bởi phiên bản mới hơn (có migration mà mã nguồn này chưa có: %(names)s). "
                    "Hãy nâng cấp Tỉnh số trước, hoặc dùng --force."
                )
                % {"names": names}
            )
        archived_private = manifest.get("private", {})
        foreign = sorted(n for n, summary in archived_private.items() if n not in private_roots and summary["files"])
        if foreign:
            raise BackupError(
                _(
                    "Tệp sao lưu có kho tệp riêng mà bản cài đặt này không có: %(names)s. Không khôi phục gì; "
                    "hãy cài đúng phiên bản có các phân hệ đó trước."
                )
                % {"names": ", ".join(foreign)}
            )
        restored_private = {name: root for name, root in private_roots.items() if name in archived_private}
        tables = table_count(db)
        media_count = len(_media_files(media_root))
        private_count = sum(len(_media_files(root)) for root in restored_private.values())
        if (tables or media_count or private_count) and not force:
            raise BackupError(
                _(
                    "Nơi khôi phục đang có dữ liệu (%(tables)s bảng trong cơ sở dữ liệu, %(files)s tệp trong "
                    "MEDIA_ROOT, %(private)s tệp trong kho tệp riêng). Khôi phục sẽ ghi đè tất cả; dùng --force "
                    "nếu đúng là muốn vậy."
                )
                % {"tables": tables, "files": media_count, "private": private_count}
            )

        dump = work / DUMP_NAMES[vendor]
        progress(_("Đang khôi phục cơ sở dữ liệu (%(vendor)s)…") % {"vendor": vendor})
        if vendor == "sqlite":
            _restore_sqlite(db, dump, progress=progress)
        else:
            _restore_postgres(db, dump, manifest, progress=progress, verbose=verbose)
        progress(
            _("Đang khôi phục %(count)s tệp tải lên vào %(path)s…")
            % {"count": manifest["media"]["files"], "path": media_root}
        )
        _replace_media(work / "media", media_root, Path(folder) / "previous")
        for name, root in restored_private.items():
            progress(
                _("Đang khôi phục %(count)s tệp của kho tệp riêng %(name)s vào %(path)s…")
                % {"count": archived_private[name]["files"], "name": name, "path": root}
            )
            _replace_private(work / "private" / name, root)
        for name in sorted(set(private_roots) - set(archived_private)):
            progress(
                _("Tệp sao lưu không có kho tệp riêng %(name)s (bản sao lưu cũ): giữ nguyên %(path)s.")
                % {"name": name, "path": private_roots[name]}
            )
    return manifest

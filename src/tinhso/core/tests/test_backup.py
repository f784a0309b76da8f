"""`tinhso backup` / `tinhso restore`: the database and the uploaded files come back as they were."""

import hashlib
import io
import json
import os
import secrets
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tinhso.core import backup, registry
from tinhso.core.audit import record
from tinhso.core.models import Agency, AuditEntry, User
from tinhso.core.testing import make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed data through its own connection

only_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite run only")
only_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL run only")

# As the apps registered them, before the autouse fixture below swaps in a stand-in.
REGISTERED_STORES = dict(registry.PRIVATE_STORES)

LETTER = "Tờ trình số 12/TTr-UBND về việc sắp xếp đơn vị hành chính.\n".encode()


@pytest.fixture(autouse=True)
def private_store(monkeypatch, tmp_path) -> Path:
    """One private store under tmp_path in place of the registered ones, which a restore would overwrite."""
    root = tmp_path / "private" / "hoso"
    monkeypatch.setattr(registry, "PRIVATE_STORES", {"hoso": lambda: root})
    return root


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "ho-so" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "ho-so" / "2025" / "tờ trình.txt").write_bytes(LETTER)
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(media, tmp_path) -> Path:
    make_agency("SXD", "Sở Xây dựng")
    make_user("Trần Thị Bình", phone="0912345678")
    path = tmp_path / "backups" / "tinhso-test.tar.gz"
    call_command("backup", str(path), verbosity=0)
    return path


def rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy an archive member by member, letting `change(name, data)` return new bytes for a member."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def read_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def edit_manifest(source: Path, target: Path, edit) -> Path:
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    rewrite_archive(source, target, change)
    return target


def test_manifest_records_vendor_migrations_and_checksums(archive):
    manifest = read_manifest(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert ["core", "0001_initial"] in manifest["migrations"]
    member = manifest["files"]["media/ho-so/2025/tờ trình.txt"]
    assert member == {"sha256": hashlib.sha256(LETTER).hexdigest(), "size": len(LETTER)}
    assert manifest["media"]["files"] == 1
    assert archive.stat().st_mode & 0o077 == 0  # personal data: owner only


@only_sqlite
def test_it_brings_back_sqlite_rows_and_files(archive, media):
    Agency.objects.filter(code="SXD").update(name="Tên đã bị sửa")
    User.objects.filter(phone="0912345678").delete()
    (media / "ho-so" / "2025" / "tờ trình.txt").write_text("ghi đè")
    (media / "la.txt").write_text("tệp sinh ra sau khi sao lưu")

    call_command("restore", str(archive), "--force", verbosity=0)

    assert Agency.objects.get(code="SXD").name == "Sở Xây dựng"
    assert User.objects.filter(phone="0912345678").exists()
    assert (media / "ho-so" / "2025" / "tờ trình.txt").read_bytes() == LETTER
    assert not (media / "la.txt").exists()
    assert AuditEntry.objects.filter(action="system.restore", object_repr=archive.name).exists()


def test_it_refuses_a_target_with_data_unless_forced(archive, media):
    Agency.objects.filter(code="SXD").update(name="Tên mới")
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive), verbosity=0)
    assert Agency.objects.get(code="SXD").name == "Tên mới"


def test_check_only_verifies_and_changes_nothing(archive, media, capsys):
    Agency.objects.filter(code="SXD").update(name="Tên mới")
    call_command("restore", str(archive), "--check")
    assert "nguyên vẹn" in capsys.readouterr().out
    assert Agency.objects.get(code="SXD").name == "Tên mới"


def test_it_refuses_a_tampered_file_before_touching_anything(archive, media, tmp_path):
    tampered = tmp_path / "tampered.tar.gz"
    rewrite_archive(archive, tampered, lambda name, data: b"sua" + data if name.startswith("media/") else data)
    Agency.objects.filter(code="SXD").update(name="Tên mới")

    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(tampered), "--force", verbosity=0)
    assert Agency.objects.get(code="SXD").name == "Tên mới"
    assert (media / "ho-so" / "2025" / "tờ trình.txt").read_bytes() == LETTER


def test_it_refuses_a_truncated_archive(archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="hỏng"):
        call_command("restore", str(truncated), "--force", verbosity=0)


def test_it_refuses_an_archive_from_another_vendor(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = edit_manifest(archive, tmp_path / "foreign.tar.gz", lambda m: m["database"].update(vendor=other))
    with pytest.raises(CommandError, match=f"là của {other}, còn cơ sở dữ liệu đích là {connection.vendor}"):
        call_command("restore", str(foreign), "--force", verbosity=0)


def test_it_refuses_an_archive_from_newer_code_unless_forced(archive, tmp_path):
    newer = edit_manifest(archive, tmp_path / "newer.tar.gz", lambda m: m["migrations"].append(["core", "9999_x"]))
    with pytest.raises(CommandError, match=r"core\.9999_x"):
        call_command("restore", str(newer), verbosity=0)
    Agency.objects.filter(code="SXD").delete()

    call_command("restore", str(newer), "--force", verbosity=0)
    assert Agency.objects.filter(code="SXD").exists()


def test_keep_deletes_the_oldest_archives_only(media, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20250101-010000", "20250102-010000", "20250103-010000"):
        (folder / f"tinhso-{stamp}.tar.gz").write_bytes(b"old")
    (folder / "ghi-chu.txt").write_text("not an archive")

    call_command("backup", str(folder), "--keep", "2", verbosity=0)

    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 3
    assert left[0] == "ghi-chu.txt"
    assert left[1] == "tinhso-20250103-010000.tar.gz"
    assert read_manifest(folder / left[2])["application"] == "tinhso"


@only_postgres
def test_it_restores_postgresql_into_a_fresh_database_with_the_audit_trigger(
    archive, media, private_document, tmp_path
):
    import psycopg

    record(action="test.backup", object_type="test", object_repr="trước sao lưu")
    call_command("backup", str(archive), verbosity=0)  # again, now with an audit entry
    Agency.objects.filter(code="SXD").update(name="Tên đã bị sửa")

    source = connection.settings_dict
    scratch = f"tinhso_restore_{secrets.token_hex(4)}"
    admin = backup._pg_params(source) | {"dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    target = {**source, "NAME": scratch}
    restored_media = tmp_path / "restored-media"
    restored_private = {"hoso": tmp_path / "restored-private"}
    try:
        backup.restore_backup(archive=archive, db=target, media_root=restored_media, private_roots=restored_private)
        with psycopg.connect(**backup._pg_params(target), autocommit=True) as conn:
            assert conn.execute("SELECT name FROM core_agency WHERE code = 'SXD'").fetchone() == ("Sở Xây dựng",)
            assert conn.execute("SELECT count(*) FROM core_user WHERE phone = '0912345678'").fetchone() == (1,)
            assert conn.execute("SELECT object_repr FROM core_auditentry").fetchall() == [("trước sao lưu",)]
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute("UPDATE core_auditentry SET action = 'changed'")
        assert (restored_media / "ho-so" / "2025" / "tờ trình.txt").read_bytes() == LETTER
        restored = restored_private["hoso"] / private_document.relative_to(registry.private_stores()["hoso"])
        assert restored.read_bytes() == PASSPORT
        assert restored.stat().st_mode & 0o777 == 0o600

        with pytest.raises(backup.BackupError, match="--force"):
            backup.restore_backup(
                archive=archive, db=target, media_root=tmp_path / "empty-media", private_roots=restored_private
            )
        # --clean drops and recreates every table, the append-only one with its trigger included.
        backup.restore_backup(
            archive=archive, db=target, media_root=restored_media, private_roots=restored_private, force=True
        )
        with psycopg.connect(**backup._pg_params(target), autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM core_auditentry").fetchone() == (1,)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


# --- Private stores (files kept outside MEDIA_ROOT, e.g. the applicants' documents of e-services) -------------

PASSPORT = "Giấy khai sinh của Nguyễn Văn An".encode() + bytes(range(256))


def private_modes(root: Path) -> set[int]:
    modes = {root.stat().st_mode & 0o777}
    for parent, dirs, files in os.walk(root):
        modes |= {(Path(parent) / name).stat().st_mode & 0o777 for name in dirs + files}
    return modes


def test_the_eservices_document_store_is_registered_where_its_setting_says(settings, tmp_path):
    settings.ESERVICES_PRIVATE_ROOT = tmp_path / "eservices-private"
    assert Path(REGISTERED_STORES["eservices"]()) == tmp_path / "eservices-private"


@pytest.fixture
def private_document(private_store) -> Path:
    folder = private_store / "eservices" / "2026" / "11" / "42"
    folder.mkdir(parents=True)
    path = folder / "giấy khai sinh.pdf"
    path.write_bytes(PASSPORT)
    path.chmod(0o640)
    return path


def test_a_private_document_comes_back_byte_for_byte_and_owner_only(private_document, private_store, archive):
    manifest = read_manifest(archive)
    name = "private/hoso/eservices/2026/11/42/giấy khai sinh.pdf"
    assert manifest["files"][name] == {"sha256": hashlib.sha256(PASSPORT).hexdigest(), "size": len(PASSPORT)}
    assert manifest["private"] == {"hoso": {"files": 1, "bytes": len(PASSPORT)}}
    with tarfile.open(archive, "r:gz") as tar:
        assert tar.getmember(name).mode == 0o600

    private_document.write_bytes(b"ghi de")
    (private_store / "la.pdf").write_bytes(b"sinh ra sau khi sao luu")
    call_command("restore", str(archive), "--force", verbosity=0)

    assert private_document.read_bytes() == PASSPORT
    assert not (private_store / "la.pdf").exists()
    assert private_document.stat().st_mode & 0o777 == 0o600
    assert private_modes(private_store) <= {0o600, 0o700}
    assert not list(private_store.parent.glob(".tinhso-restore-*"))  # the staging directory is gone


def test_a_private_store_restores_into_an_empty_installation(private_document, archive, media, tmp_path):
    target = tmp_path / "elsewhere" / "private"
    backup.restore_backup(
        archive=archive,
        db=connection.settings_dict,
        media_root=media,
        private_roots={"hoso": target},
        force=True,
    )
    restored = target / "eservices" / "2026" / "11" / "42" / "giấy khai sinh.pdf"
    assert restored.read_bytes() == PASSPORT
    assert private_modes(target) <= {0o600, 0o700}


def test_a_non_empty_private_store_needs_force(private_document, archive, media):
    with pytest.raises(backup.BackupError, match="1 tệp trong kho tệp riêng"):
        backup.restore_backup(
            archive=archive,
            db={**connection.settings_dict},
            media_root=media.parent / "empty-media",
            private_roots=registry.private_stores(),
        )
    assert private_document.read_bytes() == PASSPORT


def test_an_archive_from_before_private_stores_still_restores_and_leaves_them_alone(
    private_document, archive, media, tmp_path
):
    def drop_private(manifest):
        manifest["format"] = 1
        del manifest["private"]
        for name in [n for n in manifest["files"] if n.startswith("private/")]:
            del manifest["files"][name]

    old = tmp_path / "format-1.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(old, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("private/"):
                continue
            if member.name == "manifest.json":
                manifest = json.loads(data)
                drop_private(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    Agency.objects.filter(code="SXD").update(name="Tên đã bị sửa")
    (media / "ho-so" / "2025" / "tờ trình.txt").write_text("ghi đè")

    call_command("restore", str(old), "--force", verbosity=0)

    assert Agency.objects.get(code="SXD").name == "Sở Xây dựng"
    assert (media / "ho-so" / "2025" / "tờ trình.txt").read_bytes() == LETTER
    assert private_document.read_bytes() == PASSPORT  # not in the archive: left as it was


@pytest.mark.parametrize(
    "member",
    [
        "private/hoso/../../../thoat-ra.txt",
        "private/../thoat-ra.txt",
        "/thoat-ra.txt",
        "private/thoat-ra.txt",  # no store name
        "private/Hồ Sơ/thoat-ra.txt",  # not a store name
    ],
)
def test_a_malicious_private_member_path_is_refused_before_anything_changes(
    private_document, archive, tmp_path, member
):
    evil = tmp_path / "evil.tar.gz"
    payload = b"khong duoc ghi"

    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"][member] = {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}
        return json.dumps(manifest).encode()

    with tarfile.open(archive, "r:gz") as source, tarfile.open(evil, "w:gz") as target:
        for info in source:
            data = change(info.name, source.extractfile(info).read())
            if info.name == "manifest.json":
                extra = tarfile.TarInfo(member)
                extra.size = len(payload)
                target.addfile(extra, io.BytesIO(payload))
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    Agency.objects.filter(code="SXD").update(name="Tên mới")
    private_document.write_bytes(b"sau sao luu")

    with pytest.raises(CommandError, match="đường dẫn không hợp lệ"):
        call_command("restore", str(evil), "--force", verbosity=0)

    assert Agency.objects.get(code="SXD").name == "Tên mới"
    assert private_document.read_bytes() == b"sau sao luu"
    assert not list(tmp_path.rglob("thoat-ra.txt"))
    assert not Path("/thoat-ra.txt").exists()


def test_an_empty_store_this_installation_lacks_is_no_obstacle(archive, media, monkeypatch):
    monkeypatch.setattr(registry, "PRIVATE_STORES", {})
    assert read_manifest(archive)["private"] == {"hoso": {"files": 0, "bytes": 0}}
    Agency.objects.filter(code="SXD").update(name="Tên mới")
    call_command("restore", str(archive), "--force", verbosity=0)
    assert Agency.objects.get(code="SXD").name == "Sở Xây dựng"


def test_an_archive_with_a_store_this_installation_lacks_is_refused(private_document, archive, monkeypatch):
    monkeypatch.setattr(registry, "PRIVATE_STORES", {})
    Agency.objects.filter(code="SXD").update(name="Tên mới")
    with pytest.raises(CommandError, match="kho tệp riêng mà bản cài đặt này không có: hoso"):
        call_command("restore", str(archive), "--force", verbosity=0)
    assert Agency.objects.get(code="SXD").name == "Tên mới"

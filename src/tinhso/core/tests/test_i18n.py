"""Vietnamese first, English on request: the switch, the default, and the English catalogue's freshness."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

CATALOGUE = Path(settings.PACKAGE_DIR) / "locale" / "en" / "LC_MESSAGES"
# Each app keeps its own English catalogue beside its code (makemessages files a string under the nearest
# `locale` folder); the project catalogue holds core's strings.
APP_CATALOGUES = sorted(
    po.parent
    for po in Path(settings.PACKAGE_DIR).glob("*/**/locale/en/LC_MESSAGES/django.po")
    if "locale_thirdparty" not in po.parts
)
ALL_CATALOGUES = [CATALOGUE, *APP_CATALOGUES]
CATALOGUE_IDS = [str(c.relative_to(settings.PACKAGE_DIR).parents[2]) for c in ALL_CATALOGUES]
NEEDS_GETTEXT = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("xgettext")), reason="GNU gettext (msgfmt, xgettext) is not installed"
)


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    # A request in English leaves English active in this thread; later tests must not inherit it.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.django_db
def test_vietnamese_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Bỏ qua, đến nội dung chính" in body
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_the_switch_turns_the_home_page_english_and_back(client):
    home = client.get(reverse("home")).content.decode()
    assert 'name="language" value="en"' in home and ">English</button>" in home
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Skip to main content" in body
    assert "Digital map" in body and "Bản đồ số" not in body
    assert ">Tiếng Việt</button>" in body
    back = client.post(reverse("set_language"), {"language": "vi", "next": reverse("home")}, follow=True)
    assert "Bản đồ số" in back.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="vi">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_english_admin_and_api_messages(client, admin_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    assert "Tỉnh số administration" in client.get(reverse("admin:index")).content.decode()
    response = client.get(reverse("api-unit", args=["99999"]))
    assert response.json()["errors"][0]["message"] == "Not found."


def _po_entries(path: Path) -> list[tuple[str, str, str]]:
    """Return (flags, msgid, msgstr) of every entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags = " ".join(re.findall(r"^#,(.*)$", block, re.M))
        msgid = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n)+)', block + "\n", re.M)
        if msgid and msgstr:
            joined = ["".join(re.findall(r'"(.*)"', m.group(1))) for m in (msgid, msgstr)]
            if joined[0]:
                entries.append((flags, joined[0], joined[1]))
    return entries


def test_every_app_with_a_catalogue_is_found():
    assert {"feedback", "indicators", "identity", "eservices", "dashboard"} <= set(CATALOGUE_IDS)


@pytest.mark.parametrize("catalogue", ALL_CATALOGUES, ids=CATALOGUE_IDS)
def test_every_english_entry_is_translated_and_not_fuzzy(catalogue):
    entries = _po_entries(catalogue / "django.po")
    assert entries
    assert [msgid for flags, msgid, msgstr in entries if not msgstr or "fuzzy" in flags] == []


def test_the_compiled_catalogue_is_committed_and_loads():
    english = gettext.GNUTranslations((CATALOGUE / "django.mo").open("rb"))
    assert english.gettext("Bỏ qua, đến nội dung chính") == "Skip to main content"


@NEEDS_GETTEXT
@pytest.mark.parametrize("catalogue", ALL_CATALOGUES, ids=CATALOGUE_IDS)
def test_the_compiled_catalogue_matches_the_po_file(tmp_path, catalogue):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(catalogue / "django.po")], check=True)
    committed = gettext.GNUTranslations((catalogue / "django.mo").open("rb"))._catalog
    assert gettext.GNUTranslations(fresh.open("rb"))._catalog == committed, "run `tinhso compilemessages`"


@NEEDS_GETTEXT
def test_every_marked_string_is_in_the_english_catalogue(tmp_path, settings, monkeypatch):
    # Extract from a copy of the sources: makemessages writes into any `locale` folder it walks past.
    source = Path(settings.PACKAGE_DIR)
    copy = tmp_path / "tinhso"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("data", "static", "tests", "__pycache__", "locale_thirdparty", "*.mo", "*.json"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_wrap=True, verbosity=0)
    missing = [
        f"{po.relative_to(copy)}: {msgid}"
        for po in sorted(copy.glob("**/locale/en/LC_MESSAGES/django.po"))
        for flags, msgid, msgstr in _po_entries(po)
        if not msgstr
    ]
    assert missing == [], (
        "Strings without English: cd src/tinhso && DEBUG=1 tinhso makemessages -l en --no-wrap -i tests -i data "
        "-i static, translate them in the app's locale/en/LC_MESSAGES/django.po, then tinhso compilemessages."
    )


THIRD_PARTY = Path(settings.PACKAGE_DIR) / "locale_thirdparty" / "vi" / "LC_MESSAGES"


@pytest.mark.django_db
def test_the_admin_names_third_party_apps_and_controls_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Tác vụ nền" in index and "Kết quả tác vụ" in index
    assert "Tasks Database Backend" not in index and "Task Results" not in index
    assert "Các loại dữ liệu trong ứng dụng" in index
    units = client.get(reverse("admin:core_adminunit_changelist")).content.decode()
    assert "Hiện số lượng" in units and "Show counts" not in units
    assert "Bỏ qua, đến nội dung chính" in units and "Toggle theme" not in units
    tasks = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "Sẵn sàng" in tasks and "độ ưu tiên" in tasks.lower()


@pytest.mark.django_db
def test_the_admin_calendar_widget_names_weekdays_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    catalogue = client.get(reverse("admin:jsi18n")).content.decode()
    assert "Th\\u1ee9 Hai" in catalogue or "Thứ Hai" in catalogue


@pytest.mark.django_db
def test_english_keeps_the_third_party_names(client, admin_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Tasks Database Backend" in index and "Tác vụ nền" not in index


def test_every_third_party_msgid_still_exists_upstream():
    # Upstream rewording a message silently orphans our entry; this names the stale ones. Django ships English
    # .po files; DRF and django_tasks only their sources, where the msgid appears unescaped.
    # django-allauth ships no Vietnamese catalogue; its French one lists every msgid it uses.
    import allauth
    import django
    import django_tasks
    import django_tasks_db
    import rest_framework

    catalogues = {
        msgid
        for po in [
            *Path(django.__file__).parent.glob("**/locale/en/LC_MESSAGES/*.po"),
            Path(allauth.__file__).parent / "locale/fr/LC_MESSAGES/django.po",
        ]
        for _flags, msgid, _msgstr in _po_entries(po)
    }
    sources = "".join(
        source.read_text(encoding="utf-8")
        for package in (rest_framework, django_tasks, django_tasks_db)
        for source in Path(package.__file__).parent.glob("**/*.py")
    )
    entries = [entry for name in ("django.po", "djangojs.po") for entry in _po_entries(THIRD_PARTY / name)]
    stale = [
        msgid
        for _flags, msgid, _msgstr in entries
        if msgid not in catalogues and msgid.replace('\\"', '"') not in sources
    ]
    assert len(entries) > 300
    assert stale == []


@NEEDS_GETTEXT
@pytest.mark.parametrize("name", ["django", "djangojs"])
def test_the_third_party_catalogues_are_compiled_from_their_po_files(tmp_path, name):
    fresh = tmp_path / f"{name}.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(THIRD_PARTY / f"{name}.po")], check=True)
    committed = gettext.GNUTranslations((THIRD_PARTY / f"{name}.mo").open("rb"))._catalog
    assert gettext.GNUTranslations(fresh.open("rb"))._catalog == committed, "run msgfmt on locale_thirdparty"

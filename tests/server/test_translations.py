"""The catalogs are current and every patient-facing string is translated (catalogs.py).

The marked strings are extracted afresh, as ``make messages`` does (Django's ``makemessages``,
GNU xgettext), from a copy of the package with source locations, into a temporary folder: the
committed catalogs are never written. Then, for every catalog on disk: exactly the marked strings
(a string added to a template and not to the catalogs fails: run ``make messages``), nothing fuzzy,
the compiled .mo equal to its .po; and for every language in ``catalogs.SHIPPED``, a translation
of every string whose location is in ``catalogs.PATIENT_FACING``, with the same placeholders.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

from cordtrack.server import catalogs

PACKAGE = catalogs.LOCALE_DIR.parent
Key = tuple[str | None, str]  # (msgctxt, msgid)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _key(entry: polib.POEntry) -> Key:
    return entry.msgctxt, entry.msgid


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def extract(package: Path, into: Path) -> dict[Key, list[str]]:
    """Every marked string of ``package`` with its source files (as ``make messages`` finds
    them, plus locations)."""
    source = into / "src"
    shutil.copytree(package, source, ignore=shutil.ignore_patterns(
        "locale", "static", "migrations", "__pycache__", "*.pyc"))  # fmt: skip
    (source / "locale").mkdir()
    with pytest.MonkeyPatch.context() as mp, override_settings(LOCALE_PATHS=[]):
        mp.chdir(source)
        call_command("makemessages", locale=["xx"], verbosity=0, no_obsolete=True)
    po = polib.pofile(str(source / "locale" / "xx" / "LC_MESSAGES" / "django.po"))
    return {_key(e): [f for f, _ in e.occurrences] for e in po if not e.obsolete}


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, list[str]]:
    return extract(PACKAGE, tmp_path_factory.mktemp("extract"))


def on_disk() -> Iterator[tuple[str, polib.POFile]]:
    for po_path in sorted(catalogs.LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
        yield po_path.parts[-3], polib.pofile(str(po_path))


# --- the checks, as functions the tests below also try on a broken catalog ----------------


def stale(po: polib.POFile, marked: Mapping[Key, list[str]]) -> list[str]:
    """Strings marked in the code but not in the catalog, and entries no longer marked."""
    have = {_key(e) for e in po if not e.obsolete}
    missing = [f"missing: {k[1]!r}" for k in marked if k not in have]
    extra = [f"no longer used: {k[1]!r}" for k in have if k not in marked]
    obsolete = [f"obsolete: {e.msgid!r}" for e in po if e.obsolete]
    fuzzy = [f"fuzzy: {e.msgid!r}" for e in po if "fuzzy" in e.flags and e.msgid]
    return missing + extra + obsolete + fuzzy


def untranslated(po: polib.POFile, marked: Mapping[Key, list[str]]) -> list[str]:
    """Patient-facing strings with no translation, or with other placeholders than the source."""
    entries = {_key(e): e for e in po if not e.obsolete}
    problems = []
    for key, files in marked.items():
        if not any(catalogs.is_patient_facing(f) for f in files):
            continue
        entry = entries.get(key)
        if entry is None or not _translated(entry) or "fuzzy" in entry.flags:
            problems.append(f"{key[1]!r} ({files[0]})")
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            # A plural form may leave the count out ("one day"); a named placeholder never.
            found = sorted(PLACEHOLDER.findall(text))
            if found != wanted and not (entry.msgid_plural and set(found) <= set(wanted)):
                problems.append(f"{key[1]!r}: placeholders {found} instead of {wanted}")
    return problems


def compiled_differs(po_path: Path) -> bool:
    """Whether the committed .mo says something else than its .po (run ``make messages``)."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    po = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural))
          for e in polib.pofile(str(po_path)) if e.msgid and e.translated()}  # fmt: skip
    mo = {(e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
          for e in polib.mofile(str(mo_path)) if e.msgid}  # fmt: skip
    po = {k: (s, {int(n): v for n, v in p.items()}) for k, (s, p) in po.items()}
    return po != mo


# --- the catalogs -----------------------------------------------------------------------------


def test_every_language_offered_but_english_has_a_catalog_and_shipped_ones_are_offered() -> None:
    from django.conf import settings

    offered = {code for code, _ in settings.LANGUAGES} - {"en"}
    assert {code for code, _ in on_disk()} == offered
    assert set(catalogs.SHIPPED) <= offered


def test_catalogs_hold_exactly_the_marked_strings_and_nothing_fuzzy(
    marked: dict[Key, list[str]],
) -> None:
    assert len(marked) > 50  # the extraction found the registry's strings
    problems = {code: stale(po, marked) for code, po in on_disk()}
    assert not any(problems.values()), f"run `make messages`: {problems}"


def test_the_compiled_catalogs_match_their_sources() -> None:
    paths = sorted(catalogs.LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
    assert paths
    assert [p for p in paths if compiled_differs(p)] == [], "run `make messages`"


def test_every_patient_facing_string_is_translated_in_each_shipped_language(
    marked: dict[Key, list[str]],
) -> None:
    patient_facing = [k for k, files in marked.items()
                      if any(catalogs.is_patient_facing(f) for f in files)]  # fmt: skip
    assert len(patient_facing) > 20
    shipped = [(code, po) for code, po in on_disk() if code in catalogs.SHIPPED]
    assert [code for code, _ in shipped] == sorted(catalogs.SHIPPED)
    problems = [f"{code}: {p}" for code, po in shipped for p in untranslated(po, marked)]
    assert problems == [], "translate these in locale/<code>/LC_MESSAGES/django.po"


def test_every_patient_facing_path_exists() -> None:
    missing = [p for p in catalogs.PATIENT_FACING if not (PACKAGE / p).exists()]
    assert missing == []


# --- the checks catch what they are for ---------------------------------------------------


def _catalog(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    for entry in entries:
        po.append(entry)
    return po


def test_the_checks_find_a_new_string_a_fuzzy_one_an_untranslated_one_and_a_lost_placeholder(
) -> None:  # fmt: skip
    marked = {
        (None, "Sign in"): ["templates/registration/login.html"],
        (None, "Hello %(name)s"): ["templates/journey/portal.html"],
        (None, "Lots"): ["templates/therapy/lots.html"],  # a staff page: English is fine
        (None, "New"): ["templates/journey/portal.html"],
    }
    po = _catalog(
        polib.POEntry(msgid="Sign in", msgstr="", flags=[]),
        polib.POEntry(msgid="Hello %(name)s", msgstr="مرحبا", flags=["python-format"]),
        polib.POEntry(msgid="Lots", msgstr="", flags=["fuzzy"]),
        polib.POEntry(msgid="Gone", msgstr="ذهب"),
    )
    assert stale(po, marked) == ["missing: 'New'", "no longer used: 'Gone'", "fuzzy: 'Lots'"]
    assert untranslated(po, marked) == [
        "'Sign in' (templates/registration/login.html)",
        "'Hello %(name)s': placeholders [] instead of ['name']",
        "'New' (templates/journey/portal.html)",
    ]

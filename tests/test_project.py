"""The project as a maintainer meets it: its import contracts hold, every environment variable
it reads is documented, reading the settings changes nothing on disk, the package metadata
names every runtime dependency, and it cites its own documents only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["casework", "workflows", "config", "bench", "tests", "docs"]


def _files(*suffixes: str) -> list[Path]:
    found = []
    for top in SOURCES:
        found += [p for p in (ROOT / top).rglob("*") if p.suffix in suffixes and p.is_file()]
    return found + [ROOT / name for name in ("README.md", "Makefile", "Procfile", "manage.py")]


def test_the_import_contracts_hold():
    """No import cycle between modules; workflows above casework; casework's layers (the
    contracts are in pyproject.toml)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def read_variables() -> set[str]:
    """The environment variables the settings, the Procfile and the Makefile read."""
    names: set[str] = set()
    pattern = re.compile(
        r"""(?:environ(?:\.get)?\(|environ\[|env_bool\(|env_list\(|getenv\()\s*['"]([A-Z][A-Z0-9_]+)"""
    )
    for path in (ROOT / "config").rglob("*.py"):
        names |= set(pattern.findall(path.read_text()))
    names |= set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "Procfile").read_text()))
    names |= set(re.findall(r"^([A-Z_]+) \?=", (ROOT / "Makefile").read_text(), re.M))
    names.add("DATABASE_URL")  # read by dj-database-url
    return names - {"VENV", "BIN", "PG_HOST", "REDIS_HOST"}  # the Makefile's own


def documented_variables() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("## Environment variables", 1)[1]
    return {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }


def test_every_environment_variable_is_documented_in_one_table():
    missing = read_variables() - documented_variables()
    assert not missing, f"not in docs/architecture.md: {sorted(missing)}"
    assert len(read_variables()) >= 45


def test_reading_the_settings_creates_no_folder(tmp_path):
    var = tmp_path / "var"
    env = {**os.environ, "ASPIRASI_VAR_DIR": str(var), "SECRET_KEY": "k" * 60}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for module in ("config.settings.dev", "config.settings.production", "config.settings.test"):
        subprocess.run(
            [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env, check=True, timeout=60
        )
        assert not var.exists(), module
    # Django's start creates what the embedded default writes to
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.dev'; django.setup()"
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True, timeout=60)
    assert (var / "static").is_dir() and (var / "celery" / "out").is_dir()


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=~!; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_the_package_metadata_names_every_runtime_dependency():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {_name(r) for r in pyproject["project"]["dependencies"]}
    pinned = {
        _name(line)
        for line in (ROOT / "requirements" / "base.in").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    }
    assert pinned == declared


def test_the_project_cites_its_own_documents_only():
    cited = []
    for path in _files(".py", ".md", ".html", ".txt", ".toml"):
        if path == Path(__file__):
            continue
        text = path.read_text(errors="replace")
        if re.search(r"DESIGN(\.md)?\s*§|DESIGN\.md|\.\./shared", text):
            cited.append(str(path.relative_to(ROOT)))
    assert not cited, cited


def test_make_test_fails_when_a_test_is_skipped(tmp_path):
    """``make test`` runs the whole suite: a test that skips (no Chromium, no PostgreSQL)
    fails the run instead of passing it quietly."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import pytest\n\n\ndef test_skipped():\n    pytest.skip('no chromium')\n\n\n"
        "def test_run():\n    pass\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "tests.support.no_skips", str(probe)]
    command += ["-p", "no:cacheprovider", "-p", "no:django", "--rootdir", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if k != "ASPIRASI_FORBID_SKIPS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout  # elsewhere a skip is a skip
    env["ASPIRASI_FORBID_SKIPS"] = "1"
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "forbids skips" in run.stdout, run.stdout


def _catalogue(path: Path) -> tuple[str, dict[str, str]]:
    """The header and the translations of a .po file (plural entries by their singular)."""
    text = path.read_text()
    entries = text.split("\n\n")
    found: dict[str, str] = {}
    for entry in entries[1:]:
        if "#, fuzzy" in entry:
            found.setdefault("__fuzzy__", "")
        msgid = re.search(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n?)+)', entry, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:"(?:[^"\\]|\\.)*"\n?)+)', entry, re.M)
        if msgid and msgstr:
            key = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', msgid.group(1)))
            context = re.search(r'^msgctxt "((?:[^"\\]|\\.)*)"', entry, re.M)
            if context:  # as gettext keys it: context, EOT, message
                key = f"{context.group(1)}\x04{key}"
            found[key] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', msgstr.group(1)))
    return entries[0], found


def _translatable_strings() -> set[str]:
    """String literals the code marks for translation: ``_()``, ``gettext()``,
    ``gettext_lazy()``, ``ngettext()``, ``pgettext()`` in Python, ``{% translate %}`` in templates."""
    import ast

    names = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}
    found: set[str] = set()
    for path in list((ROOT / "casework").rglob("*.py")) + list((ROOT / "workflows").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
            ):
                texts = [
                    a.value
                    for a in node.args[:2]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                if node.func.id == "pgettext" and len(texts) == 2:
                    found.add(f"{texts[0]}\x04{texts[1]}")  # gettext's key: context, EOT, text
                elif node.func.id != "pgettext" and texts:
                    found.add(texts[0])
    for path in (ROOT / "casework" / "templates").rglob("*.html"):
        found |= set(re.findall(r'{%\s*translate\s+"([^"]+)"', path.read_text()))
    return found


def test_every_string_the_code_translates_is_in_bahasa_indonesia():
    """The default language is Bahasa Indonesia: every string marked for translation has a
    (not fuzzy) Indonesian translation, plurals included, and the compiled catalogue says
    the same as its source."""
    import gettext

    header, catalogue = _catalogue(ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po")
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "__fuzzy__" not in catalogue, "fuzzy translations are not used"
    escape = {'\\"': '"', "\\n": "\n", "\\\\": "\\"}
    untranslated = []
    for text in sorted(_translatable_strings()):
        key = re.sub(r'\\(["n\\])', lambda m: escape[m.group(0)], text)
        po_key = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if not catalogue.get(po_key):
            untranslated.append(key)
    assert not untranslated, f"no Indonesian translation: {untranslated}"
    with open(ROOT / "locale" / "id" / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        key
        for key, value in catalogue.items()
        if key != "__fuzzy__"
        and "\\" not in key
        and value
        and "\\" not in value
        and compiled.gettext(key) != value
    ]
    assert not stale, f"django.mo is older than django.po (manage.py compilemessages): {stale[:5]}"

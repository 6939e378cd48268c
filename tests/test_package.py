"""The release: `python -m build` makes an sdist and a wheel that `twine check --strict` accepts;
the wheel holds the gogen package with its templates and data and nothing else, installs into a
fresh virtual environment (and with pipx) and runs; towncrier builds the changelog from the
fragments in changelog.d/.

The build, install and pipx tests are marked `slow` (seconds each; the installs reach PyPI or
pip's cache for the dependencies).
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import gogen
from tests.conftest import ROOT

VERSION = gogen.__version__
DIST_INFO = f"gogen-{VERSION}.dist-info"
# What the sdist holds: pyproject's include list (each that exists), and what hatchling adds.
SDIST_INCLUDE = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["sdist"]
SDIST_TOP = {name for name in SDIST_INCLUDE["include"] if (ROOT / name).exists()} | {"PKG-INFO", ".gitignore"}
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
QUIET_PIP = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a tool; a failure shows its output. Returns stdout."""
    result = subprocess.run(
        argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, f"{' '.join(argv[:4])} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it, as `python -m build` makes them (hatchling from the test extra)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)])
    return out


def the_wheel(dist: Path) -> Path:
    return dist / f"gogen-{VERSION}-py3-none-any.whl"


def the_sdist(dist: Path) -> Path:
    return dist / f"gogen-{VERSION}.tar.gz"


def source_files(folder: Path) -> set[str]:
    """The files under `folder` (relative), without Python's byte-code caches."""
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    return {name for name in found if "__pycache__/" not in name and not name.endswith(".pyc")}


def package_files() -> set[str]:
    """What the wheel must hold of the checkout: every file of gogen/ (Python, data, schemas...),
    and templates/ as gogen/templates/."""
    package = {f"gogen/{name}" for name in source_files(ROOT / "gogen")}
    return package | {f"gogen/templates/{name}" for name in source_files(ROOT / "templates")}


def metadata(dist: Path) -> email.message.Message:
    with zipfile.ZipFile(the_wheel(dist)) as wheel:
        return email.parser.Parser().parsestr(wheel.read(f"{DIST_INFO}/METADATA").decode())


@pytest.mark.slow
def test_the_wheel_holds_the_package_its_templates_and_data_and_nothing_else(dist: Path) -> None:
    with zipfile.ZipFile(the_wheel(dist)) as wheel:
        names = set(wheel.namelist())
    assert {name.split("/")[0] for name in names} == {"gogen", DIST_INFO}
    assert {"gogen/templates/Dockerfile.j2", "gogen/data/images.toml", "gogen/cli.py"} <= names
    assert {name for name in names if not name.startswith(DIST_INFO)} == package_files()
    assert {name for name in names if name.startswith(DIST_INFO)} == {
        f"{DIST_INFO}/{name}" for name in ("METADATA", "WHEEL", "RECORD", "entry_points.txt", "licenses/LICENSE")
    }


@pytest.mark.slow
def test_the_metadata_says_what_a_package_index_shows(dist: Path) -> None:
    meta = metadata(dist)
    assert meta["Version"] == VERSION
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier") or []
    assert not [c for c in classifiers if c.startswith("License ::")], "PEP 639: the expression, no license classifier"
    assert {f"Programming Language :: Python :: {v}" for v in PYTHON_VERSIONS} <= set(classifiers)
    assert "Topic :: Software Development :: Build Tools" in classifiers
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Repository", "Issues", "Changelog"}
    assert str(meta.get_payload()).startswith("# gogen"), "the long description is the README"


@pytest.mark.slow
def test_the_sdist_holds_the_sources_their_tests_and_examples(dist: Path) -> None:
    with tarfile.open(the_sdist(dist)) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert {name.split("/")[0] for name in names} == SDIST_TOP
    assert {"gogen", "templates", "tests", "fixtures", "examples", "LICENSE", "CHANGELOG.md"} <= SDIST_TOP
    assert "examples/copier-go-service/copier.yml" in names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("changelog.d", ".venv", "dist"))]


@pytest.mark.slow
def test_twine_check_strict_accepts_both(dist: Path) -> None:
    output = run([sys.executable, "-m", "twine", "check", "--strict", str(the_wheel(dist)), str(the_sdist(dist))])
    assert output.count("PASSED") == 2, output


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_environment_and_runs(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(the_wheel(dist))], env=QUIET_PIP)
    assert run([str(venv / "bin" / "gogen"), "--version"], cwd=tmp_path).strip() == f"gogen {VERSION}"
    located = run([str(python), "-c", "import gogen; print(gogen.__file__)"], cwd=tmp_path)
    assert Path(located.strip()).is_relative_to(venv)
    # The templates and data come from the installed package: a dry run renders a Dockerfile.
    dry_run = run([str(venv / "bin" / "gogen"), "init", "--dry-run", str(ROOT / "fixtures" / "multi-cmd" / "repo")])
    assert "would create" in dry_run


@pytest.mark.slow
def test_pipx_installs_the_checkout(tmp_path: Path) -> None:
    pipx = {
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "PIPX_DEFAULT_PYTHON": sys.executable,
        **QUIET_PIP,
    }
    run([sys.executable, "-m", "pipx", "install", str(ROOT)], cwd=tmp_path, env=pipx)
    assert run([str(tmp_path / "bin" / "gogen"), "--version"], cwd=tmp_path).strip() == f"gogen {VERSION}"


def towncrier(*args: str, cwd: Path = ROOT) -> str:
    return run([sys.executable, "-m", "towncrier", *args], cwd=cwd)


def fragments() -> list[Path]:
    return sorted(p for p in (ROOT / "changelog.d").iterdir() if p.suffix == ".md")


def test_towncrier_drafts_the_release_from_every_fragment() -> None:
    draft = towncrier("build", "--draft", "--version", VERSION, "--date", "2026-12-08")
    assert f"## {VERSION} (2026-12-08)" in draft
    assert fragments(), "changelog.d/ holds the changes not released yet"
    for fragment in fragments():
        kind = fragment.name.split(".")[1]
        assert f"### {kind.capitalize()}" in draft, fragment.name
        assert fragment.read_text().strip() in draft, fragment.name


def test_towncrier_writes_the_release_under_the_changelog_marker(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "changelog.d", tmp_path / "changelog.d")
    towncrier("build", "--keep", "--version", VERSION, "--date", "2026-12-08", cwd=tmp_path)
    before, marker, after = (tmp_path / "CHANGELOG.md").read_text().partition("<!-- towncrier release notes start -->")
    assert marker, "the marker stays, for the next release"
    assert before == (ROOT / "CHANGELOG.md").read_text().partition(marker)[0]
    assert after.lstrip().startswith(f"## {VERSION} (2026-12-08)\n")

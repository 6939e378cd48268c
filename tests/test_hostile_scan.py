"""A repository is untrusted input: what the scanner reads, and how it fails, on hostile ones.

Each test builds its hostile repository itself. The scanner reads only regular files inside
the repository, never blocks on a FIFO, never quotes a file from outside, and turns every
malformed input into a one-line error naming the file and line, or a warning.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from gogen import api
from gogen.errors import GogenError, ParseError, RepositoryError
from gogen.model import Project, Warning
from gogen.plan import plan
from gogen.scan.gomod import is_local_path
from gogen.settings import Options
from tests.repo_builder import MAIN, gogen, write_repo

GO_MOD = "module a.com/x\n\ngo 1.22\n"
SECRET = "TOPSECRET-d41d8cd98f00"


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Fail a test that blocks (on a FIFO, say) instead of hanging the whole run."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the scan blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def warning(project: Project, code: str) -> Warning:
    found = [w for w in project.warnings if w.code == code]
    assert found, f"no {code} warning in {[(w.code, w.file) for w in project.warnings]}"
    return found[0]


def no_secret_anywhere(project: Project) -> None:
    assert SECRET not in api.to_json(project)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the repository, holding files nobody meant to share."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secrets.env").write_text(f"{SECRET}\nAWS_KEY={SECRET}\n")
    (folder / "go.mod").write_text(f"{SECRET} a.com/evil\n")
    (folder / "lib").mkdir()
    (folder / "lib" / "go.mod").write_text("module a.com/lib\n\ngo 1.22\n")
    (folder / "lib" / "secret.txt").write_text(SECRET)
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {"go.mod": GO_MOD, "main.go": MAIN})


# 1. Reading outside the repository, and files that are not regular files.


def test_a_gitignore_linked_outside_is_not_copied_into_the_dockerignore(repo: Path, outside: Path) -> None:
    (repo / ".gitignore").symlink_to(outside / "secrets.env")
    project = api.scan(repo)
    assert project.gitignore == ()
    found = warning(project, "symlink-outside")
    assert found.file == ".gitignore"
    no_secret_anywhere(project)
    rendered = api.render(plan(project, Options()))
    assert all(SECRET not in text for text in rendered.values())


def test_a_go_mod_linked_outside_is_an_error_that_quotes_nothing(repo: Path, outside: Path) -> None:
    (repo / "go.mod").unlink()
    (repo / "go.mod").symlink_to(outside / "go.mod")
    with pytest.raises(RepositoryError) as info:
        api.scan(repo)
    assert info.value.file == "go.mod"
    assert "symbolic link" in info.value.message
    assert SECRET not in str(info.value)
    result = gogen("scan", repo)
    assert result.returncode == 2
    assert SECRET not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.mkdir()


def _socket(path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(path.parent)  # a socket's path is limited to ~100 bytes: bind it by its bare name
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path.name)
        sock.close()
    finally:
        os.chdir(cwd)


MAKERS = {"fifo": _fifo, "directory": _directory, "socket": _socket}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("name", ["go.mod", "go.work"])
def test_a_go_mod_or_go_work_that_is_no_regular_file_is_named_in_the_error(repo: Path, kind: str, name: str) -> None:
    (repo / name).unlink(missing_ok=True)
    MAKERS[kind](repo / name)
    with pytest.raises(RepositoryError) as info:
        api.scan(repo)
    assert info.value.file == name
    assert "not a regular file" in info.value.message
    assert "no go.mod" not in str(info.value)


def test_a_fifo_go_mod_never_blocks_the_command_line(repo: Path) -> None:
    (repo / "go.mod").unlink()
    os.mkfifo(repo / "go.mod")
    result = gogen("scan", repo)
    assert result.returncode == 2
    assert "go.mod" in result.stderr and "not a regular file" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_a_go_file_that_is_no_regular_file_is_skipped_with_a_warning(repo: Path, kind: str) -> None:
    MAKERS[kind](repo / "x.go")
    project = api.scan(repo)
    assert project.mains[0].files == ("main.go",)
    assert warning(project, "not-regular-file").file == "x.go"


def test_a_device_named_like_a_go_file_is_never_opened(repo: Path) -> None:
    try:
        os.mknod(repo / "dev.go", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    except PermissionError:
        (repo / "dev.go").symlink_to("/dev/zero")  # not root: a link out to the device instead
    project = api.scan(repo)
    assert project.mains[0].files == ("main.go",)
    assert {w.code for w in project.warnings if w.file == "dev.go"} <= {"not-regular-file", "symlink-outside"}
    assert any(w.file == "dev.go" for w in project.warnings)


def test_a_go_file_linked_to_a_fifo_inside_is_refused(repo: Path) -> None:
    os.mkfifo(repo / "pipe")
    (repo / "linked.go").symlink_to(repo / "pipe")
    project = api.scan(repo)
    assert project.mains[0].files == ("main.go",)
    assert warning(project, "not-regular-file").file == "linked.go"


def test_go_sum_and_go_work_sum_linked_outside_are_ignored_with_a_warning(repo: Path, outside: Path) -> None:
    (repo / "go.sum").symlink_to(outside / "secrets.env")
    project = api.scan(repo)
    assert project.modules[0].go_sum is None
    assert warning(project, "symlink-outside").file == "go.sum"
    no_secret_anywhere(project)


def test_hint_files_linked_outside_or_not_regular_are_ignored(repo: Path, outside: Path) -> None:
    (outside / "goreleaser.yaml").write_text(f"builds:\n  - main: .\n    binary: {SECRET}\n")
    (repo / ".goreleaser.yaml").symlink_to(outside / "goreleaser.yaml")
    os.mkfifo(repo / "Makefile")
    (repo / "scripts").mkdir()
    (repo / "scripts" / "build.sh").symlink_to(outside / "secrets.env")
    project = api.scan(repo)
    assert project.mains[0].binary == "x"
    by_file = {w.file: w.code for w in project.warnings}
    assert by_file[".goreleaser.yaml"] == "symlink-outside"
    assert by_file["Makefile"] == "not-regular-file"
    assert by_file["scripts/build.sh"] == "symlink-outside"
    no_secret_anywhere(project)


def test_a_scripts_folder_linked_outside_is_not_read(repo: Path, outside: Path) -> None:
    (outside / "build.sh").write_text(f"go build -o bin/{SECRET} ./\n")
    (repo / "scripts").symlink_to(outside, target_is_directory=True)
    project = api.scan(repo)
    assert project.mains[0].binary == "x"
    no_secret_anywhere(project)


def test_vendor_listing_paths_outside_is_never_walked(repo: Path, outside: Path) -> None:
    (outside / "pkg").mkdir()
    (outside / "pkg" / "p.go").write_text(f"package p\n\n// {SECRET}\n")
    write_repo(
        repo,
        {
            "go.mod": GO_MOD + "\nrequire b.com/y v1.0.0\n",
            "main.go": 'package main\n\nimport _ "b.com/y/../../../../outside/pkg"\n\nfunc main() {}\n',
            "vendor/modules.txt": "# b.com/y v1.0.0\n## explicit\nb.com/y/../../../../outside/pkg\n../../outside/pkg\n",
            "vendor/b.com/y/y.go": "package y\n",
        },
    )
    project = api.scan(repo)
    assert all("outside" not in p.dir for p in project.package_files)
    no_secret_anywhere(project)


def test_vendor_modules_txt_linked_outside_is_not_read(repo: Path, outside: Path) -> None:
    (repo / "vendor").mkdir()
    (repo / "vendor" / "modules.txt").symlink_to(outside / "secrets.env")
    project = api.scan(repo)
    assert project.vendor is False
    assert warning(project, "symlink-outside").file == "vendor/modules.txt"
    no_secret_anywhere(project)


def test_a_replace_through_a_linked_folder_leaving_the_repository_is_outside(repo: Path, outside: Path) -> None:
    write_repo(repo, {"go.mod": GO_MOD + "\nrequire a.com/lib v0.0.0\n\nreplace a.com/lib => ./lib\n"})
    (repo / "lib").symlink_to(outside / "lib", target_is_directory=True)
    project = api.scan(repo)
    found = warning(project, "replace-outside-repo")
    assert (found.file, found.line) == ("go.mod", 7)
    assert project.modules[0].local_replaces[0].inside_repo is False
    with pytest.raises(GogenError, match="outside the repository"):
        plan(project, Options())


# 2. go.work: every workspace the go command rejects is a one-line error on its line.


def _workspace(tmp_path: Path, work: str, extra: dict[str, str | bytes] | None = None) -> Path:
    files: dict[str, str | bytes] = {
        "go.work": work,
        "a/go.mod": "module a.com/a\n\ngo 1.22\n",
        "a/main.go": MAIN,
        "b/go.mod": "module a.com/b\n\ngo 1.22\n",
        "b/lib.go": "package b\n",
    }
    files.update(extra or {})
    return write_repo(tmp_path / "repo", files)


@pytest.mark.parametrize(
    ("work", "line", "words"),
    [
        ("go 1.22\n", 1, "no use directive"),
        ("go 1.22\n\nuse ()\n", 1, "no use directive"),
        ("go 1.22\n\nuse (\n\t./a\n\t./gone\n)\n", 5, "does not exist"),
        ("go 1.22\n\nuse ./a\nuse ./a.go\n", 4, "not a directory"),
        ("go 1.22\n\nuse ./a\nuse ./empty\n", 4, "has no go.mod"),
        ("go 1.22\n\nuse ./a\nuse ../outside/lib\n", 4, "outside the repository"),
        ("go 1.22\n\nuse ./a\nuse /etc\n", 4, "outside the repository"),
        ("go 1.22\n\nuse ./a\nuse C:\\work\\lib\n", 4, "outside the repository"),
        ("go 1.22\n\nuse ./a\nuse ./out\n", 4, "leads out of the repository"),
        ("go 1.22\n\nuse (\n\t./a\n\t./b\n\t./a/\n)\n", 6, "same directory as ./a"),
        ("go 1.22\n\nuse (\n\t./a\n\t./link\n)\n", 5, "same directory as ./a"),
        ("go 1.22\n\nuse (\n\t./a\n\t./twin\n)\n", 5, "module a.com/a is in the workspace twice"),
    ],
)
def test_a_workspace_the_go_command_rejects_is_an_error_on_its_line(
    tmp_path: Path, outside: Path, work: str, line: int, words: str
) -> None:
    repo = _workspace(tmp_path, work, {"a.go": "package x\n", "twin/go.mod": "module a.com/a\n\ngo 1.22\n"})
    (repo / "empty").mkdir()
    (repo / "out").symlink_to(outside / "lib", target_is_directory=True)
    (repo / "link").symlink_to(repo / "a", target_is_directory=True)
    with pytest.raises(ParseError) as info:
        api.scan(repo)
    assert (info.value.file, info.value.line) == ("go.work", line)
    assert words in info.value.message
    assert SECRET not in str(info.value)


def test_a_bad_workspace_is_one_line_and_exit_2_on_the_command_line(tmp_path: Path) -> None:
    repo = _workspace(tmp_path, "go 1.22\n\nuse (\n\t./a\n\t./b\n\t./b\n)\n")
    result = gogen("scan", repo)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "go.work:6:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_sound_workspace_still_scans(tmp_path: Path) -> None:
    repo = _workspace(tmp_path, "go 1.22\n\nuse (\n\t.\\a\n\t./b/\n)\n")
    project = api.scan(repo)
    assert project.workspace is not None and project.workspace.use == ("a", "b")
    assert [m.dir for m in project.mains] == ["a"]


# 3. //go:build expressions that would exhaust a recursive parser.

HOSTILE_CONSTRAINTS = {
    "nested": "(" * 5000 + "linux" + ")" * 5000,
    "flat-27kb": " && ".join(["linux"] * 3000),
    "negations": "!" * 5000 + "linux",
    "nested-negations": "!(" * 3000 + "linux" + ")" * 3000,
    "or-depth": "(a || " * 3000 + "linux" + ")" * 3000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CONSTRAINTS))
def test_hostile_build_constraints_are_a_warning_on_their_line(repo: Path, name: str) -> None:
    expression = HOSTILE_CONSTRAINTS[name]
    write_repo(repo, {"gen.go": f"// Code generated.\n\n//go:build {expression}\n\npackage main\n"})
    project = api.scan(repo)
    found = warning(project, "unparsable-go-file")
    assert (found.file, found.line) == ("gen.go", 3)
    assert "//go:build" in found.message
    assert project.mains[0].files == ("main.go",)


def test_a_deep_but_legal_constraint_is_parsed_and_applied(repo: Path) -> None:
    deep = "(" * 900 + "windows" + ")" * 900
    write_repo(repo, {"win.go": f"//go:build {deep}\n\npackage main\n\nvar x = 1\n"})
    project = api.scan(repo)
    assert not [w for w in project.warnings if w.code == "unparsable-go-file"]
    assert project.mains[0].files == ("main.go",)


# 4. //go:embed patterns the go command rejects, and matches that would leave the repository.


@pytest.mark.parametrize("pattern", ["/etc/passwd", "../outside/secrets.env", "all:../x", "./static", "a//b", "."])
def test_an_invalid_embed_pattern_is_a_warning_and_looks_nowhere(repo: Path, outside: Path, pattern: str) -> None:
    write_repo(
        repo,
        {
            "main.go": f'package main\n\nimport _ "embed"\n\n//go:embed {pattern}\nvar s string\n\nfunc main() {{}}\n',
            "static/a.txt": "a",
        },
    )
    project = api.scan(repo)
    found = warning(project, "embed-invalid-pattern")
    assert (found.file, found.line) == ("main.go", 5)
    assert project.mains[0].embeds == ()


def test_embed_matches_through_a_link_out_of_the_repository_are_dropped(repo: Path, outside: Path) -> None:
    write_repo(
        repo,
        {
            "main.go": 'package main\n\nimport "embed"\n\n//go:embed static/* web\nvar f embed.FS\n\nfunc main() {}\n',
            "web/index.html": "<html></html>",
        },
    )
    (repo / "static").symlink_to(outside, target_is_directory=True)
    (repo / "web" / "leak.txt").symlink_to(outside / "secrets.env")
    project = api.scan(repo)
    files = [file for embed in project.mains[0].embeds for file in embed.files]
    assert files == ["web/index.html"]
    no_secret_anywhere(project)


# 5. YAML bombs in .goreleaser.yaml.


def _aliases(anchor: str) -> str:
    return ", ".join([f"*{anchor}"] * 9)


YAML_BOMBS = {
    "flow": "builds: " + "[" * 5000 + "]" * 5000 + "\n",
    "flow-mapping": "builds: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
    "block-sequence": "builds:\n" + "- " * 5000 + "x\n",
    "block-mapping": "".join(" " * depth + "k:\n" for depth in range(1300)),
    "aliases": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"b{n}: &b{n} [{_aliases('a' if n == 0 else f'b{n - 1}')}]\n" for n in range(9))
    + "builds:\n  - main: .\n    binary: tool\n",
}


@pytest.mark.parametrize("name", sorted(YAML_BOMBS))
def test_a_goreleaser_bomb_is_a_hint_problem_not_a_traceback(repo: Path, name: str) -> None:
    write_repo(repo, {".goreleaser.yaml": YAML_BOMBS[name]})
    project = api.scan(repo)
    if name == "aliases":  # aliases are never expanded: the file is read, cheaply
        assert project.mains[0].binary == "tool"
        return
    found = warning(project, "hint-ignored")
    assert found.file == ".goreleaser.yaml"


def test_an_oversized_goreleaser_file_is_not_read(repo: Path) -> None:
    write_repo(repo, {".goreleaser.yaml": "# padding\n" * 200_000})
    project = api.scan(repo)
    assert warning(project, "file-too-large").file == ".goreleaser.yaml"


# 6. Windows absolute paths are never folders of the repository.


@pytest.mark.parametrize("target", ["C:\\x", "C:/x", "c:x", "\\\\server\\share", "\\x", "/abs/x"])
def test_a_replace_to_an_absolute_path_of_any_system_is_outside(repo: Path, target: str) -> None:
    assert is_local_path(target)
    write_repo(repo, {"go.mod": GO_MOD + f"\nrequire a.com/lib v0.0.0\n\nreplace a.com/lib => {target}\n"})
    (repo / "C:").mkdir()  # a folder literally named `C:` must not be taken for the target
    (repo / "C:" / "x").mkdir()
    (repo / "C:" / "x" / "go.mod").write_text("module a.com/lib\n\ngo 1.22\n")
    project = api.scan(repo)
    found = warning(project, "replace-outside-repo")
    assert (found.file, found.line) == ("go.mod", 7)
    assert [r.inside_repo for r in project.modules[0].local_replaces] == [False]
    with pytest.raises(GogenError):
        plan(project, Options())


# 7. Messages that point at the right line.


def test_a_nul_byte_in_go_mod_is_reported_on_its_line(repo: Path) -> None:
    write_repo(repo, {"go.mod": b"module a.com/x\n\ngo 1.22\n\nrequire (\n\tb.com/y v1.0.0\x00\n)\n"})
    with pytest.raises(ParseError) as info:
        api.scan(repo)
    assert (info.value.file, info.value.line) == ("go.mod", 6)


def test_a_nul_byte_in_a_go_file_is_reported_on_its_line(repo: Path) -> None:
    write_repo(repo, {"blob.go": b"package main\n\n// a\n// b\nvar x = 1 \x00\n"})
    project = api.scan(repo)
    found = warning(project, "unparsable-go-file")
    assert (found.file, found.line) == ("blob.go", 5)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("module a.com/x\n\ngo 2.0\n", 3),
        ("module a.com/x\n\n\ngo 3.1.4\n", 4),
        ("module a.com/x\n\ngo 1.22\ntoolchain go2.0.1\n", 4),
    ],
)
def test_a_go_version_no_release_has_is_an_error_on_its_line(repo: Path, text: str, line: int) -> None:
    write_repo(repo, {"go.mod": text})
    with pytest.raises(ParseError) as info:
        api.scan(repo)
    assert (info.value.file, info.value.line) == ("go.mod", line)
    result = gogen("scan", repo)
    assert result.returncode == 2 and f"go.mod:{line}:" in result.stderr


# 8. A directory chain 1,500 levels deep.


def test_a_1500_level_chain_is_scanned(repo: Path) -> None:
    current = repo
    for _ in range(1500):  # os.makedirs and Path.mkdir(parents=True) recurse per level
        current = current / "d"
        current.mkdir()
    (current / "main.go").write_text(MAIN)
    try:
        project = api.scan(repo)
        deep = "/".join(["d"] * 1500)
        assert sorted(m.dir for m in project.mains) == [".", deep]
        assert plan(project, Options(binaries=(deep,))).primary.package == f"./{deep}"
    finally:
        _remove_chain(repo / "d")


def _remove_chain(top: Path) -> None:
    """Remove a deep chain bottom-up without recursion (shutil.rmtree recurses per level)."""
    levels = [top]
    while True:
        below = [p for p in levels[-1].iterdir() if p.is_dir() and not p.is_symlink()]
        if not below:
            break
        levels.append(below[0])
    for level in reversed(levels):
        for child in level.iterdir():
            child.unlink()
        level.rmdir()


if sys.platform != "linux":  # pragma: no cover - FIFOs, sockets and /dev are Linux test fixtures here
    pytestmark = pytest.mark.skip(reason="hostile file types are built for Linux")

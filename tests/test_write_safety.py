"""Writing into a repository nobody trusts: never outside it, never through a link, all files
or none, backups never lost, one run at a time, and no temporaries left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gogen import api, dockerignore, lock, write
from gogen.errors import GogenError
from tests.repo_builder import copy_fixture, gogen

HAND_WRITTEN = "FROM golang\nCOPY . .\nRUN go build\n"
WORKFLOW = ".github/workflows/docker.yml"


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root` without following links: a file's bytes, a link's target."""
    entries: dict[str, bytes | str] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[rel] = f"-> {os.readlink(path)}"
            elif path.is_file():
                entries[rel] = path.read_bytes()
            else:
                entries[rel] = "<dir>"
    return entries


def temporaries(root: Path) -> list[str]:
    return sorted(rel for rel in snapshot(root) if rel.endswith(write.TEMPORARY_SUFFIX))


def outside_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "keep.txt").write_text("not gogen's\n")
    return folder


# --- Item 2: writes stay inside the repository ------------------------------------------------


@pytest.mark.parametrize(
    ("plant", "message"),
    [
        ("github-link-out", ".github is a symbolic link"),
        ("github-link-in", ".github is a symbolic link"),
        ("workflows-link-out", ".github/workflows is a symbolic link"),
        ("github-file", ".github is not a directory"),
    ],
)
def test_a_planted_parent_of_the_workflow_is_refused_and_nothing_is_written(
    tmp_path: Path, plant: str, message: str
) -> None:
    repo = copy_fixture("root-main", tmp_path)
    outside = outside_folder(tmp_path)
    if plant == "github-link-out":
        (repo / ".github").symlink_to(outside, target_is_directory=True)
    elif plant == "github-link-in":
        (repo / "ci").mkdir()
        (repo / ".github").symlink_to("ci", target_is_directory=True)
    elif plant == "workflows-link-out":
        (repo / ".github").mkdir()
        (repo / ".github" / "workflows").symlink_to(outside, target_is_directory=True)
    else:
        (repo / ".github").write_text("a file\n")
    before_repo, before_outside = snapshot(repo), snapshot(outside)

    result = gogen("ci", "github", repo)

    assert result.returncode == 2, result.stdout + result.stderr
    assert f"refusing to write {WORKFLOW}: {message}" in result.stderr
    assert snapshot(outside) == before_outside, "nothing created outside the repository"
    assert snapshot(repo) == before_repo, "all or nothing: not even the Dockerfile is written"


def test_missing_directories_are_created_inside_the_repository(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    result = gogen("ci", "github", repo)
    assert result.returncode == 0, result.stderr
    for rel in (".github", ".github/workflows"):
        assert (repo / rel).is_dir() and not (repo / rel).is_symlink()
    assert (repo / WORKFLOW).is_file() and not (repo / WORKFLOW).is_symlink()
    assert temporaries(repo) == []


def test_a_parent_swapped_for_a_link_after_the_compare_is_refused_before_any_rename(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    outside = outside_folder(tmp_path)
    files = {"Dockerfile": "# new\n", WORKFLOW: "on: push\n"}
    changes = write.compare(repo, files, force=False)
    assert [c.status for c in changes] == ["created", "created"]
    (repo / ".github").symlink_to(outside, target_is_directory=True)  # planted in between
    before_repo, before_outside = snapshot(repo), snapshot(outside)

    with pytest.raises(GogenError, match=r"refusing to write \.github/workflows/docker\.yml: \.github is a symbolic"):
        write.apply(repo, changes)

    assert snapshot(repo) == before_repo
    assert snapshot(outside) == before_outside


def test_a_file_changed_after_the_compare_is_not_overwritten(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    changes = write.compare(repo, {"Dockerfile": "# new\n"}, force=False)
    (repo / "Dockerfile").write_text(HAND_WRITTEN)
    with pytest.raises(GogenError, match="Dockerfile changed while gogen was running"):
        write.apply(repo, changes)
    assert (repo / "Dockerfile").read_text() == HAND_WRITTEN
    assert temporaries(repo) == []


@pytest.mark.parametrize("where", ["outside", "inside"])
def test_a_symlinked_dockerfile_is_refused_then_replaced_never_written_through(tmp_path: Path, where: str) -> None:
    repo = copy_fixture("root-main", tmp_path)
    secret = "TOP-SECRET-OUTSIDE-CONTENT"
    target = tmp_path / "secret.txt" if where == "outside" else repo / "docker" / "Dockerfile.real"
    target.parent.mkdir(exist_ok=True)
    target.write_text(f"FROM scratch\n# {secret}\n")
    link = str(target) if where == "outside" else "docker/Dockerfile.real"
    (repo / "Dockerfile").symlink_to(link)

    refused = gogen("init", "--diff", repo)
    assert refused.returncode == 1
    assert "refused   Dockerfile  (a symbolic link" in refused.stderr
    if where == "outside":
        assert "leads out of the repository" in refused.stderr
        assert secret not in refused.stdout + refused.stderr, "content outside the repository is never shown"
    assert os.readlink(repo / "Dockerfile") == link
    assert not (repo / ".dockerignore").exists()

    forced = gogen("init", "--force", repo)
    assert forced.returncode == 0, forced.stderr
    assert "replaced  Dockerfile" in forced.stdout
    assert not (repo / "Dockerfile").is_symlink(), "the link itself is replaced"
    assert "FROM" in (repo / "Dockerfile").read_text() and secret not in (repo / "Dockerfile").read_text()
    assert target.read_text() == f"FROM scratch\n# {secret}\n", "the link's target is never written"
    # Item 4: the backup of a link is the link, never its target's content.
    assert (repo / "Dockerfile.bak").is_symlink()
    assert os.readlink(repo / "Dockerfile.bak") == link
    assert temporaries(repo) == []


def test_a_symlinked_dockerignore_out_of_the_repository_is_backed_up_as_a_link(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    outside = tmp_path / "credentials"
    outside.write_text("aws_secret_access_key = SECRET\n")
    (repo / ".dockerignore").symlink_to(outside)
    result = gogen("init", "--force", repo)
    assert result.returncode == 0, result.stderr
    assert os.readlink(repo / ".dockerignore.bak") == str(outside)
    assert "SECRET" not in (repo / ".dockerignore").read_text()
    assert outside.read_text() == "aws_secret_access_key = SECRET\n"


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_an_output_that_is_not_a_regular_file_is_refused_naming_it(tmp_path: Path, kind: str) -> None:
    repo = copy_fixture("root-main", tmp_path)
    if kind == "directory":
        (repo / "Dockerfile").mkdir()
    else:
        os.mkfifo(repo / "Dockerfile")
    result = gogen("init", "--force", repo)
    assert result.returncode == 2
    assert "refusing to write Dockerfile: it is not a regular file" in result.stderr
    assert not (repo / ".dockerignore").exists()


# --- Item 8: a backup never overwrites another -----------------------------------------------


def test_an_existing_backup_is_never_overwritten(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "Dockerfile.bak").write_text("the user's own backup\n")
    (repo / ".dockerignore.bak").mkdir()  # the example: a directory where a backup would go
    (repo / "Dockerfile").write_text(HAND_WRITTEN)
    (repo / ".dockerignore").write_text("mine\n")

    result = gogen("init", "--force", repo)

    assert result.returncode == 0, result.stderr
    assert "replaced  Dockerfile  (gogen did not write it; backup in Dockerfile.bak.1)" in result.stdout
    assert "backup in .dockerignore.bak.1" in result.stdout
    assert (repo / "Dockerfile.bak").read_text() == "the user's own backup\n"
    assert (repo / "Dockerfile.bak.1").read_text() == HAND_WRITTEN
    assert (repo / ".dockerignore.bak").is_dir()
    assert (repo / ".dockerignore.bak.1").read_text() == "mine\n"

    (repo / "Dockerfile").write_text(HAND_WRITTEN + "# again\n")
    again = gogen("init", "--force", repo)
    assert "backup in Dockerfile.bak.2" in again.stdout
    assert (repo / "Dockerfile.bak.1").read_text() == HAND_WRITTEN
    assert (repo / "Dockerfile.bak.2").read_text() == HAND_WRITTEN + "# again\n"


def test_backup_and_temporary_names_are_covered_by_the_context_patterns() -> None:
    rules = dockerignore.parse("**/*.bak\n**/*.bak.*\n**/*.gogen-tmp\n")
    for name in ("Dockerfile.bak", "Dockerfile.bak.12", ".github/workflows/docker.yml.bak.3"):
        assert any(rule.matches(name) for rule in rules), name
    assert any(rule.matches(".Dockerfile.0123456789ab.gogen-tmp") for rule in rules)


# --- Item 7: all files or none ---------------------------------------------------------------


def a_repository_with_three_pending_writes(tmp_path: Path) -> Path:
    """After init: a hand-edited Dockerfile (forced: backup + replace), a new .gitignore
    (.dockerignore updated) and a new profile (gogen.toml updated): four renames in all."""
    repo = copy_fixture("root-main", tmp_path)
    assert gogen("init", repo).returncode == 0
    (repo / "Dockerfile").write_text((repo / "Dockerfile").read_text() + "LABEL mine=yes\n")
    (repo / ".gitignore").write_text("*.log\n")
    return repo


def failing_at(call: int, failure: BaseException) -> Callable[..., None]:
    """os.replace that fails on its `call`-th use and works otherwise (the real rename)."""
    real = os.replace
    calls = []

    def replace(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == call:
            raise failure
        real(*args, **kwargs)  # type: ignore[arg-type]

    return replace


@pytest.mark.parametrize("call", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "failure", [OSError(1, "Operation not permitted"), KeyboardInterrupt()], ids=["eperm", "interrupt"]
)
def test_a_rename_failing_midway_rolls_back_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: int, failure: BaseException
) -> None:
    repo = a_repository_with_three_pending_writes(tmp_path)
    before = snapshot(repo)
    monkeypatch.setattr(os, "replace", failing_at(call, failure))

    with pytest.raises(GogenError if isinstance(failure, OSError) else KeyboardInterrupt) as info:
        api.regen(repo, {"profile": "alpine"}, api.WriteOptions(force=True))

    monkeypatch.undo()
    assert snapshot(repo) == before, "the old set is intact: no new file, no backup, no temporary"
    if isinstance(failure, OSError):
        failed = {1: "back up Dockerfile to Dockerfile.bak", 2: "write Dockerfile", 3: "write .dockerignore"}
        assert str(info.value).startswith(f"cannot {failed.get(call, 'write gogen.toml')}: Operation not permitted")
        assert write.TEMPORARY_SUFFIX not in str(info.value), "names the output, not a temporary"
    # And the same run without the failure goes through.
    assert api.regen(repo, {"profile": "alpine"}, api.WriteOptions(force=True)).written
    assert (repo / "Dockerfile.bak").read_text().endswith("LABEL mine=yes\n")


def test_directories_created_for_a_failed_write_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_fixture("root-main", tmp_path)
    before = snapshot(repo)
    monkeypatch.setattr(os, "replace", failing_at(2, OSError(28, "No space left on device")))
    with pytest.raises(GogenError, match="No space left on device"):
        api.ci(repo, "github", api.WriteOptions())
    monkeypatch.undo()
    assert snapshot(repo) == before


# --- Item 9: one run at a time ---------------------------------------------------------------


def test_two_concurrent_inits_do_not_both_create(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    command = [sys.executable, "-m", "gogen", "init", str(repo)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    creators = [out for out, _ in outputs if "created   Dockerfile" in out]
    assert len(creators) == 1, outputs
    assert sum("unchanged Dockerfile" in out for out, _ in outputs) == 1, outputs


def test_a_second_run_waits_for_the_lock_then_compares_again(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    with lock.held(repo, exclusive=True):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "gogen", "init", str(repo)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert waiting.poll() is None, "the second run waits for the lock"
        assert not (repo / "Dockerfile").exists()
        (repo / "Dockerfile").write_text(HAND_WRITTEN)  # what the first run leaves
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 1, out + err
    assert "refused   Dockerfile  (gogen did not write it" in err, "compared with what is there after the wait"
    assert (repo / "Dockerfile").read_text() == HAND_WRITTEN


def test_a_run_that_cannot_get_the_lock_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_fixture("root-main", tmp_path)
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.3)
    with lock.held(repo, exclusive=True), pytest.raises(GogenError, match="another gogen run is working in"):
        api.init(repo, {}, api.WriteOptions())
    assert not (repo / "Dockerfile").exists()
    assert [p.name for p in repo.iterdir() if "lock" in p.name] == [], "the lock leaves no file in the repository"


def test_a_dry_run_shares_the_lock_with_other_dry_runs(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    with lock.held(repo, exclusive=False):
        outcome = api.init(repo, {}, api.WriteOptions(dry_run=True))
    assert not outcome.written and not (repo / "Dockerfile").exists()


# --- Item 10: leftovers of an interrupted run ------------------------------------------------


def test_leftover_temporaries_are_cleaned_on_the_next_run(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "sub").mkdir()
    leftovers = [
        ".Dockerfile.abcd1234.gogen-tmp",
        ".Dockerfile.bak.k2j3h4g5.gogen-tmp",
        f"{WORKFLOW[:-10]}.docker.yml.x9y8z7w6.gogen-tmp",
    ]
    for rel in leftovers:
        (repo / rel).write_text("half a file")
    (repo / ".dockerignore.zzzzzzzz.gogen-tmp").symlink_to(outside)  # a link: removed, never followed
    kept = {
        ".Dockerfile.dirdirdir.gogen-tmp": "dir",  # not a file gogen would have left
        "sub/.main.go.abcdefgh.gogen-tmp": "file",  # not a directory gogen writes to
        "notes.gogen-tmp": "file",  # not gogen's temporary naming
    }
    for rel, kind in kept.items():
        (repo / rel).mkdir() if kind == "dir" else (repo / rel).write_text("mine\n")

    dry = gogen("ci", "github", "--dry-run", repo)
    assert dry.returncode == 0 and (repo / leftovers[0]).exists(), "a dry run removes nothing"

    result = gogen("ci", "github", repo)

    assert result.returncode == 0, result.stderr
    for rel in [*leftovers, ".dockerignore.zzzzzzzz.gogen-tmp"]:
        assert not os.path.lexists(repo / rel), rel
    for rel in kept:
        assert (repo / rel).exists(), rel
    assert outside.read_text() == "keep me\n"


def test_temporaries_left_by_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    """A real `kill -9` between writing the temporaries and renaming them."""
    repo = copy_fixture("root-main", tmp_path)
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from gogen import api\n"
        "real = os.replace\n"
        "def stop(*args, **kwargs):\n"
        "    os.kill(os.getpid(), 9)\n"
        "os.replace = stop\n"
        "api.init(Path(sys.argv[1]), {}, api.WriteOptions())\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, check=False)
    assert killed.returncode == -9
    assert len(temporaries(repo)) == 3
    assert not (repo / "Dockerfile").exists()

    assert gogen("init", repo).returncode == 0
    assert temporaries(repo) == []
    assert (repo / "Dockerfile").is_file()

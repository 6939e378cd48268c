"""A hand-written Dockerfile is refused, and `gogen init` says how gogen's would differ from it.

`compare` on constructed data; the Outcome's `migration` through the API; the refusal, the
replacement and their output through the command line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gogen import api, report
from gogen.managed import marker_line, stamp
from gogen.migration import Difference, compare, same_image
from gogen.model import BinaryPlan, DockerfileHint, Evidence, Plan, Port
from tests.repo_builder import MAIN, gogen, write_repo

HAND_WRITTEN = """\
# Built by hand.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /bin/etcd ./server

FROM alpine:3.20
COPY --from=build /bin/etcd /usr/local/bin/etcd
EXPOSE 2379 2380
ENTRYPOINT ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"]
"""

GO_MOD = "module example.com/etcd\n\ngo 1.22\n"


def etcd_repo(root: Path, dockerfile: str = HAND_WRITTEN) -> Path:
    return write_repo(root, {"go.mod": GO_MOD, "server/main.go": MAIN, "Dockerfile": dockerfile})


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` and its bytes: what 'nothing written' is compared with."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# compare, on constructed data


def ev(line: int, text: str) -> Evidence:
    return Evidence("Dockerfile", line, text)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """A real plan, with the fields compare reads set by hand."""
    repo = write_repo(tmp_path_factory.mktemp("plan"), {"go.mod": GO_MOD, "main.go": MAIN})
    base = api.plan(repo, {})[1]
    binary = BinaryPlan("etcd-server", ".", "example.com/etcd", "build", "etcd-server", (2379,), True)
    return dataclasses.replace(
        base,
        binaries=(binary,),
        runtime_image="gcr.io/distroless/static-debian12:nonroot@sha256:" + "0" * 64,
        user="65532:65532",
        uid=65532,
        user_name="nonroot",
    )


def hint(**given: object) -> DockerfileHint:
    """The project's Dockerfile as the scan reads it; by default one that agrees with `plan`."""
    values: dict[str, object] = {
        "file": "Dockerfile",
        "entrypoint": ("/usr/local/bin/etcd-server",),
        "entrypoint_evidence": ev(9, 'ENTRYPOINT ["/usr/local/bin/etcd-server"]'),
        "binary": "etcd-server",
        "ports": (Port(2379, "", "expose", "Dockerfile", 8, "EXPOSE 2379"),),
        "base_image": "gcr.io/distroless/static-debian12:nonroot",
        "base_image_evidence": ev(5, "FROM gcr.io/distroless/static-debian12:nonroot"),
        **given,
    }
    return DockerfileHint(**values)  # type: ignore[arg-type]


def test_the_same_facts_are_no_difference(plan: Plan) -> None:
    assert compare(hint(), plan) == ()
    assert compare(hint(user="nonroot", user_evidence=ev(7, "USER nonroot")), plan) == ()
    assert compare(hint(user="65532", user_evidence=ev(7, "USER 65532")), plan) == ()


def test_every_difference_in_order_with_its_line(plan: Plan) -> None:
    expose = "EXPOSE 2380 2379"
    entry = ev(9, 'ENTRYPOINT ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"]')
    theirs = hint(
        entrypoint=("/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"),
        entrypoint_evidence=entry,
        binary="etcd",
        ports=(Port(2380, "", "expose", "Dockerfile", 8, expose), Port(2379, "", "expose", "Dockerfile", 8, expose)),
        base_image="alpine:3.20",
        base_image_evidence=ev(5, "FROM alpine:3.20"),
        user="root",
        user_evidence=ev(7, "USER root"),
    )
    assert compare(theirs, plan) == (
        Difference("binary", "etcd", "etcd-server", entry),
        Difference("ports", "2379, 2380", "2379", ev(8, expose)),
        Difference("arguments", "--data-dir /var/lib/etcd", "", entry),
        Difference("base image", "alpine:3.20", plan.runtime_image, ev(5, "FROM alpine:3.20")),
        Difference("user", "root", "65532:65532", ev(7, "USER root")),
    )


def test_cmd_arguments_count_only_when_the_program_is_the_entrypoint(plan: Plan) -> None:
    cmd = ev(10, 'CMD ["--config", "/etc/etcd two.yaml"]')
    direct = hint(cmd=("--config", "/etc/etcd two.yaml"), cmd_evidence=cmd)
    assert compare(direct, plan) == (Difference("arguments", "--config '/etc/etcd two.yaml'", "", cmd),)
    wrapped = hint(entrypoint=("sh", "-c", "exec etcd-server"), cmd=("--config", "x"), cmd_evidence=cmd)
    assert compare(wrapped, plan) == (), "under sh -c, CMD fills $0 and $1: not the program's arguments"
    shell = hint(entrypoint=("sh", "-c", "etcd-server --debug && echo done"))
    assert [d.theirs for d in compare(shell, plan)] == ["--debug"], "up to the shell operator"


def test_absences_are_differences_too(plan: Plan) -> None:
    empty = DockerfileHint("Dockerfile", (), None, None, (), "alpine:3.20", ev(1, "FROM alpine:3.20"))
    assert compare(empty, plan) == (
        Difference("binary", "", "etcd-server", None),
        Difference("ports", "", "2379", None),
        Difference("base image", "alpine:3.20", plan.runtime_image, ev(1, "FROM alpine:3.20")),
        Difference("user", "", "65532:65532", None),
    )
    lines = [report.difference_line(d) for d in compare(empty, plan)]
    assert lines[0] == "binary: runs no program (no ENTRYPOINT or CMD), gogen's runs etcd-server"
    assert lines[3] == "user: sets no USER (the base image's user, often root), gogen's runs as 65532:65532"


def test_image_references_compare_by_repository_and_tag() -> None:
    assert same_image("alpine", "docker.io/library/alpine:latest")
    assert same_image("gcr.io/distroless/static:nonroot", "gcr.io/distroless/static:nonroot@sha256:" + "a" * 64)
    assert not same_image("alpine:3.20", "alpine:3.21")
    assert same_image("scratch", "scratch")


def test_a_difference_line_escapes_what_the_repository_wrote(plan: Plan) -> None:
    (difference,) = compare(hint(entrypoint=("/usr/local/bin/etcd-server", "\x1b]0;pwned\x07")), plan)
    assert report.difference_line(difference) == (
        "arguments: passes '\\x1b]0;pwned\\x07' (Dockerfile:9), gogen's passes no arguments"
    )


# ---------------------------------------------------------------------------------------------
# The Outcome, through the API


def test_outcome_carries_the_root_dockerfiles_differences(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path)
    outcome = api.init(repo, {}, api.WriteOptions(dry_run=True))
    assert [d.what for d in outcome.migration] == ["arguments", "base image", "user"]
    assert outcome.plan.primary.name == "etcd", "the Dockerfile is evidence: gogen names the binary as it does"
    assert outcome.plan.primary.ports == (2379, 2380), "and exposes the ports it exposes"


def test_other_dockerfiles_are_evidence_but_not_a_migration(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"go.mod": GO_MOD, "server/main.go": MAIN, "build/Dockerfile": HAND_WRITTEN})
    outcome = api.init(repo, {}, api.WriteOptions(dry_run=True))
    assert outcome.migration == ()
    assert [c.status for c in outcome.changes if c.path == "Dockerfile"] == ["created"]


def test_a_dockerfile_gogen_wrote_never_yields_a_migration(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path)
    assert gogen("init", "--force", repo).returncode == 0
    edited = (repo / "Dockerfile").read_text() + 'CMD ["--data-dir", "/var/lib/etcd"]\n'
    (repo / "Dockerfile").write_text(edited)
    (repo / "Dockerfile.bak").unlink()
    outcome = api.regen(repo, {}, api.WriteOptions(dry_run=True))
    assert [c.status for c in outcome.changes if c.path == "Dockerfile"] == ["refused"], "edited since gogen wrote it"
    assert outcome.migration == ()
    result = gogen("regen", repo)
    assert result.returncode == 1
    assert "differs from what gogen would write" not in result.stderr


# ---------------------------------------------------------------------------------------------
# The command line

DIFFERENCES = [
    "Your Dockerfile differs from what gogen would write:",
    "  arguments: passes --data-dir /var/lib/etcd (Dockerfile:10), gogen's passes no arguments",
]


def test_init_refuses_and_lists_the_differences_writing_nothing(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path / "repo")
    before = tree(repo)
    result = gogen("init", repo)
    assert result.returncode == 1
    assert tree(repo) == before, "nothing written, nothing left behind"
    lines = result.stderr.splitlines()
    start = lines.index(
        "refused   Dockerfile  (gogen did not write it; rerun with --force to replace it (a backup is kept))"
    )
    runtime = api.plan(repo, {})[1].runtime_image
    assert lines[start + 1 : start + 7] == [
        *DIFFERENCES,
        f"  base image: alpine:3.20 (Dockerfile:7), gogen's {runtime}",
        "  user: sets no USER (the base image's user, often root), gogen's runs as 65532:65532",
        f"`gogen init {repo} --force` replaces it and keeps yours as Dockerfile.bak; "
        f"`gogen init {repo} --dry-run --diff` shows the whole change first.",
        "gogen: nothing written: a file was refused (see above)",
    ]
    assert "differs" not in result.stdout, "a refusal and its reasons go to stderr"


def test_quiet_still_shows_the_refusal_and_its_differences(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path)
    result = gogen("init", "-q", repo, cwd=repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert all(line in result.stderr.splitlines() for line in DIFFERENCES)


def test_the_advice_is_runnable_where_the_user_is(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path / "my repo")
    here = gogen("init", cwd=repo)
    assert "`gogen init --force` replaces it and keeps yours as Dockerfile.bak;" in here.stderr
    there = gogen("init", "my repo", cwd=tmp_path)
    assert "`gogen init 'my repo' --dry-run --diff` shows the whole change first." in there.stderr


def test_init_force_replaces_keeps_the_backup_and_says_what_changed(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path)
    result = gogen("init", "--force", repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "Dockerfile.bak").read_bytes() == HAND_WRITTEN.encode()
    lines = result.stdout.splitlines()
    start = lines.index("replaced  Dockerfile  (gogen did not write it; backup in Dockerfile.bak)")
    assert lines[start + 1] == "Your Dockerfile (kept as Dockerfile.bak) differed from what gogen wrote:"
    assert lines[start + 2 : start + 3] == DIFFERENCES[1:]
    assert "--force` replaces it" not in result.stdout, "no advice once it is done"
    assert gogen("init", "-q", "--force", etcd_repo(tmp_path / "again")).stdout == "", "-q: nothing extra"


def test_a_dry_run_with_force_lists_the_differences_in_the_conditional(tmp_path: Path) -> None:
    repo = etcd_repo(tmp_path)
    before = tree(repo)
    result = gogen("init", "--dry-run", "--force", repo)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    start = lines.index("would replace Dockerfile  (gogen did not write it; backup in Dockerfile.bak)")
    assert lines[start + 1 : start + 3] == DIFFERENCES
    assert tree(repo) == before


def test_a_dockerfile_that_agrees_gives_no_difference_lines(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"go.mod": GO_MOD, "server/main.go": MAIN})
    runtime = api.plan(repo, {})[1].runtime_image
    agreeing = (
        "FROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /out/etcd ./server\n"
        f"FROM {runtime}\nCOPY --from=build /out/etcd /usr/local/bin/etcd\nUSER 65532:65532\n"
        'ENTRYPOINT ["/usr/local/bin/etcd"]\n'
    )
    (repo / "Dockerfile").write_text(agreeing)
    result = gogen("init", repo)
    assert result.returncode == 1
    assert "refused   Dockerfile" in result.stderr
    assert "differs" not in result.stderr
    forced = gogen("init", "--force", repo)
    assert "differed" not in forced.stdout


def test_the_program_it_runs_is_named_with_its_line(tmp_path: Path) -> None:
    dockerfile = (
        'FROM golang:1.22 AS build\nRUN go build ./server\nFROM alpine:3.20\nENTRYPOINT ["/usr/local/bin/etcd"]\n'
    )
    repo = etcd_repo(tmp_path, dockerfile)
    result = gogen("init", repo)
    assert "  binary: runs etcd (Dockerfile:4), gogen's runs server" in result.stderr.splitlines()


def test_a_generated_dockerfile_is_replaced_without_a_list(tmp_path: Path) -> None:
    """A Dockerfile with gogen's marker, pristine, is updated in place: no migration."""
    generated = stamp(f'{marker_line()}\nFROM alpine:3.20\nEXPOSE 1\nENTRYPOINT ["/x", "--y"]\n')
    repo = etcd_repo(tmp_path, generated)
    result = gogen("init", repo)
    assert result.returncode == 0, result.stderr
    assert "updated   Dockerfile" in result.stdout
    assert "differ" not in result.stdout + result.stderr

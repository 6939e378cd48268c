"""Every hint source, read from small repositories: the exact BuildTargets and DockerfileHints."""

from __future__ import annotations

import os
from pathlib import Path

import dockerfile
import pytest

from gogen import api
from gogen.managed import marker_line, stamp
from gogen.model import BuildTarget, DockerfileHint, Evidence, Port
from gogen.scan.hints import read_hints
from gogen.scan.hints.dockerfiles import parse_dockerfile
from tests.repo_builder import MAIN, write_repo

MODULES = {"github.com/acme/shop": ".", "github.com/acme/shop/services/api": "services/api"}


def target(
    source: str,
    dir: str,
    name: str | None,
    file: str,
    line: int,
    text: str,
    *,
    tags: tuple[str, ...] = (),
    cgo: bool | None = None,
    skip: bool = False,
    id: str | None = None,
) -> BuildTarget:
    return BuildTarget(source, dir, name, tags, cgo, skip, Evidence(file, line, text), id)  # type: ignore[arg-type]


def builds(root: Path, modules: dict[str, str] | None = None) -> list[BuildTarget]:
    return list(read_hints(root, MODULES if modules is None else modules).hints.builds)


GORELEASER = """\
version: 2
project_name: shop
env:
  - CGO_ENABLED=0
builds:
  - id: api
    main: ./cmd/api/main.go
    binary: bin/shop-api
    flags:
      - -trimpath
      - -tags=netgo,osusergo
    goos: [linux]
    goarch: [amd64]
  - id: worker
    main: ./cmd/worker
    binary: "{{ .ProjectName }}-worker"
    skip: true
  - id: templated-skip
    main: ./cmd/cli
    skip: "{{ .IsSnapshot }}"
    tags: [sqlite]
    env:
      - CGO_ENABLED=1
  - id: nested
    dir: services/api
    main: ./cmd/serve
    binary: serve
  - id: outside
    main: ../elsewhere
"""


def test_goreleaser_builds_in_file_order(tmp_path: Path) -> None:
    write_repo(tmp_path, {".goreleaser.yaml": GORELEASER})
    result = read_hints(tmp_path, MODULES)
    assert list(result.hints.builds) == [
        target(
            "goreleaser",
            "cmd/api",
            "shop-api",
            ".goreleaser.yaml",
            8,
            "binary: bin/shop-api",
            tags=("netgo", "osusergo"),
            cgo=False,
            id="api",
        ),
        target(
            "goreleaser",
            "cmd/worker",
            None,
            ".goreleaser.yaml",
            16,
            'binary: "{{ .ProjectName }}-worker"',
            cgo=False,
            skip=True,
            id="worker",
        ),
        target(
            "goreleaser",
            "cmd/cli",
            None,  # several builds: project_name would name them all alike
            ".goreleaser.yaml",
            19,
            "main: ./cmd/cli",
            tags=("sqlite",),
            cgo=True,
            id="templated-skip",
        ),
        target(
            "goreleaser",
            "services/api/cmd/serve",
            "serve",
            ".goreleaser.yaml",
            27,
            "binary: serve",
            cgo=False,
            id="nested",
        ),
    ]
    assert [(p.platform, p.evidence.line) for p in result.hints.platforms] == [("linux/amd64", 13)]
    assert result.hints.cgo_enabled is not None and result.hints.cgo_enabled.evidence.line == 23
    assert [(message.split(" ")[0:3], line) for message, _, line in result.problems] == [
        (["binary", "name", "'{{"], 16),
        (["build", "'../elsewhere'", "is"], 29),
    ]
    assert [(b.dir, b.name) for b in result.binary_names] == [
        ("cmd/api", "shop-api"),
        ("services/api/cmd/serve", "serve"),
    ]


def test_goreleaser_without_binary_or_project_name_gives_no_name(tmp_path: Path) -> None:
    write_repo(tmp_path, {"goreleaser.yml": "builds:\n  - main: .\n  - builder: prebuilt\n    main: ./x\n"})
    assert builds(tmp_path) == [target("goreleaser", ".", None, "goreleaser.yml", 2, "- main: .")]


def test_ko_builds_take_no_name(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            ".ko.yaml": (
                "defaultBaseImage: gcr.io/distroless/static\n"
                "builds:\n"
                "  - id: app\n"
                "    main: ./cmd/app\n"
                "    env: [CGO_ENABLED=0]\n"
                "    flags: [-tags, netgo]\n"
                "  - id: api\n"
                "    dir: services/api\n"
                "    main: github.com/acme/shop/services/api/cmd/api\n"
            )
        },
    )
    assert builds(tmp_path) == [
        target("ko", "cmd/app", None, ".ko.yaml", 4, "main: ./cmd/app", tags=("netgo",), cgo=False, id="app"),
        target(
            "ko",
            "services/api/cmd/api",
            None,
            ".ko.yaml",
            9,
            "main: github.com/acme/shop/services/api/cmd/api",
            id="api",
        ),
    ]


MAKEFILE = """\
BINDIR ?= bin
GO ?= go

build: etcd tool
etcd:
\tCGO_ENABLED=1 $(GO) build -trimpath \\
\t\t-tags "netgo osusergo" \\
\t\t-o $(BINDIR)/etcd ./server
tool:
\t@go build -o $(BINDIR)/$(TOOL) ./cmd/tool
all:
\t# go build -o bin/commented ./cmd/commented
\tgo build ./...
\tgo install ./cmd/a ./cmd/b
\tgo build -o bin/ctl github.com/acme/shop/cmd/ctl
\tgo build -o bin/x github.com/other/project/cmd/x
"""


def test_makefile_targets_with_continuations_and_variables(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Makefile": MAKEFILE})
    joined = 'CGO_ENABLED=1 $(GO) build -trimpath -tags "netgo osusergo" -o $(BINDIR)/etcd ./server'
    assert builds(tmp_path) == [
        target("makefile", "server", "etcd", "Makefile", 6, joined, tags=("netgo", "osusergo"), cgo=True),
        target("makefile", "cmd/tool", None, "Makefile", 10, "@go build -o $(BINDIR)/$(TOOL) ./cmd/tool"),
        target("makefile", "cmd/a", None, "Makefile", 14, "go install ./cmd/a ./cmd/b"),
        target("makefile", "cmd/b", None, "Makefile", 14, "go install ./cmd/a ./cmd/b"),
        target("makefile", "cmd/ctl", "ctl", "Makefile", 15, "go build -o bin/ctl github.com/acme/shop/cmd/ctl"),
    ]


def test_justfile_taskfile_magefile_and_scripts(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "justfile": "build:\n    go build -tags=jsoniter -o bin/just-app ./cmd/just\n",
            "Taskfile.yml": (
                "version: '3'\ntasks:\n  build:\n    cmds:\n"
                "      - CGO_ENABLED=0 go build -o bin/task-app ./cmd/task\n"
                '      - "go build -o {{.BIN}}/x ./cmd/templated"\n'
            ),
            "magefiles/build.go": (
                "package main\n\nfunc Build() error {\n"
                '\treturn sh.Run(mg.GoCmd(), "build", "-o", "bin/mage-app", "./cmd/mage")\n}\n'
            ),
            "hack/build.sh": '#!/bin/sh\nset -e\ncd "$(dirname "$0")/.."\ngo build -o bin/hack-app ./cmd/hack\n',
            "build.sh": "go build -o out/root-app .\n",
        },
    )
    assert builds(tmp_path) == [
        target(
            "justfile",
            "cmd/just",
            "just-app",
            "justfile",
            2,
            "go build -tags=jsoniter -o bin/just-app ./cmd/just",
            tags=("jsoniter",),
        ),
        target(
            "taskfile",
            "cmd/task",
            "task-app",
            "Taskfile.yml",
            5,
            "- CGO_ENABLED=0 go build -o bin/task-app ./cmd/task",
            cgo=False,
        ),
        target("taskfile", "cmd/templated", "x", "Taskfile.yml", 6, '- "go build -o {{.BIN}}/x ./cmd/templated"'),
        target(
            "magefile",
            "cmd/mage",
            "mage-app",
            "magefiles/build.go",
            4,
            'return sh.Run(mg.GoCmd(), "build", "-o", "bin/mage-app", "./cmd/mage")',
        ),
        target("script", ".", "root-app", "build.sh", 1, "go build -o out/root-app ."),
        target("script", "cmd/hack", "hack-app", "hack/build.sh", 4, "go build -o bin/hack-app ./cmd/hack"),
    ]


DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build -o /out/etcd ./server && \\
    go build -o /out/etcdctl ./etcdctl

FROM gcr.io/distroless/static:nonroot AS runtime
COPY --from=build /out/ /usr/local/bin/
EXPOSE 2379 2380
EXPOSE ${EXTRA_PORT} 7000-7010 53/udp

FROM runtime
entrypoint ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"]
CMD ["--help"]
"""


def test_dockerfile_multi_stage_exec_form(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": DOCKERFILE})
    result = read_hints(tmp_path, MODULES)
    joined = (
        "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/etcd ./server && "
        "go build -o /out/etcdctl ./etcdctl"
    )
    assert list(result.hints.builds) == [
        target("dockerfile", "server", "etcd", "Dockerfile", 7, joined, cgo=False),
        target("dockerfile", "etcdctl", "etcdctl", "Dockerfile", 7, joined, cgo=False),
    ]
    expose = "EXPOSE 2379 2380"
    assert result.hints.dockerfiles == (
        DockerfileHint(
            file="Dockerfile",
            entrypoint=("/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"),
            entrypoint_evidence=Evidence(
                "Dockerfile", 17, 'entrypoint ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"]'
            ),
            binary="etcd",
            ports=(
                Port(2379, "", "expose", "Dockerfile", 13, expose),
                Port(2380, "", "expose", "Dockerfile", 13, expose),
                Port(53, "", "expose", "Dockerfile", 14, "EXPOSE ${EXTRA_PORT} 7000-7010 53/udp"),
            ),
            base_image="gcr.io/distroless/static:nonroot",
            base_image_evidence=Evidence("Dockerfile", 11, "FROM gcr.io/distroless/static:nonroot AS runtime"),
            cmd=("--help",),
            cmd_evidence=Evidence("Dockerfile", 18, 'CMD ["--help"]'),
        ),
    )


@pytest.mark.parametrize(
    ("entrypoint", "words", "binary"),
    [
        ("ENTRYPOINT /app/server --port 80", ("/app/server", "--port", "80"), "server"),
        ('ENTRYPOINT ["/sbin/tini", "--", "/usr/bin/api"]', ("/sbin/tini", "--", "/usr/bin/api"), "api"),
        ('CMD ["sh", "-c", "exec /bin/worker -v"]', ("sh", "-c", "exec /bin/worker -v"), "worker"),
        ("CMD exec dumb-init /opt/job", ("exec", "dumb-init", "/opt/job"), "job"),
        ('ENTRYPOINT ["/bin/sh"]', ("/bin/sh",), None),
        ("ENTRYPOINT ['/not/json']", ("[/not/json]",), None),
    ],
)
def test_dockerfile_entrypoint_forms(
    tmp_path: Path, entrypoint: str, words: tuple[str, ...], binary: str | None
) -> None:
    write_repo(tmp_path, {"docker/Dockerfile.prod": f"FROM alpine:3.20\n{entrypoint}\n"})
    (hint,) = read_hints(tmp_path, MODULES).hints.dockerfiles
    assert (hint.file, hint.entrypoint, hint.binary) == ("docker/Dockerfile.prod", words, binary)
    assert hint.entrypoint_evidence == Evidence("docker/Dockerfile.prod", 2, entrypoint)
    assert (hint.base_image, hint.ports) == ("alpine:3.20", ())


@pytest.mark.parametrize(
    ("text", "entrypoint", "cmd", "user"),
    [
        ('FROM alpine\nENTRYPOINT ["/bin/etcd"]\nCMD ["--x"]\nUSER app\n', ("/bin/etcd",), ("--x",), "app"),
        ('FROM alpine\nCMD ["--x"]\nENTRYPOINT ["/bin/etcd"]\n', ("/bin/etcd",), ("--x",), None),
        ('FROM alpine\nENTRYPOINT /bin/etcd --a\nCMD ["--x"]\n', ("/bin/etcd", "--a"), (), None),
        (
            'FROM alpine AS base\nCMD ["--old"]\nUSER 1000\nFROM base\nENTRYPOINT ["/bin/etcd"]\n',
            ("/bin/etcd",),
            (),
            "1000",
        ),
        ('FROM alpine AS base\nENTRYPOINT ["/bin/etcd"]\nFROM base\nCMD ["--new"]\n', ("/bin/etcd",), ("--new",), None),
        ('FROM alpine\nCMD ["/bin/etcd", "--x"]\n', ("/bin/etcd", "--x"), (), None),
        ('FROM golang AS build\nUSER 0\nFROM alpine\nUSER\nENTRYPOINT ["/e"]\n', ("/e",), (), None),
    ],
)
def test_dockerfile_cmd_arguments_and_user(
    tmp_path: Path, text: str, entrypoint: tuple[str, ...], cmd: tuple[str, ...], user: str | None
) -> None:
    """CMD is an exec-form ENTRYPOINT's arguments only when the builder keeps it (not after an
    ENTRYPOINT in a later stage, never for a shell form); USER follows the final stage's chain."""
    write_repo(tmp_path, {"Dockerfile": text})
    (hint,) = read_hints(tmp_path, MODULES).hints.dockerfiles
    assert (hint.entrypoint, hint.cmd, hint.user) == (entrypoint, cmd, user)
    assert (hint.cmd_evidence is not None) == bool(cmd)
    assert (hint.user_evidence.text if hint.user_evidence else None) == (f"USER {user}" if user else None)


def test_a_dockerfile_in_a_go_folder_builds_that_folder(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "jobs/main.go": MAIN,
            "jobs/Dockerfile": "FROM golang:1.22\nRUN go build -o job .\nRUN go build -o other ./cmd/other\nCMD job\n",
            "cmd/other/main.go": MAIN,
            "build/docker/Dockerfile": "FROM golang:1.22\nRUN go build -o srv ./cmd/other\n",
        },
    )
    result = read_hints(tmp_path, MODULES)
    assert list(result.hints.builds) == [
        target("dockerfile", "jobs", "job", "jobs/Dockerfile", 2, "RUN go build -o job ."),
        target("dockerfile", "cmd/other", "other", "jobs/Dockerfile", 3, "RUN go build -o other ./cmd/other"),
        target("dockerfile", "cmd/other", "srv", "build/docker/Dockerfile", 2, "RUN go build -o srv ./cmd/other"),
    ]
    assert [(h.file, h.binary) for h in result.hints.dockerfiles] == [
        ("jobs/Dockerfile", "job"),
        ("build/docker/Dockerfile", None),
    ]


def test_dockerfiles_gogen_wrote_and_hidden_folders_are_not_evidence(tmp_path: Path) -> None:
    generated = stamp(f'{marker_line()}\nFROM scratch\nRUN go build -o gen ./cmd/gen\nENTRYPOINT ["/gen"]\n')
    write_repo(
        tmp_path,
        {
            "Dockerfile": generated,
            "vendor/x/Dockerfile": "FROM a\nRUN go build -o v ./v\n",
            ".github/Dockerfile": "FROM a\nRUN go build -o g ./g\n",
            "a/b/c/d/Dockerfile": "FROM a\nRUN go build -o deep ./deep\n",
            "tools/ci.dockerfile": "FROM a\nRUN go install ./cmd/ci\n",
            "tools/Dockerfile.dockerignore": "FROM not-a-dockerfile\n",
        },
    )
    result = read_hints(tmp_path, MODULES)
    assert list(result.hints.builds) == [
        target("dockerfile", "cmd/ci", None, "tools/ci.dockerfile", 2, "RUN go install ./cmd/ci")
    ]
    assert [h.file for h in result.hints.dockerfiles] == ["tools/ci.dockerfile"]


def test_readme_go_install_lines(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "README.md": (
                "# shop\n\n```sh\ngo install github.com/acme/shop/cmd/shopctl@latest\n```\n"
                "Or `go install github.com/acme/shop/services/api/cmd/api@v1.2.0` for the API.\n"
                "Lint with `go install github.com/golangci/golangci-lint/cmd/golangci-lint@latest`.\n"
                "Again: go install github.com/acme/shop/cmd/shopctl@latest\n"
                "Build it: `go install ./cmd/local`\n"
            ),
            "docs/install.md": "go install github.com/acme/shop@latest\n",
        },
    )
    assert builds(tmp_path) == [
        target("readme", "cmd/shopctl", None, "README.md", 4, "go install github.com/acme/shop/cmd/shopctl@latest"),
        target(
            "readme",
            "services/api/cmd/api",
            None,
            "README.md",
            6,
            "Or `go install github.com/acme/shop/services/api/cmd/api@v1.2.0` for the API.",
        ),
        target("readme", ".", None, "docs/install.md", 1, "go install github.com/acme/shop@latest"),
    ]


def test_sources_come_in_order_and_the_first_name_wins(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module github.com/acme/shop\n\ngo 1.22\n",
            "cmd/shop/main.go": MAIN,
            ".goreleaser.yaml": "builds:\n  - main: ./cmd/shop\n    binary: shop-release\n",
            "Makefile": "build:\n\tgo build -o bin/shop-make ./cmd/shop\n",
            "Dockerfile": "FROM golang\nRUN go build -o /shop-docker ./cmd/shop\n",
            "README.md": "go install github.com/acme/shop/cmd/shop@latest\n",
        },
    )
    project = api.scan(tmp_path)
    assert [(b.source, b.dir, b.name) for b in project.hints.builds] == [
        ("goreleaser", "cmd/shop", "shop-release"),
        ("makefile", "cmd/shop", "shop-make"),
        ("dockerfile", "cmd/shop", "shop-docker"),
        ("readme", "cmd/shop", None),
    ]
    assert project.mains[0].binary == "shop-release"


# Hostile inputs.


def test_paths_out_of_the_repository_are_not_targets(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "Makefile": (
                "a:\n\tgo build -o ../../etc/x ./cmd/x\n\tgo build -o y ./../outside\n"
                "\tgo build -o z /abs/pkg\n\tgo build -C ../up -o w .\n"
            ),
            "Dockerfile": "FROM a\nRUN go build -o q ../../q\n",
        },
    )
    assert builds(tmp_path) == [target("makefile", "cmd/x", "x", "Makefile", 2, "go build -o ../../etc/x ./cmd/x")]


def test_refused_hint_files_are_warnings(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    repo = tmp_path / "repo"
    write_repo(outside, {"Dockerfile": "FROM a\nRUN go build -o secret ./secret\n", ".ko.yaml": "builds: []\n"})
    repo.mkdir()
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    (repo / ".ko.yaml").symlink_to(outside / ".ko.yaml")
    os.mkfifo(repo / "justfile")
    (repo / "deploy").mkdir()
    os.mkfifo(repo / "deploy" / "Dockerfile")
    write_repo(repo, {"README.md": "go install x@latest\n" + "x" * 1_100_000})
    result = read_hints(repo, MODULES)
    assert result.hints.builds == () and result.hints.dockerfiles == ()
    assert sorted((w.file, w.code) for w in result.warnings) == [
        (".ko.yaml", "symlink-outside"),
        ("Dockerfile", "symlink-outside"),
        ("README.md", "file-too-large"),
        ("deploy/Dockerfile", "not-regular-file"),
        ("justfile", "not-regular-file"),
    ]


def test_unparseable_files_are_hint_problems(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "Makefile": b"build:\n\tgo build -o \xff ./x\n",
            "Dockerfile": b"FROM a\x00\n",
            ".ko.yaml": "builds: [\n",
        },
    )
    result = read_hints(tmp_path, MODULES)
    assert sorted((file, line) for _, file, line in result.problems) == [
        (".ko.yaml", 2),
        ("Dockerfile", 1),
        ("Makefile", 2),
    ]
    assert result.hints.builds == ()


def test_too_many_dockerfiles_is_a_problem(tmp_path: Path) -> None:
    write_repo(tmp_path, {f"d{n:03}/Dockerfile": "FROM a\n" for n in range(70)})
    result = read_hints(tmp_path, MODULES)
    assert len(result.hints.dockerfiles) == 64
    assert [(file, line) for _, file, line in result.problems] == [("d064/Dockerfile", 0)]


def test_hints_are_deterministic(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Makefile": MAKEFILE, "Dockerfile": DOCKERFILE, ".goreleaser.yaml": GORELEASER})
    assert read_hints(tmp_path, MODULES) == read_hints(tmp_path, MODULES)


HEREDOC_DOCKERFILE = """\
# escape=`
FROM golang:1.22 AS build
ENV CGO_ENABLED 1
RUN <<SCRIPT
set -e
go build -tags sqlite -o /out/db ./cmd/db
SCRIPT
RUN go build `
  -o /out/cli ./cmd/cli
# a comment
FROM build
ENTRYPOINT ["/out/db"]
"""


def test_dockerfile_heredoc_escape_directive_and_env(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": HEREDOC_DOCKERFILE})
    result = read_hints(tmp_path, MODULES)
    assert list(result.hints.builds) == [
        target(
            "dockerfile",
            "cmd/db",
            "db",
            "Dockerfile",
            6,
            "go build -tags sqlite -o /out/db ./cmd/db",
            tags=("sqlite",),
            cgo=True,
        ),
        target("dockerfile", "cmd/cli", "cli", "Dockerfile", 8, "RUN go build -o /out/cli ./cmd/cli", cgo=True),
    ]
    (hint,) = result.hints.dockerfiles
    assert (hint.binary, hint.base_image, hint.base_image_evidence) == (
        "db",
        "golang:1.22",
        Evidence("Dockerfile", 2, "FROM golang:1.22 AS build"),
    )


@pytest.mark.parametrize("text", [DOCKERFILE, HEREDOC_DOCKERFILE, f'FROM a\nENTRYPOINT {"x " * 3}\n\n\nCMD ["y"]\n'])
def test_the_line_parser_agrees_with_buildkits(text: str) -> None:
    """gogen's small parser finds the instructions, and their first lines, BuildKit's parser finds."""
    ours = [(i.keyword, i.line) for i in parse_dockerfile(text)]
    theirs = [(command.cmd.upper(), command.start_line) for command in dockerfile.parse_string(text)]
    assert ours == theirs


PROMU = """build:
    binaries:
        - name: prometheus
          path: ./cmd/prometheus
        - name: promtool
          path: ./cmd/promtool
    tags:
        all:
            - netgo
            - builtinassets
"""


def test_promu_binaries_and_tags(tmp_path: Path) -> None:
    write_repo(tmp_path, {".promu.yml": PROMU})
    builds = read_hints(tmp_path, MODULES).hints.builds
    assert [(b.source, b.dir, b.name, b.tags, b.evidence.line) for b in builds] == [
        ("promu", "cmd/prometheus", "prometheus", ("netgo", "builtinassets"), 4),
        ("promu", "cmd/promtool", "promtool", ("netgo", "builtinassets"), 6),
    ]


def test_a_script_builds_in_the_folder_it_changed_into(tmp_path: Path) -> None:
    script = (
        "etcd_build() {\n  (\n    cd ./server\n"
        '    run env CGO_ENABLED=0 go build -trimpath -o="../bin/etcd" . || return 2\n'
        "  ) || return 2\n"
        "  cd ../outside && go build -o x .\n"
        "}\n"
        "go build -o bin/tool ./tools/x\n"
    )
    write_repo(tmp_path, {"scripts/build_lib.sh": script})
    builds = read_hints(tmp_path, MODULES).hints.builds
    assert [(b.dir, b.name, b.cgo_enabled, b.evidence.line) for b in builds] == [
        ("server", "etcd", False, 4),
        ("tools/x", "tool", None, 8),
    ]

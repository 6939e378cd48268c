"""Variables in the project's build files, expanded in their go build lines: the exact
BuildTargets from Makefiles, shell scripts and Dockerfiles, and hostile variables."""

from __future__ import annotations

import time
from pathlib import Path

from gogen.model import BuildTarget
from gogen.scan.hints import read_hints
from gogen.scan.hints.common import plain_name
from gogen.scan.hints.variables import MAX_EXPANDED, MAX_VALUE, MAX_VARIABLES, Variables, expand
from tests.repo_builder import write_repo
from tests.test_hints_sources import target

MODULES = {"github.com/acme/shop": "."}


def hints(root: Path, files: dict[str, str | bytes]) -> tuple[list[BuildTarget], tuple[tuple[str, str, int], ...]]:
    write_repo(root, files)
    result = read_hints(root, MODULES)
    return list(result.hints.builds), result.problems


DOCKERFILE_XX = """\
ARG GO_VERSION="1.22"
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.5.0 AS xx
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS gobuild

FROM gobuild AS build
COPY --from=xx / /
ARG SHOP_BUILD_TAGS="extended"
ENV CGO_ENABLED=1
RUN --mount=src=.,target=. \\
    xx-go build -tags "$SHOP_BUILD_TAGS" -ldflags "-s -w" -o /usr/bin/shop

FROM alpine
COPY --from=build /usr/bin/shop /usr/bin/shop
"""


def test_a_dockerfile_stage_arg_and_env_reach_an_xx_go_build(tmp_path: Path) -> None:
    builds, problems = hints(tmp_path, {"Dockerfile": DOCKERFILE_XX})
    run = 'RUN --mount=src=.,target=. xx-go build -tags "$SHOP_BUILD_TAGS" -ldflags "-s -w" -o /usr/bin/shop'
    assert builds == [target("dockerfile", ".", "shop", "Dockerfile", 9, run, tags=("extended",), cgo=True)]
    assert problems == ()


DOCKERFILE_SCOPES = """\
ARG TAGS=netgo
ARG PKG=./cmd/api
FROM golang AS base
ENV CGO_ENABLED 0
ENV OUT=cmd/out
RUN go build -tags "$TAGS" -o $OUT/first ${PKG:-./cmd/first}

FROM base AS api
ARG TAGS
ARG PKG
RUN go build -tags "${TAGS},osusergo" -o ${OUT}/api "$PKG"

FROM golang AS other
ARG LOCAL=./cmd/local
RUN go build -o bin/local $LOCAL && go build -o bin/unknown $NOWHERE $OUT

FROM golang AS last
RUN go build -o bin/last ${LOCAL-./cmd/last}
"""


def test_dockerfile_variables_follow_dockers_scoping(tmp_path: Path) -> None:
    """A global ARG is seen only where a stage redeclares it; ENV is inherited by `FROM base`;
    an ARG of one stage is not seen in the next; `${NAME:-default}` when NAME is unknown."""
    builds, _ = hints(tmp_path, {"Dockerfile": DOCKERFILE_SCOPES})
    assert builds == [
        target(
            "dockerfile",
            "cmd/first",
            "first",
            "Dockerfile",
            6,
            'RUN go build -tags "$TAGS" -o $OUT/first ${PKG:-./cmd/first}',
            cgo=False,
        ),
        target(
            "dockerfile",
            "cmd/api",
            "api",
            "Dockerfile",
            11,
            'RUN go build -tags "${TAGS},osusergo" -o ${OUT}/api "$PKG"',
            tags=("netgo", "osusergo"),
            cgo=False,
        ),
        target(
            "dockerfile",
            "cmd/local",
            "local",
            "Dockerfile",
            15,
            "RUN go build -o bin/local $LOCAL && go build -o bin/unknown $NOWHERE $OUT",
        ),
        target("dockerfile", "cmd/last", "last", "Dockerfile", 18, "RUN go build -o bin/last ${LOCAL-./cmd/last}"),
    ]


RUNC_MAKEFILE = """\
GO ?= go
BUILDTAGS := seccomp libpathrs
GO_BUILD := $(GO) build -trimpath -buildmode=pie \\
\t$(EXTRA_FLAGS) -tags "$(BUILDTAGS)" \\
\t-ldflags "$(LDFLAGS_COMMON) $(EXTRA_LDFLAGS)"
GO_BUILD_STATIC := $(GO) build -trimpath \\
\t$(EXTRA_FLAGS) -tags "$(BUILDTAGS) netgo osusergo"

runc static localunittest: export CGO_ENABLED=1

runc: runc-bin

runc-bin:
\t$(GO_BUILD) -o runc .

static-bin:
\t$(GO_BUILD_STATIC) -o runc .
"""


def test_a_makefile_variable_holding_the_go_command_and_a_target_specific_cgo(tmp_path: Path) -> None:
    """`runc: runc-bin` makes runc's `export CGO_ENABLED=1` reach runc-bin's recipe, not static-bin's."""
    builds, _ = hints(tmp_path, {"Makefile": RUNC_MAKEFILE})
    assert builds == [
        target(
            "makefile", ".", "runc", "Makefile", 14, "$(GO_BUILD) -o runc .", tags=("seccomp", "libpathrs"), cgo=True
        ),
        target(
            "makefile",
            ".",
            "runc",
            "Makefile",
            17,
            "$(GO_BUILD_STATIC) -o runc .",
            tags=("seccomp", "libpathrs", "netgo", "osusergo"),
        ),
    ]


MAKEFILE_ASSIGNMENTS = """\
EXTRA_TAGS = jsoniter
BUILDTAGS := seccomp $(EXTRA_TAGS)
BUILDTAGS += apparmor # the host has it
BINDIR ?= bin
BINDIR ?= other
export CGO_ENABLED = 0
CMD = ./cmd/$(NAME)
NAME = api
VERSION := $(shell git describe)
ifeq ($(GOOS),windows)
  EXT := .exe
  NAME = winapi
else
  EXT := .bin
  NAME = other
endif

build:
\tgo build -tags "$(BUILDTAGS)" -o $(BINDIR)/shop$(EXT) ${CMD}
\tCGO_ENABLED=1 $(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BINDIR)/$(NAME) ./cmd/worker
"""


def test_makefile_assignments_are_expanded_with_their_final_values(tmp_path: Path) -> None:
    """`:=` at once, `=` when used, `?=` only once, `+=` appends (comment dropped), an exported
    CGO_ENABLED applies where the command sets none, an `else` branch is skipped, a `$(shell)`
    value is unknown (the word that holds it is dropped, as without variables)."""
    builds, _ = hints(tmp_path, {"Makefile": MAKEFILE_ASSIGNMENTS})
    first = 'go build -tags "$(BUILDTAGS)" -o $(BINDIR)/shop$(EXT) ${CMD}'
    second = 'CGO_ENABLED=1 $(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BINDIR)/$(NAME) ./cmd/worker'
    assert builds == [
        target(
            "makefile",
            "cmd/winapi",
            "shop.exe",
            "Makefile",
            19,
            first,
            tags=("seccomp", "jsoniter", "apparmor"),
            cgo=False,
        ),
        target("makefile", "cmd/worker", "winapi", "Makefile", 20, second, cgo=True),
    ]


def test_a_makefile_assignment_line_is_not_a_command(tmp_path: Path) -> None:
    makefile = "BUILD = go build -o bin/shop ./cmd/shop\nall:\n\t@echo nothing\n"
    builds, _ = hints(tmp_path, {"Makefile": makefile})
    assert builds == []


ETCD_SCRIPT = """\
#!/usr/bin/env bash
CGO_ENABLED="${CGO_ENABLED:-0}"
export GO_BUILD_FLAGS="-tags netgo"
TAGS=osusergo go build -o bin/once ./cmd/once

etcd_build() {
  out="bin"
  (
    cd ./server
    run env CGO_ENABLED=${CGO_ENABLED} go build $GO_BUILD_FLAGS -o="../${out}/etcd" . || return 2
  ) || return 2
  go build -tags "$TAGS" -o "${out}/tool" ./tools/tool
}
"""


def test_shell_assignments_and_defaults_reach_later_lines(tmp_path: Path) -> None:
    """`NAME="${NAME:-0}"` takes the default; `NAME=value cmd` sets NAME for cmd only."""
    builds, _ = hints(tmp_path, {"scripts/build.sh": ETCD_SCRIPT})
    etcd = 'run env CGO_ENABLED=${CGO_ENABLED} go build $GO_BUILD_FLAGS -o="../${out}/etcd" . || return 2'
    assert builds == [
        target("script", "cmd/once", "once", "scripts/build.sh", 4, "TAGS=osusergo go build -o bin/once ./cmd/once"),
        target("script", "server", "etcd", "scripts/build.sh", 10, etcd, tags=("netgo",), cgo=False),
        target(
            "script",
            "tools/tool",
            "tool",
            "scripts/build.sh",
            12,
            'go build -tags "$TAGS" -o "${out}/tool" ./tools/tool',
        ),
    ]


def test_a_platform_suffix_is_not_part_of_the_binary_name(tmp_path: Path) -> None:
    makefile = "binary = hey\nrelease:\n\tGOOS=linux GOARCH=amd64 go build -o ./bin/$(binary)_linux_amd64\n"
    builds, _ = hints(tmp_path, {"Makefile": makefile})
    assert [(b.dir, b.name) for b in builds] == [(".", "hey")]
    assert [plain_name(p) for p in ("x-darwin-arm64", "a.windows.amd64.exe", "linux_amd64", "foo_linux")] == [
        "x",
        "a",
        "linux_amd64",
        "foo_linux",
    ]


def test_expansion_forms() -> None:
    values = {"A": "1", "B": "$(A)$(A)", "C": "${B}", "EMPTY": ""}
    assert expand("$(A) ${A} $$(A) $A", values, "make") == "1 1 $$(A) $A"
    assert expand("$(C)", values, "make") == "$(A)$(A)", "two passes, no more"
    assert expand("$A ${A} $$A $AB ${X:-d} ${EMPTY:-d} ${EMPTY-d} ${X-e} $(A)", values, "shell") == (
        "1 1 $$A $AB d d  e $(A)"
    )


def test_a_recursive_make_variable_stays_unexpanded(tmp_path: Path) -> None:
    makefile = 'A = $(A)\nB = $(B) $(B)\nall:\n\tgo build -tags "$(A) $(B) ok" -o bin/x ./cmd/x\n'
    builds, _ = hints(tmp_path, {"Makefile": makefile})
    assert [(b.dir, b.name, b.tags) for b in builds] == [("cmd/x", "x", ("ok",))]


def test_a_value_near_a_megabyte_makes_the_variable_unknown(tmp_path: Path) -> None:
    makefile = f'T := {"x" * 900_000}\nT += more\nall:\n\tgo build -tags "$(T) ok" ./cmd/x\n'
    script = f'T="{"y" * 900_000}"\ngo build -tags "$T ok" ./cmd/y\n'
    start = time.perf_counter()
    builds, _ = hints(tmp_path, {"Makefile": makefile, "build.sh": script})
    assert time.perf_counter() - start < 5
    assert [(b.dir, b.tags) for b in builds] == [("cmd/x", ("ok",)), ("cmd/y", ("ok",))]
    variables = Variables()
    variables.set("V", "v" * (MAX_VALUE + 1))
    variables.set("V", "short")
    assert variables.values == {}, "unknown for good"


def test_ten_thousand_variables_are_capped_and_reported(tmp_path: Path) -> None:
    assignments = "".join(f"V{i} := tag{i}\n" for i in range(10_000))
    makefile = assignments + 'all:\n\tgo build -tags "$(V0) $(V255) $(V256) $(V9999)" ./cmd/x\n'
    script = "".join(f"V{i}=tag{i}\n" for i in range(10_000)) + 'go build -tags "$V1 $V9999" ./cmd/y\n'
    dockerfile = (
        "FROM golang\n" + "".join(f"ARG V{i}=tag{i}\n" for i in range(2000)) + "RUN go build -tags $V2 ./cmd/z\n"
    )
    start = time.perf_counter()
    builds, problems = hints(tmp_path, {"Makefile": makefile, "build.sh": script, "Dockerfile": dockerfile})
    assert time.perf_counter() - start < 10
    assert [(b.dir, b.tags) for b in builds] == [
        ("cmd/x", ("tag0", "tag255")),
        ("cmd/y", ("tag1",)),
        ("cmd/z", ("tag2",)),
    ]
    assert problems == (
        (f"Makefile: more than {MAX_VARIABLES} variables; the others are not expanded", "Makefile", 257),
        (f"build.sh: more than {MAX_VARIABLES} variables; the others are not expanded", "build.sh", 257),
        (
            f"Dockerfile: more than {MAX_VARIABLES} variables in a stage; the others are not expanded",
            "Dockerfile",
            258,
        ),
    )


def test_expansion_that_doubles_stays_within_its_caps() -> None:
    variables = Variables()
    variables.set("A", "x" * MAX_VALUE)
    variables.set("B", "$(A)" * 1000)
    line = "go build $(B) " * 100
    start = time.perf_counter()
    expanded = variables.expand(line, "make")
    assert len(expanded) <= len(line) + MAX_EXPANDED
    for _ in range(2000):
        variables.expand(line, "make")
    assert time.perf_counter() - start < 5

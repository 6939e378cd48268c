"""The build-script and Dockerfile line parsers on random and hostile text: never a traceback,
never a target outside the repository, never an unsafe name, and time linear in the input."""

from __future__ import annotations

import re
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen.model import BuildTarget
from gogen.scan.hints import read_hints
from gogen.scan.hints.common import Resolver, logical_lines
from gogen.scan.hints.dockerfiles import dockerfile_hint, dockerfile_targets, parse_dockerfile
from gogen.scan.hints.scripts import script_targets
from tests.repo_builder import write_repo

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RESOLVER = Resolver({"github.com/acme/shop": ".", "github.com/acme/shop/api": "services/api"})
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TOKENS = [
    "go", "build", "install", "-o", "-tags", "--tags", "-tags=", "-C", "=", "\\\n", "\n", "\r\n", "\t", " ",
    "FROM", "AS", "RUN", "ENTRYPOINT", "CMD", "EXPOSE", "ENV", "CGO_ENABLED=1", "CGO_ENABLED=0", "[", "]",
    '"', "'", "`", ",", "<<EOF", "EOF", "# escape=`", "#", "../", "./", "/", ".", "...", "$(", ")", "${", "}",
    "{{", "}}", "&&", "||", "|", ";", ">", "2>&1", "@latest", "@", "github.com/acme/shop", "/api/cmd/x",
    "cmd/x", "main.go", "sh", "-c", "tini", "--", "8080", "53/udp", "70000", "x", "$", "\x00", "é",
    "A", "A := ", "A = ", "A ?= ", "A += ", "export ", "ARG ", "ENV ", "A=", "$(A)", "${A}", "$A", "$$",
    "${A:-", "${A-", "ifeq (a,b)", "else", "endif", "x-go", "xx-go", "t: ", "t: export CGO_ENABLED=1",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(TOKENS), max_size=120).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join),
)


def assert_sane(targets: list[BuildTarget]) -> None:
    for target in targets:
        parts = target.dir.split("/")
        assert target.dir == "." or all(part not in ("", ".", "..") for part in parts), target
        assert not target.dir.startswith("/") and "\\" not in target.dir
        assert target.name is None or SAFE_NAME.match(target.name), target
        assert all(re.match(r"^[A-Za-z0-9_.]+$", tag) for tag in target.tags)


@FUZZ
@given(hostile_text)
def test_build_script_lines_never_raise(text: str) -> None:
    for source in ("makefile", "taskfile", "magefile", "script"):
        assert_sane(script_targets(text, "Makefile", source, RESOLVER))
    numbers = [number for number, _ in logical_lines(text)]
    assert numbers == sorted(numbers) and all(number >= 1 for number in numbers)


@FUZZ
@given(hostile_text)
def test_dockerfile_lines_never_raise(text: str) -> None:
    instructions = parse_dockerfile(text)
    assert_sane(dockerfile_targets(instructions, "Dockerfile", ".", RESOLVER))
    assert_sane(dockerfile_targets(instructions, "jobs/Dockerfile", "jobs", RESOLVER))
    hint = dockerfile_hint(instructions, "Dockerfile")
    assert hint.binary is None or SAFE_NAME.match(hint.binary)
    assert all(0 < port.port <= 65535 for port in hint.ports)


def timed(function: object, *args: object) -> float:
    start = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return time.perf_counter() - start


PATHOLOGICAL = {
    "go-build-repeated": "go build " * 110_000,
    "one-long-continuation": "go build -o x \\\n" * 60_000,
    "quotes": "go build -o '" + "\"'" * 400_000,
    "separators": "go build -o x ./a && " * 45_000,
    "env-prefix": "CGO_ENABLED=1 " * 70_000 + "go build ./x",
    "heredocs": "RUN <<EOF\n" * 90_000,
    "froms": "FROM a AS a\n" * 80_000,
    "make-doubling": "A := x\n" + "A := $(A)$(A)\n" * 60_000 + "all:\n\tgo build -tags $(A) ./x\n",
    "make-references": "A := " + "x" * 4000 + "\nB = " + "$(A)" * 1000 + "\n" + "\tgo build $(B)\n" * 60_000,
    "make-recursive": "A = $(A)$(A)\n" + "\tgo build $(A) $(A) $(A)\n" * 38_000,
    "make-rules": "".join(f"t{i}: t{i + 1}\n" for i in range(60_000))
    + "t0: export CGO_ENABLED=1\n"
    + "".join(f"t{i}:\n\tgo build ./x\n" for i in range(0, 60_000, 1000)),
    "make-spaces": "a" + " \t" * 450_000 + "b: c\n",
    "shell-references": "A=" + "y" * 4000 + "\n" + "go build $A $A $A $A\n" * 45_000,
    "docker-args": "FROM a\nARG A=" + "z" * 4000 + "\n" + "RUN go build $A $A $A\n" * 9000,
}


def test_pathological_texts_are_read_in_bounded_time() -> None:
    for name, text in PATHOLOGICAL.items():
        assert len(text) <= 1_000_000, name
        elapsed = timed(script_targets, text, "Makefile", "makefile", RESOLVER) + timed(
            lambda t: dockerfile_hint(parse_dockerfile(t), "Dockerfile"), text
        )
        elapsed += timed(lambda t: dockerfile_targets(parse_dockerfile(t), "Dockerfile", ".", RESOLVER), text)
        assert elapsed < 5, (name, elapsed)


def test_a_repository_of_hostile_hint_files_is_read_in_bounded_time(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "Makefile": PATHOLOGICAL["go-build-repeated"],
            "Dockerfile": PATHOLOGICAL["froms"],
            "README.md": "go install github.com/acme/shop@latest " * 25_000,
            "justfile": PATHOLOGICAL["quotes"],
            "GNUmakefile": PATHOLOGICAL["make-references"],
            "build.sh": PATHOLOGICAL["shell-references"],
            "Dockerfile.build": PATHOLOGICAL["docker-args"],
        },
    )
    start = time.perf_counter()
    result = read_hints(tmp_path, {"github.com/acme/shop": "."})
    assert time.perf_counter() - start < 10
    assert [h.base_image for h in result.hints.dockerfiles] == ["a", "a"]

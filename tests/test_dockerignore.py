"""The Docker-semantics matcher against the engine's own answers (tests/data/dockerignore.json,
produced with moby/patternmatcher), plus parsing errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gogen.dockerignore import Matcher, clean, parse
from gogen.errors import ParseError

VECTORS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "dockerignore.json").read_text())["cases"]


def test_there_are_vectors() -> None:
    assert len(VECTORS) > 100


@pytest.mark.parametrize("case", VECTORS, ids=[repr(c["dockerignore"])[:60] for c in VECTORS])
def test_engine_vectors(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(ParseError):
            parse(case["dockerignore"])
        return
    matcher = Matcher(parse(case["dockerignore"]))
    wrong_excluded = [p for p in case["included"] if matcher.excluded(p)]
    wrong_included = [p for p in case["excluded"] if not matcher.excluded(p)]
    assert (wrong_excluded, wrong_included) == ([], [])


@pytest.mark.parametrize(
    ("pattern", "cleaned"), [("./a/../b", "b"), ("//a", "a"), ("/vendor/", "vendor"), ("dist/", "dist"), ("/", "/")]
)
def test_patterns_are_cleaned_like_paths(pattern: str, cleaned: str) -> None:
    assert clean(pattern) == cleaned


@pytest.mark.parametrize(("text", "line"), [("ok\n[abc\n", 2), ("!\n", 1), ("a\nb\\\n", 2)])
def test_bad_patterns_name_the_line(text: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        parse(text, "sub/.dockerignore")
    assert (info.value.file, info.value.line) == ("sub/.dockerignore", line)


def test_the_deciding_rule_is_reported() -> None:
    matcher = Matcher(parse("*.md\n!README*.md\nREADME-secret.md\n"))
    rule = matcher.deciding_rule("README-secret.md")
    assert rule is not None and (rule.line, str(rule)) == (3, "README-secret.md")
    keep = matcher.deciding_rule("README.md")
    assert keep is not None and keep.negated


def test_walk_pruning_knows_when_a_negation_could_reach_below() -> None:
    assert not Matcher(parse("node_modules\n")).may_reinclude_below("node_modules")
    assert Matcher(parse("docs\n!docs/keep.md\n")).may_reinclude_below("docs")
    assert not Matcher(parse("docs\n!web/x\n")).may_reinclude_below("docs")
    assert Matcher(parse("docs\n!**/keep.md\n")).may_reinclude_below("docs")

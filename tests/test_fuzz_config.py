"""Property-based tests for gogen.toml loading and the .dockerignore and .gitignore parsers."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen.dockerignore import Matcher, from_gitignore, parse
from gogen.errors import GogenError, ParseError
from gogen.settings import Options, layered, options_from, parse_config

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOML_WORDS = [
    "profile", "strategy", "binaries", "primary", "ports", "syntax", "debian_release", "templates", "=", '"alpine"',
    '"scratch"', '"ubuntu"', "[", "]", "[1, 2]", "[8080]", "[70000]", '["cmd/api"]', '["$(x)"]', "true", "false",
    "13", '"13"', '"12"', "{", "}", "#", "\n", "'", '"', ",", "1.5", "[table]",
]  # fmt: skip
PATTERN_CHARS = "ab/*?[]!\\.# \t-^"


def _toml_texts() -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from(TOML_WORDS), st.text(alphabet=string.printable, max_size=5))
    return st.lists(st.lists(token, max_size=5).map(" ".join), max_size=8).map("\n".join)


@FUZZ
@given(_toml_texts())
def test_gogen_toml_loads_or_fails_naming_gogen_toml(text: str) -> None:
    try:
        values = parse_config(text)
        options_from(values, Options()).validated("gogen.toml")
    except GogenError as error:
        assert str(error).startswith("gogen.toml"), str(error)
        assert error.exit_code == 2


@FUZZ
@given(_toml_texts())
def test_a_refused_gogen_toml_value_names_a_line_of_the_file(text: str) -> None:
    try:
        values = parse_config(text)
    except GogenError:
        return
    try:
        layered(values, Options(), "gogen.toml", text)
    except GogenError as error:
        assert error.file == "gogen.toml"
        assert error.line is not None and 1 <= error.line <= text.count("\n") + 1, str(error)


@FUZZ
@given(st.lists(st.text(alphabet=PATTERN_CHARS, max_size=8), max_size=6).map("\n".join))
def test_dockerignore_parses_or_fails_with_a_line(text: str) -> None:
    try:
        rules = parse(text, ".dockerignore")
    except ParseError as error:
        assert error.file == ".dockerignore"
        assert error.line is not None and 1 <= error.line <= text.count("\n") + 1
        return
    matcher = Matcher(rules)
    for path in ("a", "a/b", "b/a/.x", "ab"):
        matcher.excluded(path)


@FUZZ
@given(st.text(alphabet=PATTERN_CHARS, min_size=1, max_size=8), st.sampled_from(["a", "a/b", "ab/a", "x/a/b", "b"]))
def test_a_negation_after_a_pattern_always_wins(pattern: str, path: str) -> None:
    try:
        rules = parse(f"{pattern}\n!{pattern}\n")
    except ParseError:
        return
    if len(rules) == 2:
        assert not Matcher(rules).excluded(path)
        assert Matcher(rules[:1]).excluded(path) == (rules[0].matches(path) and not rules[0].negated)


@FUZZ
@given(st.text(alphabet=PATTERN_CHARS + "\r", max_size=10))
def test_gitignore_lines_translate_to_docker_patterns_or_nothing(line: str) -> None:
    translated = from_gitignore(line)
    if translated is None:
        return
    assert "\n" not in translated
    try:
        parse(translated)
    except ParseError as error:
        assert error.line == 1

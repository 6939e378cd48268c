"""docs/api.md: every example runs as written against a real repository, and the table lists
the functions gogen.api really has, with the parameters they really take."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest

from gogen import api
from tests.conftest import FIXTURES, ROOT

DOC = (ROOT / "docs" / "api.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC, re.S)


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) == 4


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_each_example_runs(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "multi-cmd" / "repo", tmp_path / "my-service")
    monkeypatch.chdir(tmp_path)
    for previous in EXAMPLES[:index]:
        exec(compile(previous, f"docs/api.md example {index}", "exec"), {})
    capsys.readouterr()
    exec(compile(EXAMPLES[index], f"docs/api.md example {index + 1}", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.strip(), "every example prints what it found"
    if index == 0:
        assert "created Dockerfile" in printed
    if index == 3:
        assert "--port port 70000 is out of range" in printed


def _top_level(arguments: str) -> list[str]:
    """`a, b=None, C(x, y)` → ["a", "b=None", "C(x, y)"]: commas inside parentheses do not split."""
    parts, depth, current = [], 0, ""
    for char in arguments:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]


def test_the_table_names_real_functions_with_their_parameters() -> None:
    rows = re.findall(r"^\| `api\.(\w+)\((.*?)\)` \|", DOC, re.M)
    assert len(rows) >= 10
    for name, arguments in rows:
        parameters = list(inspect.signature(getattr(api, name)).parameters)
        given = _top_level(arguments)
        assert len(given) <= len(parameters), (name, given, parameters)
        for argument, parameter in zip(given, parameters, strict=False):
            written = argument.split("=")[0].strip()
            if written.isidentifier():
                assert written == parameter, (name, written, parameter)
            else:
                assert "(" in written, (name, written)

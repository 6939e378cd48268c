"""The build context: what gogen's .dockerignore sends, `gogen context`, and its problems."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gogen import api
from tests.conftest import FIXTURES, fixture_cases
from tests.repo_builder import write_repo

MAIN = """package main

import (
\t"embed"
\t"fmt"

\t"example.com/site/bin/tool"
)

//go:embed dist
var dist embed.FS

func main() { fmt.Println(tool.Name(), dist) }
"""


def messy_repo(root: Path) -> Path:
    """Secrets, node_modules, a gitignored embedded dist/ and a Go package called bin/."""
    return write_repo(
        root,
        {
            "go.mod": "module example.com/site\n\ngo 1.22\n",
            "main.go": MAIN,
            "bin/tool/tool.go": 'package tool\n\nfunc Name() string { return "tool" }\n',
            "dist/index.html": "<h1>built by npm</h1>\n",
            "dist/app.js": "console.log(1)\n",
            ".gitignore": "# build output\ndist/\n*.tmp\nnode_modules/\n/coverage\n",
            ".env": "TOKEN=secret\n",
            ".env.example": "TOKEN=\n",
            "id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
            "certs/server.pem": "-----BEGIN CERTIFICATE-----\n",
            "node_modules/left-pad/index.js": "module.exports = 1\n",
            "scratch.tmp": "x\n",
            "coverage/index.html": "<p>80%</p>\n",
            "docs/guide.md": "# guide\n",
        },
    )


def run_gogen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gogen", *map(str, args)], capture_output=True, text=True, check=False)


def test_generated_dockerignore_keeps_what_the_build_reads_and_drops_secrets(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path)
    report = api.context(repo, None)
    assert report.problems == ()
    assert set(report.included) == {
        ".gitignore",
        "bin/tool/tool.go",
        "dist/app.js",
        "dist/index.html",
        "docs/guide.md",
        "go.mod",
        "main.go",
    }
    assert report.pruned_dirs == ("coverage", "node_modules")
    text = api.render(api.plan(repo, {})[1])[".dockerignore"]
    assert "# **/dist (.gitignore:2) is not excluded: the build reads dist/app.js" in text
    assert "# bin (gogen's defaults) is not excluded: the build reads bin/tool/tool.go" in text
    assert "\n**/*.tmp\n" in text and "\ncoverage\n" in text


def test_excluded_directories_are_not_walked_unless_a_negation_reaches_below(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path)
    pruned = api.context(repo, None).pruned_dirs
    assert "node_modules" in pruned
    custom = tmp_path / "custom.dockerignore"
    custom.write_text("node_modules\n!node_modules/left-pad/index.js\n")
    report = api.context(repo, custom)
    assert "node_modules" not in report.pruned_dirs
    assert "node_modules/left-pad/index.js" in report.included


def test_a_bad_dockerignore_has_both_kinds_of_problem_and_exit_1(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path)
    (repo / ".dockerignore").write_text("dist\nnode_modules\n")
    result = run_gogen("context", "--json", repo)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert {"included", "excluded_count", "bytes", "problems"} <= set(data)
    problems = {(p["kind"], p["path"]) for p in data["problems"]}
    assert ("needed-excluded", "dist/index.html") in problems
    assert ("secret-included", ".env") in problems
    assert ("secret-included", "id_rsa") in problems
    assert ("secret-included", "certs/server.pem") in problems
    assert ("secret-included", ".env.example") not in problems
    rule = next(p["rule"] for p in data["problems"] if p["path"] == "dist/index.html")
    assert rule == "dist (line 1)"
    assert data["bytes"] == sum((repo / p).stat().st_size for p in data["included"])


def test_init_writes_a_dockerignore_with_no_problem(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path)
    assert run_gogen("init", repo).returncode == 0
    result = run_gogen("context", repo)
    assert result.returncode == 0, result.stdout
    assert "no problem" in result.stdout


@pytest.mark.parametrize("case", [c for c in fixture_cases() if c not in ("library-only", "windows-only")])
def test_every_fixture_dockerignore_has_no_problem(case: str) -> None:
    report = api.context(FIXTURES / case / "repo", FIXTURES / case / "expected" / ".dockerignore")
    assert report.problems == ()
    assert report.included


def test_symlinks_are_sent_as_links_and_never_followed(tmp_path: Path) -> None:
    outside = write_repo(tmp_path / "outside", {"big/file.bin": "x" * 1000})
    repo = messy_repo(tmp_path / "repo")
    os.symlink(outside / "big", repo / "linked")
    report = api.context(repo, None)
    assert "linked" in report.included
    assert not any(path.startswith("linked/") for path in report.included)

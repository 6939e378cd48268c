"""The build context: what gogen's .dockerignore sends, `gogen context`, and its problems."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen import api, context, dockerignore
from gogen.errors import ParseError
from tests.conftest import FIXTURES, fixture_cases
from tests.repo_builder import write_repo

MAIN_ONLY = "package main\n\nfunc main() {}\n"
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


def _remove_deepest_first(top: Path) -> None:
    """Delete a deep tree without recursion (shutil.rmtree, and pytest's clean-up of old
    temporary folders, recurse once per level and give up past 1,000 on Python 3.11)."""
    directories = [top]
    for directory in directories:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    directories.append(Path(entry.path))
                else:
                    os.unlink(entry.path)
    for directory in reversed(directories):
        os.rmdir(directory)


def test_a_1500_level_directory_chain_is_walked_in_linear_time(tmp_path: Path) -> None:
    """Each directory's matching rules are worked out once, when the walk enters it (the
    walk was cubic in depth: every rule against every parent of every path)."""
    depth = 1500
    repo = write_repo(tmp_path / "repo", {"go.mod": "module example.com/deep\n\ngo 1.22\n", "main.go": MAIN_ONLY})
    try:
        level = repo
        chain = []
        for index in range(depth):
            level = level / "d"
            level.mkdir()
            chain.append("/".join(["d"] * (index + 1)))
            (level / "f.txt").write_text("x")
        (repo / chain[749] / "node_modules").mkdir()
        (repo / chain[749] / "node_modules" / "m.js").write_text("1")
        (repo / chain[-1] / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        (repo / chain[-1] / "Server.KEY").write_text("x")
        started = time.perf_counter()
        report = api.context(repo, None)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        bare = context.evaluate(repo, [], ["go.mod", "main.go"], "no .dockerignore")
        unfiltered = time.perf_counter() - started
        print(f"\n{depth}-level chain: gogen context {generated:.2f}s, with no .dockerignore {unfiltered:.2f}s")
        assert report.problems == ()
        assert report.pruned_dirs == (f"{chain[749]}/node_modules",)
        assert set(report.included) == {"go.mod", "main.go"} | {f"{d}/f.txt" for d in chain}
        assert {(p.kind, p.path) for p in bare.problems} == {
            ("secret-included", f"{chain[-1]}/id_rsa"),
            ("secret-included", f"{chain[-1]}/Server.KEY"),
        }
        assert len(bare.included) == depth + 5
    finally:
        _remove_deepest_first(repo)


def _reference_decision(rules: list[dockerignore.Rule], path: str) -> dockerignore.Rule | None:
    """Docker's MatchesOrParentMatches, rule by rule and parent by parent (no shortcut)."""
    decided: dockerignore.Rule | None = None
    excluded = False
    for rule in rules:
        if rule.negated == excluded and rule.matches(path):
            decided, excluded = rule, not rule.negated
    return decided


_PATH_SEGMENTS = ["a", "b", "ab", ".a", "a.b", "b.A", "x"]
_PATTERN_PARTS = ["a", "b", "*", "?", ".", "/", "**/", "[ab]", "[aA]", "[^a]", "[!b]", "[a-c]", "\\*"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(st.sampled_from(_PATTERN_PARTS), min_size=1, max_size=5).map("".join)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.lists(st.sampled_from(_PATH_SEGMENTS), min_size=1, max_size=5).map("/".join), max_size=8),
)
def test_the_walk_decides_as_docker_does_rule_by_rule(lines: list[tuple[bool, str]], paths: list[str]) -> None:
    """The matcher's shortcuts (a `**/name` rule matched on the last path component, the
    rules matching a directory handed down the walk) give Docker's answer for every path."""
    try:
        rules = dockerignore.parse("\n".join(("!" if negated else "") + body for negated, body in lines))
    except ParseError:
        return
    matcher = dockerignore.Matcher(rules)
    for path in paths:
        above = dockerignore.NO_PARENT
        parts = path.split("/")
        for end in range(1, len(parts)):
            above = matcher.enter("/".join(parts[:end]), above)
        expected = _reference_decision(rules, path)
        assert matcher.decide(path, above) is expected
        assert matcher.deciding_rule(path) is expected


def test_gogen_temporaries_and_backups_are_never_sent(tmp_path: Path) -> None:
    leftovers = [
        ".Dockerfile.k3j9.gogen-tmp",
        ".github/workflows/.docker.yml.x1.gogen-tmp",
        "sub/.dockerignore.a.gogen-tmp",
        ".dockerignore.bak",
        ".dockerignore.bak.1",
        "gogen.toml.bak.2",
        "README.Docker.md.bak",
        "deploy/compose.yaml.bak.12",
    ]
    repo = write_repo(
        tmp_path,
        {"go.mod": "module example.com/t\n\ngo 1.22\n", "main.go": MAIN_ONLY, **dict.fromkeys(leftovers, "x\n")},
    )
    report = api.context(repo, None)
    assert report.problems == ()
    assert set(report.included) == {"go.mod", "main.go"}

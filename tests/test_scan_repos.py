"""The scanner on small repositories written for one behaviour each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gogen import api
from gogen.errors import ParseError, RepositoryError
from gogen.model import Project
from tests.repo_builder import MAIN, write_repo


def codes(project: Project) -> list[str]:
    return [w.code for w in project.warnings]


def test_no_go_mod_is_a_repository_error(tmp_path: Path) -> None:
    write_repo(tmp_path, {"main.go": MAIN})
    with pytest.raises(RepositoryError, match=r"no go\.mod or go\.work"):
        api.scan(tmp_path)


def test_malformed_go_mod_names_the_line(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\nrequire (\n", "main.go": MAIN})
    with pytest.raises(ParseError) as info:
        api.scan(tmp_path)
    assert (info.value.file, info.value.line) == ("go.mod", 4)


def test_go_mod_without_module_directive(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "go 1.22\n", "main.go": MAIN})
    with pytest.raises(ParseError, match="no module directive"):
        api.scan(tmp_path)


def test_requirements_without_go_sum_warn_with_the_fix(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n\nrequire b.com/y v1.0.0\n", "main.go": MAIN})
    project = api.scan(tmp_path)
    warning = next(w for w in project.warnings if w.code == "no-go-sum")
    assert (warning.file, warning.line) == ("go.mod", 5)
    assert "go mod tidy" in warning.message
    assert project.modules[0].go_sum is None


def test_no_requirements_needs_no_go_sum(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN})
    project = api.scan(tmp_path)
    assert project.warnings == ()
    assert project.mains[0].binary == "x"


@pytest.mark.parametrize(
    ("gomod", "expected", "line"),
    [
        ("go 1.22\n", "1.22", 3),
        ("go 1.22\ntoolchain go1.23.2\n", "1.23.2", 4),
        ("go 1.23.4\ntoolchain go1.23.2\n", "1.23.4", 3),
        ("go 1.22\ntoolchain go1.22.0\n", "1.22.0", 4),
        ("go 1.22\ntoolchain default\n", "1.22", 3),
    ],
)
def test_builder_go_version(tmp_path: Path, gomod: str, expected: str, line: int) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\n" + gomod, "main.go": MAIN})
    project = api.scan(tmp_path)
    assert project.go_version == expected
    assert project.go_version_evidence is not None
    assert project.go_version_evidence.line == line


def test_workspace_takes_the_highest_version(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.work": "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n",
            "a/go.mod": "module a.com/a\n\ngo 1.21\n",
            "a/main.go": MAIN,
            "b/go.mod": "module a.com/b\n\ngo 1.23.1\n",
            "b/lib.go": "package b\n",
        },
    )
    project = api.scan(tmp_path)
    assert project.go_version == "1.23.1"
    assert project.go_version_evidence is not None and project.go_version_evidence.file == "b/go.mod"
    assert project.workspace is not None and project.workspace.use == ("a", "b")


def test_a_missing_workspace_member_is_an_error_on_its_line(tmp_path: Path) -> None:
    """The go command refuses a workspace whose member does not exist: so does gogen."""
    write_repo(
        tmp_path,
        {
            "go.work": "go 1.22\n\nuse (\n\t./a\n\t./gone\n)\n",
            "a/go.mod": "module a.com/a\n\ngo 1.21\n",
            "a/main.go": MAIN,
        },
    )
    with pytest.raises(ParseError) as caught:
        api.scan(tmp_path)
    assert (caught.value.file, caught.value.line) == ("go.work", 5)
    assert "does not exist" in caught.value.message


def test_nested_module_is_not_part_of_the_parent(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": MAIN,
            "tools/go.mod": "module a.com/x/tools\n\ngo 1.22\n",
            "tools/main.go": MAIN,
        },
    )
    assert [m.dir for m in api.scan(tmp_path).mains] == ["."]


def test_cgo_through_a_local_replacement(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n\nrequire a.com/lib v0.0.0\n\nreplace a.com/lib => ./lib\n",
            "main.go": 'package main\n\nimport "a.com/lib"\n\nfunc main() { lib.F() }\n',
            "lib/go.mod": "module a.com/lib\n\ngo 1.22\n",
            "lib/lib.go": 'package lib\n\n// #cgo pkg-config: libpng\nimport "C"\n\nfunc F() {}\n',
        },
    )
    main = api.scan(tmp_path).mains[0]
    assert main.cgo.required
    assert [(e.file, e.line) for e in main.cgo.evidence] == [("lib/lib.go", 4)]
    assert [(lib.kind, lib.name) for lib in main.cgo.libraries] == [("pkg-config", "libpng")]
    assert main.closure == (".", "lib")


def test_cgo_behind_a_build_tag_with_fallback_is_optional(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": MAIN,
            "fast_cgo.go": '//go:build cgo\n\npackage main\n\nimport "C"\n',
            "fast_nocgo.go": "//go:build !cgo\n\npackage main\n",
        },
    )
    cgo = api.scan(tmp_path).mains[0].cgo
    assert (cgo.required, cgo.optional) == (False, True)


def test_vendored_cgo_module_is_checked_exactly(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n\nrequire b.com/native v1.0.0\n",
            "go.sum": "b.com/native v1.0.0 h1:x=\nb.com/native v1.0.0/go.mod h1:y=\n",
            "main.go": 'package main\n\nimport "b.com/native"\n\nfunc main() { native.F() }\n',
            "vendor/modules.txt": "# b.com/native v1.0.0\n## explicit; go 1.20\nb.com/native\n",
            "vendor/b.com/native/n.go": 'package native\n\nimport "C"\n\nfunc F() {}\n',
        },
    )
    project = api.scan(tmp_path)
    assert project.vendor
    assert project.mains[0].cgo.required
    assert project.mains[0].cgo.evidence[0].file == "vendor/b.com/native/n.go"
    assert project.mains[0].closure == (".",)


def test_stale_vendor_directory_is_a_warning(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n\nrequire b.com/y v1.1.0\n",
            "go.sum": "b.com/y v1.1.0 h1:x=\n",
            "main.go": MAIN,
            "vendor/modules.txt": "# b.com/y v1.0.0\n## explicit\nb.com/y\n",
        },
    )
    warning = next(w for w in api.scan(tmp_path).warnings if w.code == "vendor-inconsistent")
    assert (warning.file, warning.line) == ("go.mod", 5)
    assert "go mod vendor" in warning.message


def test_missing_embed_names_the_pattern(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": (
                'package main\n\nimport "embed"\n\n//go:embed web/dist "docs/*.md"\nvar f embed.FS\n\nfunc main() {}\n'
            ),
            "docs/a.md": "# a\n",
        },
    )
    main = api.scan(tmp_path).mains[0]
    assert [(e.pattern, e.exists) for e in main.embeds] == [("docs/*.md", True), ("web/dist", False)]
    project = api.scan(tmp_path)
    assert [(w.code, w.line) for w in project.warnings] == [("embed-missing", 5)]


def test_symlinks_out_of_the_repository_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_repo(outside, {"evil.go": MAIN})
    repo = write_repo(tmp_path / "repo", {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN})
    (repo / "link.go").symlink_to(outside / "evil.go")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    project = api.scan(repo)
    assert [m.files for m in project.mains] == [("main.go",)]
    assert "symlink-outside" in codes(project)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_warning(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN, "other.go": "package main\n"})
    (tmp_path / "other.go").chmod(0)
    assert "unreadable-file" in codes(api.scan(tmp_path))


def test_dangling_symlink_is_an_unreadable_file(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN})
    (tmp_path / "gone.go").symlink_to(tmp_path / "nothing-here.go")
    project = api.scan(tmp_path)
    assert codes(project) == ["unreadable-file"]
    assert project.mains[0].files == ("main.go",)


def test_non_utf8_and_binary_go_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": MAIN,
            "latin.go": b"package main\n// caf\xe9\n",
            "blob.go": b"\x00\x01",
        },
    )
    project = api.scan(tmp_path)
    assert codes(project) == ["unparsable-go-file", "unparsable-go-file"]
    assert project.mains[0].files == ("main.go",)


def test_binary_name_from_a_makefile(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "cmd/server/main.go": MAIN,
            "Makefile": "build:\n\tgo build -trimpath -o bin/x-server ./cmd/server\n",
        },
    )
    main = api.scan(tmp_path).mains[0]
    assert main.binary == "x-server"
    assert main.binary_evidence is not None and (main.binary_evidence.file, main.binary_evidence.line) == (
        "Makefile",
        2,
    )


def test_version_element_is_skipped_in_binary_names(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/tool/v3\n\ngo 1.22\n", "main.go": MAIN, "cmd/v2/main.go": MAIN})
    assert [(m.dir, m.binary) for m in api.scan(tmp_path).mains] == [(".", "tool"), ("cmd/v2", "cmd")]


def test_replace_outside_the_repository_is_a_warning(tmp_path: Path) -> None:
    write_repo(
        tmp_path / "repo",
        {"go.mod": "module a.com/x\n\ngo 1.22\n\nrequire a.com/y v0.0.0\n\nreplace a.com/y => ../y\n", "main.go": MAIN},
    )
    project = api.scan(tmp_path / "repo")
    warning = next(w for w in project.warnings if w.code == "replace-outside-repo")
    assert (warning.file, warning.line) == ("go.mod", 7)
    assert project.modules[0].local_replaces[0].inside_repo is False

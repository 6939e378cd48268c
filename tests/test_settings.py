"""The table of settings: one entry per setting, from which checks, gogen.toml and docs derive."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tomlkit

from gogen.errors import GogenError
from gogen.profiles import PROFILE_NAMES
from gogen.settings import (
    CONFIG_FILE,
    SETTINGS,
    Options,
    SettingsError,
    config_text,
    layered,
    parse_config,
    settings_markdown,
)
from tests.conftest import ROOT
from tests.golden import check_golden

FLAGS = {row.spec.flag for row in SETTINGS if row.spec.flag}


def test_every_options_field_is_a_row_of_the_table() -> None:
    assert [row.name for row in SETTINGS] == [f.name for f in dataclasses.fields(Options)]
    defaults = Options()
    for row in SETTINGS:
        assert row.default == getattr(defaults, row.name)
        assert row.spec.comment and "\n" not in row.spec.comment
        assert row.kind in (str, bool, list, dict)
        assert (row.spec.metavar is not None) == (row.spec.flag is not None and row.kind is not bool), row.name


def test_the_defaults_pass_their_own_checks() -> None:
    assert Options().validated() == Options()


def test_the_flags_keep_their_spelling() -> None:
    assert set(FLAGS) == {
        "--profile", "--strategy", "--binary", "--primary", "--port", "--tag", "--syntax", "--templates", "--platform",
        "--private", "--compose", "--bake", "--docker-readme", "--go-version", "--dockerfile-syntax",
    }  # fmt: skip


def test_the_profile_comment_and_check_follow_the_profile_registry() -> None:
    profile = next(row for row in SETTINGS if row.name == "profile")
    for name in PROFILE_NAMES:
        assert name in profile.spec.comment
        assert Options(profile=name).validated() is not None
    with pytest.raises(SettingsError, match=f"choose one of {', '.join(PROFILE_NAMES)}"):
        Options(profile="ubuntu").validated()


def test_a_new_gogen_toml_lists_the_written_settings_in_table_order_with_comments() -> None:
    text = config_text(Options(compose=True, primary="cmd/api"), None)
    document = tomlkit.parse(text)
    keys = list(document)
    expected = [
        row.name
        for row in SETTINGS
        if row.spec.written == "always" or row.name in ("compose", "primary")
        if row.in_file and row.spec.written != "never"
    ]
    assert keys == expected
    for row in SETTINGS:
        if row.name in keys:
            assert f"# {row.spec.comment}\n" in text
    assert parse_config(text) == {
        key: tuple(value) if isinstance(value, list) else value for key, value in document.unwrap().items()
    }


def test_a_flag_turning_a_setting_off_updates_gogen_toml() -> None:
    existing = 'profile = "alpine"\ncompose = true  # ours\n'
    assert "compose = false  # ours\n" in config_text(Options(profile="alpine", compose=False), existing)


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("ports", (70000,), "--port: port 70000 is out of range"),
        ("profile", "ubuntu", "--profile: unknown profile 'ubuntu'"),
        ("binaries", ("../x",), "--binary: binary directory '../x' is not a plain relative path"),
        ("platforms", ("linux/sparc",), "--platform: platform 'linux/sparc'"),
        ("private", ("a b",), "--private: private = 'a b' is not a module path pattern"),
        ("ci", "gitlab", "ci: unknown CI provider 'gitlab' (choose one of github)"),
    ],
)
def test_a_command_line_value_is_refused_naming_its_flag(name: str, value: object, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        layered({name: value}, Options())
    assert str(caught.value).startswith(fragment)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('profile = "alpine"\nports = [8080, 70000]\n', "gogen.toml:2: port 70000 is out of range"),
        ('syntax = true\n\n[labels]\n"Bad Key" = "x"\n', "gogen.toml:3: label key 'Bad Key' is not allowed"),
        ('[images.digests]\n"golang:1.22" = "sha256:x"\n', "gogen.toml:1: digest 'sha256:x'"),
        ('binaries = ["cmd/a", 3]\n', "gogen.toml:1: binaries = ['cmd/a', 3] should hold names"),
        ('debian_release = "7"\n', "gogen.toml:1: unknown Debian release '7'"),
    ],
)
def test_a_gogen_toml_value_is_refused_naming_the_file_and_line(text: str, fragment: str) -> None:
    with pytest.raises(GogenError) as caught:
        layered(parse_config(text), Options(), CONFIG_FILE, text)
    assert str(caught.value).startswith(fragment)


def test_a_defaults_file_value_is_refused_naming_that_file(tmp_path: Path) -> None:
    text = 'strategy = "layers"\nplatforms = ["windows/amd64"]\n'
    file = str(tmp_path / "defaults.toml")
    with pytest.raises(SettingsError) as caught:
        layered(parse_config(text, file), Options(), file, text)
    assert str(caught.value).startswith(f"{file}:2: platform 'windows/amd64'")
    with pytest.raises(SettingsError, match=r"defaults.toml:1: ports = \['80'\] should hold port numbers"):
        parse_config('ports = ["80"]\n', file)


def test_tables_merge_over_the_layer_below() -> None:
    base = layered({"labels": (("com.a", "1"), ("com.b", "2"))}, Options())
    assert layered({"labels": (("com.b", "3"),)}, base).labels == (("com.a", "1"), ("com.b", "3"))
    assert layered({"packages": ("curl",)}, Options(packages=("git",))).packages == ("curl",)


def test_docs_settings_md_is_rendered_from_the_table(update_golden: bool) -> None:
    check_golden(ROOT / "docs" / "settings.md", settings_markdown(), update_golden)
    for row in SETTINGS:
        assert f"`{row.name}`" in settings_markdown() or f".{row.name}]`" in settings_markdown()

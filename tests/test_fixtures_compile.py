"""The fixtures are real Go: each builds, vets and runs as its fixture.toml says.

Runs fixtures/verify.py with the Go toolchain (scripts/install-go.sh installs it). Without Go
the test is skipped, except in CI (CI=true), where a missing toolchain is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GO = os.environ.get("GO", "/usr/lib/go-1.23/bin/go")


def test_every_fixture_builds_and_runs_as_described() -> None:
    if not Path(GO).exists() and shutil.which("go") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Go toolchain at {GO} in CI: scripts/install-go.sh should have installed it")
        pytest.skip(f"no Go toolchain at {GO}; run scripts/install-go.sh")
    go = GO if Path(GO).exists() else str(shutil.which("go"))
    result = subprocess.run(
        [sys.executable, str(FIXTURES / "verify.py")],
        capture_output=True,
        text=True,
        env={**os.environ, "GO": go},
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "fixtures ok" in result.stdout

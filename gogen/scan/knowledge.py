"""What gogen knows about the Go ecosystem: module tables and naming conventions."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

VERSION_PACKAGES = frozenset({"version", "buildinfo", "build"})
VERSION_NAMES = ("version", "Version", "appVersion", "buildVersion", "gitVersion")
TLS_IMPORTS = frozenset({"crypto/tls", "net/smtp"})
CA_CERT_MODULES = (
    "github.com/aws/aws-sdk-go",
    "cloud.google.com/go",
    "google.golang.org/api",
    "github.com/Azure/azure-sdk-for-go",
    "golang.org/x/oauth2",
    "google.golang.org/grpc/credentials",
    "github.com/stripe/stripe-go",
    "github.com/slack-go/slack",
    "github.com/google/go-github",
    "github.com/go-resty/resty",
)
_EMBED_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)')


def is_std(import_path: str) -> bool:
    """Standard-library paths (and "C") have no dot in their first element."""
    first = import_path.split("/", 1)[0]
    return "." not in first


@cache
def _cgo_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Module path → (why it needs cgo, the system libraries it links)."""
    data = resources.files("gogen").joinpath("data/cgo_modules.toml").read_text(encoding="utf-8")
    modules = tomllib.loads(data)["modules"]
    return {
        path: (str(entry["reason"]), tuple(str(name) for name in entry.get("libraries", ())))
        for path, entry in modules.items()
    }


def _under(import_path: str, module: str) -> bool:
    return import_path == module or import_path.startswith(module + "/")


def cgo_module(import_path: str) -> str | None:
    """Why importing `import_path` needs cgo, or None when gogen knows no reason."""
    for module, (reason, _) in _cgo_table().items():
        if _under(import_path, module):
            return reason
    return None


def cgo_module_libraries(import_path: str) -> tuple[str, ...]:
    """The system libraries the cgo module `import_path` belongs to links (cgo_modules.toml's `libraries`)."""
    for module, (_, libraries) in _cgo_table().items():
        if _under(import_path, module):
            return libraries
    return ()


def needs_ca_certs(import_path: str) -> bool:
    return any(_under(import_path, module) or import_path.startswith(module) for module in CA_CERT_MODULES)


def embed_patterns(args: str) -> list[str]:
    """The patterns of one `//go:embed` line: space-separated, optionally Go-quoted."""
    patterns = []
    for match in _EMBED_ARG.finditer(args):
        if match.group(3) is not None and match.group(3).startswith("//"):
            break
        value = next(g for g in match.groups() if g is not None)
        patterns.append(value)
    return patterns

"""Secrets never reach the builder: gogen's denylist in the generated .dockerignore, and the
`secret-included` check of `gogen context` (by name, and by content for a private key or a
service-account key under an innocuous name), on a hostile repository built here."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from gogen import api, context
from gogen.denylist import GOGEN_TEMPORARIES, IGNORED_SECRETS, SECRET_PATTERNS
from gogen.dockerignore import Matcher, parse
from tests.repo_builder import MAIN, write_repo

GO_MOD = "module example.com/vault\n\ngo 1.22\n"
# Not a key: random-looking base64 long enough to look like one to the content check.
BODY = "\n".join(base64.b64encode(bytes(range(i, i + 48))).decode() for i in range(0, 240, 48))


def pem(kind: str) -> str:
    label = f"{kind} PRIVATE KEY" if kind else "PRIVATE KEY"
    return f"-----BEGIN {label}-----\n{BODY}\n-----END {label}-----\n"


SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "project_id": "demo",
        "private_key_id": "0123",
        "private_key": pem(""),
        "client_email": "ci@demo.iam.gserviceaccount.com",
    },
    indent=2,
)

# Every kind of secret file, named as the tools that write them name them.
SECRET_NAMES: dict[str, str] = {
    ".env": "TOKEN=1\n",
    ".env.production": "TOKEN=1\n",
    ".git-credentials": "https://user:token@github.com\n",
    ".gitcookies": "github.com\tFALSE\t/\tTRUE\t0\to\tgit-x=1\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=npm_x\n",
    ".pypirc": "[pypi]\npassword = pypi-x\n",
    ".docker/config.json": '{"auths": {"ghcr.io": {"auth": "eDp5"}}}\n',
    ".dockercfg": "{}\n",
    ".kube/config": "apiVersion: v1\nusers: []\n",
    ".aws/credentials": "[default]\naws_secret_access_key = x\n",
    ".config/gcloud/application_default_credentials.json": "{}\n",
    ".azure/msal_token_cache.json": "{}\n",
    ".boto": "[Credentials]\n",
    ".s3cfg": "[default]\nsecret_key = x\n",
    ".netrc": "machine github.com login x password y\n",
    "_netrc": "machine github.com login x password y\n",
    ".htpasswd": "admin:$apr1$x$y\n",
    ".pgpass": "db:5432:*:app:secret\n",
    ".my.cnf": "[client]\npassword=x\n",
    ".vault-token": "hvs.x\n",
    ".ssh/config": "Host *\n",
    ".gnupg/private-keys-v1.d/AB.key": "x\n",
    "id_rsa": pem("RSA"),
    "id_dsa": pem("DSA"),
    "id_ecdsa": pem("EC"),
    "id_ecdsa_sk": pem("OPENSSH"),
    "id_ed25519": pem("OPENSSH"),
    "id_ed25519_sk": pem("OPENSSH"),
    "id_rsa_deploy": pem("RSA"),
    "server.pem": pem(""),
    "Cert.Pem": pem(""),
    "SERVER.KEY": pem("RSA"),
    "tls.key": pem("EC"),
    "client.p12": "binary\n",
    "CLIENT.P12": "binary\n",
    "store.pfx": "binary\n",
    "bundle.pkcs12": "binary\n",
    "AuthKey_ABC123.p8": pem(""),
    "release.jks": "binary\n",
    "upload.keystore": "binary\n",
    "Release.KeyStore": "binary\n",
    "putty.ppk": "PuTTY-User-Key-File-3: ssh-ed25519\n",
    "passwords.kdbx": "binary\n",
    "krb5.keytab": "binary\n",
    "credentials.json": "{}\n",
    "service-account.json": SERVICE_ACCOUNT,
    "service_account_prod.json": SERVICE_ACCOUNT,
    "deploy-sa-key.json": SERVICE_ACCOUNT,
    "gcp-key.json": SERVICE_ACCOUNT,
    "terraform.tfstate": '{"version": 4}\n',
    "terraform.tfstate.backup": '{"version": 4}\n',
    "prod.tfstate": '{"version": 4}\n',
}
SECRET_FILES = {**SECRET_NAMES, **{f"services/api/deploy/{name}": text for name, text in SECRET_NAMES.items()}}

# Secrets by content only: their names say nothing.
CONTENT_SECRETS = {
    "notes.txt": "Production access, do not share:\n\n" + pem("RSA"),
    "config/ec": pem("EC"),
    "config/dsa.conf": pem("DSA"),
    "ops/ssh-key.backup": pem("OPENSSH"),
    "ops/encrypted.txt": pem("ENCRYPTED"),
    "ops/legacy": "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
    + BODY
    + "\n-----END RSA PRIVATE KEY-----\n",
    "ops/signing.asc": "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\n" + BODY + "\n=abcd\n"
    "-----END PGP PRIVATE KEY BLOCK-----\n",
    "ops/tunnel": "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nPublic-Lines: 1\nAAAA\nPrivate-Lines: 1\nBBBB\n",
    "demo-project-1a2b3c4d5e6f.json": SERVICE_ACCOUNT,
    "k8s/values.yaml": "tls:\n  key: |\n    " + pem("EC").replace("\n", "\n    "),
}

# Not secrets: gogen neither reports them nor (for the first) needs them excluded.
HARMLESS = {
    ".env.example": "TOKEN=\n",
    ".env.sample": "TOKEN=\n",
    "id_ed25519.pub": "ssh-ed25519 AAAAC3Nza user@host\n",
    "keys/deploy.pub": "ssh-rsa AAAAB3Nza user@host\n",
    "README.md": "Paste your key (it starts with -----BEGIN RSA PRIVATE KEY-----):\n\n" + pem("RSA"),
    "crypto/key_test.go": f"package crypto\n\nconst testKey = `{pem('RSA')}`\n",
    "docs/example.txt": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n",
    "ca.crt": "-----BEGIN CERTIFICATE-----\n" + BODY + "\n-----END CERTIFICATE-----\n",
    "data/big.txt": "x" * context.CONTENT_LIMIT + pem("RSA"),
}


def hostile_repo(root: Path, *groups: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {"go.mod": GO_MOD, "main.go": MAIN}
    for group in groups:
        files.update(group)
    return write_repo(root, files)


def secrets_reported(repo: Path, rules_text: str) -> dict[str, str]:
    """{path: rule} of the secret-included problems `rules_text` gives for `repo`."""
    _, the_plan = api.plan(repo, {})
    report = context.evaluate(repo, parse(rules_text), list(the_plan.needed_files), "test")
    assert not [p for p in report.problems if p.kind == "needed-excluded"]
    return {p.path: p.rule for p in report.problems if p.kind == "secret-included"}


def test_every_secret_kind_is_left_out_by_the_generated_dockerignore(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, SECRET_FILES, HARMLESS)
    report = api.context(repo, None)
    assert report.dockerignore == "the .dockerignore gogen would write"
    assert report.problems == ()
    sent = set(report.included)
    assert [path for path in SECRET_FILES if path in sent] == []
    assert {"go.mod", "main.go", "README.md", "ca.crt"} <= sent


def test_every_secret_kind_is_reported_when_the_dockerignore_is_empty(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, SECRET_FILES, HARMLESS)
    reported = secrets_reported(repo, "")
    assert [path for path in SECRET_FILES if path not in reported] == []
    assert all(rule.endswith("(gogen's secret patterns)") for rule in reported.values())


def test_gogen_init_writes_a_dockerignore_that_keeps_every_secret_out(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, SECRET_FILES)
    api.init(repo, {}, api.WriteOptions())
    text = (repo / ".dockerignore").read_text()
    assert secrets_reported(repo, text) == {}
    matcher = Matcher(parse(text))
    assert [path for path in SECRET_FILES if not matcher.excluded(path)] == []


def test_a_private_key_under_an_innocuous_name_is_found_by_its_content(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, CONTENT_SECRETS, HARMLESS)
    reported = secrets_reported(repo, "")
    assert set(reported) == set(CONTENT_SECRETS)
    assert reported["notes.txt"] == "content: a private key"
    assert reported["demo-project-1a2b3c4d5e6f.json"] == "content: a cloud service-account key"
    # The generated .dockerignore does not know these names: gogen context says so.
    problems = {(p.kind, p.path) for p in api.context(repo, None).problems}
    assert ("secret-included", "notes.txt") in problems


def test_a_problem_never_quotes_the_secret(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, CONTENT_SECRETS)
    for problem in api.context(repo, None).problems:
        assert "BEGIN" not in problem.rule and BODY[:20] not in problem.rule


def test_public_keys_env_examples_docs_code_and_certificates_are_not_reported(tmp_path: Path) -> None:
    """Public keys (`*.pub`) are not secrets: the check does not report them, although the
    generated .dockerignore leaves `id_*.pub` out with the private halves (the build never
    reads them). Code and docs are not read for keys (a key literal in a Go test is the usual
    false alarm), a file over 64 KiB is not read, and a PEM marker with no key body is not a key."""
    repo = hostile_repo(tmp_path, HARMLESS)
    assert secrets_reported(repo, "") == {}
    sent = set(api.context(repo, None).included)
    assert "id_ed25519.pub" not in sent and ".env.example" not in sent
    assert {"keys/deploy.pub", "README.md", "crypto/key_test.go", "ca.crt"} <= sent


def test_an_upper_case_server_key_is_excluded(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"SERVER.KEY": pem("RSA"), "tls/Server.Key": pem("RSA"), "x/CA.PEM": pem("")})
    report = api.context(repo, None)
    assert report.problems == ()
    assert not {"SERVER.KEY", "tls/Server.Key", "x/CA.PEM"} & set(report.included)
    assert set(secrets_reported(repo, "")) == {"SERVER.KEY", "tls/Server.Key", "x/CA.PEM"}


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("a.PEM", True),
        ("a.pEm", True),
        ("deep/er/b.Key", True),
        ("a.pem.txt", False),
        ("pem", False),
        ("a.kye", False),
        ("x/id_ed25519.pub", True),
        ("terraform.tfstate.1700000000.backup", True),
        ("main.tf", False),
    ],
)
def test_the_denylist_patterns_match_at_any_depth_in_any_letter_case(path: str, excluded: bool) -> None:
    assert Matcher(parse("\n".join(IGNORED_SECRETS))).excluded(path) is excluded


def test_the_denylist_is_one_list_anchored_at_any_depth() -> None:
    assert tuple(p for p in SECRET_PATTERNS if not p.startswith("!")) == IGNORED_SECRETS
    assert all(pattern.removeprefix("!").startswith("**/") for pattern in (*SECRET_PATTERNS, *GOGEN_TEMPORARIES))


def test_content_is_read_only_from_regular_files_inside_the_repository(tmp_path: Path) -> None:
    outside = write_repo(tmp_path / "outside", {"key.txt": pem("RSA")})
    repo = hostile_repo(tmp_path / "repo", {})
    os.symlink(outside / "key.txt", repo / "notes.txt")
    os.mkfifo(repo / "pipe.txt")
    report = context.evaluate(repo, [], ["go.mod", "main.go"], "test")
    assert {"notes.txt", "pipe.txt"} <= set(report.included)
    assert report.problems == ()


def test_what_the_content_check_reads() -> None:
    assert context.content_checked("notes.txt", 2000)
    assert context.content_checked("ops/key", 2000)
    assert not context.content_checked("main.go", 2000)
    assert not context.content_checked("README.md", 2000)
    assert not context.content_checked("notes.txt", context.CONTENT_LIMIT + 1)
    assert not context.content_checked("tiny", 10)

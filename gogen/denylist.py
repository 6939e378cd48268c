"""What never goes to the builder: gogen's default .dockerignore lines and its secret patterns.

One source of truth for two uses: the plan writes these lines into every generated
.dockerignore, and `gogen context` (and the check before every write) flags a file that a
.dockerignore sends although it matches SECRET_PATTERNS or holds a private key.

Every pattern is in Docker's terms (moby/patternmatcher): anchored at the context root, so a
name that may appear at any depth starts with `**/`. Docker matches case-sensitively and has
no flag to change that; an extension that is written in either case (`server.KEY`,
`CERT.PEM`) is spelt with character classes (`*.[kK][eE][yY]`), which the engine reads as
regular-expression classes. Names that tools write themselves (`.npmrc`, `.git-credentials`,
`terraform.tfstate`) are matched as written.
"""

from __future__ import annotations


def _any_case(extension: str) -> str:
    """`pem` → `[pP][eE][mM]`: a Docker pattern for the extension in any letter case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in extension)


SECRETS_TITLE = "Secrets: never sent to the builder"

# Environment files; the examples committed next to them are not secrets.
_ENVIRONMENT = ("**/.env", "**/.env.*")
NOT_SECRETS_ENVIRONMENT = ("!**/.env.example", "!**/.env.sample", "!**/.env.template")

# Private keys, certificates bundled with their key, keystores, password databases.
KEY_EXTENSIONS = ("pem", "key", "p12", "pfx", "p8", "pkcs12", "jks", "keystore", "ppk", "kdbx", "keytab")
_KEYS = tuple(f"**/*.{_any_case(extension)}" for extension in KEY_EXTENSIONS)

# SSH keys of every type (id_rsa, id_dsa, id_ecdsa, id_ecdsa_sk, id_ed25519, id_ed25519_sk,
# id_xmss and their renamed copies: id_rsa_deploy, id_ed25519.old), the .ssh folder, GnuPG's.
# The generated .dockerignore leaves the public halves out as well (the build never reads
# them); the secret check does not report a `*.pub` file (public keys are not secrets).
_SSH = ("**/id_rsa*", "**/id_dsa*", "**/id_ecdsa*", "**/id_ed25519*", "**/id_xmss*", "**/.ssh", "**/.gnupg")
NOT_SECRETS_PUBLIC = ("!**/*.pub",)

# Credentials that tools write into a home directory, found in a repository when a home
# directory (or part of one) was committed or copied into it.
_TOOLS = (
    "**/.netrc",
    "**/_netrc",
    "**/.git-credentials",
    "**/.gitcookies",
    "**/.npmrc",
    "**/.pypirc",
    "**/.docker/config.json",
    "**/.dockercfg",
    "**/.kube",
    "**/.aws",
    "**/.config/gcloud",
    "**/.azure",
    "**/.boto",
    "**/.s3cfg",
    "**/.htpasswd",
    "**/.pgpass",
    "**/.my.cnf",
    "**/.vault-token",
)

# Cloud service-account key files (content detection in gogen.context catches the ones with
# a generated name, such as GCP's `<project>-<hash>.json`) and Terraform state, which holds
# every secret of the resources it manages in plain text.
_CLOUD = (
    "**/credentials.json",
    "**/application_default_credentials.json",
    "**/service-account*.json",
    "**/service_account*.json",
    "**/*-sa-key.json",
    "**/gcp-key.json",
    "**/*.tfstate",
    "**/*.tfstate.*",
)

# The secret patterns in order: a later `!` line keeps a file the check must not report.
SECRET_PATTERNS: tuple[str, ...] = (
    *_ENVIRONMENT,
    *NOT_SECRETS_ENVIRONMENT,
    *_KEYS,
    *_SSH,
    *_TOOLS,
    *_CLOUD,
    *NOT_SECRETS_PUBLIC,
)

# The .dockerignore leaves .env.example and public keys out too: the build never reads them,
# and a `!` rule would make every excluded directory (node_modules...) worth walking for a
# re-included file.
IGNORED_SECRETS: tuple[str, ...] = tuple(pattern for pattern in SECRET_PATTERNS if not pattern.startswith("!"))

# What gogen itself leaves in a repository: temporary files of an interrupted write
# (`.Dockerfile.<random>.gogen-tmp`) and backups (`Dockerfile.bak`, then `Dockerfile.bak.1`,
# `.bak.2`...). Its lock is taken on the repository directory itself: there is no lock file.
GOGEN_TEMPORARIES = ("**/*.gogen-tmp", "**/*.bak", "**/*.bak.*")

BASE_IGNORE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Version control, editors, operating-system files",
        (".git", ".hg", ".svn", ".bzr", ".idea", ".vscode", "**/.DS_Store", "**/*.swp"),
    ),
    (
        "Container and CI files: editing them must not invalidate the build cache",
        (
            "Dockerfile*",
            ".dockerignore",
            "compose*.y*ml",
            "docker-compose*.y*ml",
            "docker-bake*.hcl",
            "docker-bake*.json",
            "gogen.toml",
            ".github",
            ".gitlab-ci.yml",
        ),
    ),
    ("gogen's temporary files and backups", GOGEN_TEMPORARIES),
    (
        "Other tools' dependencies and build output",
        ("**/node_modules", "bin", "dist", "out", "build", "**/*.test", "**/*.out", "**/*.log"),
    ),
)

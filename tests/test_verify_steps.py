"""Reading BuildKit's plain progress log: which steps ran and which came from the cache."""

from __future__ import annotations

from gogen.verify import parse_steps

LOG = """#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#5 [build 1/4] WORKDIR /src
#5 CACHED
#6 [build 2/4] RUN --mount=type=cache,target=/go/pkg/mod --mount=type=bind,source=go.mod,target=go.mod go mod download
#6 CACHED
#7 [build 3/4] RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build
#7 0.512 compiling
#7 DONE 3.1s
#8 [shop 1/1] COPY --from=build /out/shop /usr/local/bin/shop
#8 DONE 0.1s
"""


def test_steps_are_marked_cached_or_run() -> None:
    steps = parse_steps(LOG)
    assert [(s.stage, s.cached) for s in steps] == [("build 2/4", True), ("build 3/4", False), ("shop 1/1", False)]
    assert steps[1].instruction.endswith("go build")


def test_a_log_without_steps_has_none() -> None:
    assert parse_steps("#1 [internal] load .dockerignore\n#1 DONE 0.0s\n") == ()

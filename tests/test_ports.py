"""Listen ports read from Go source: each shape, what is not a port, and what a main ends up with."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gogen import api
from gogen.model import Port
from gogen.scan.gofile import GoFile, parse_file, scan_lines
from gogen.scan.lines import Hit
from gogen.scan.ports import address_name, skeleton
from tests.repo_builder import write_repo

IMPORTS = (
    "flag",
    "os",
    "net",
    "net/http",
    "github.com/spf13/cobra",
    "github.com/spf13/pflag",
    "github.com/alecthomas/kingpin/v2",
    "github.com/urfave/cli/v2",
    "github.com/prometheus/exporter-toolkit/web/kingpinflag",
)
HEADER = "package main\n\nimport (\n" + "".join(f'\t"{path}"\n' for path in IMPORTS) + ")\n\n"
HEADER_LINES = HEADER.count("\n")


def scan(body: str) -> GoFile:
    """The line scan of a main file holding `body` after a header importing every library."""
    return parse_file((HEADER + body).encode(), "main.go")


def ports(body: str) -> list[tuple[str, str, int, str]]:
    """(source, host, line in `body`, port) for every port found, in line order."""
    gofile = scan(body)
    found = [("listen", h.value, h.line, h.extra) for h in gofile.listens]
    found += [("flag", h.value, h.line, h.extra) for h in gofile.flag_ports]
    found += [("env", h.extra, h.line, h.value) for h in gofile.env_ports]
    return sorted(((s, host, line - HEADER_LINES, port) for s, host, line, port in found), key=lambda x: x[2])


def test_stdlib_flag_defaults() -> None:
    body = (
        'var a = flag.String("addr", ":8080", "listen address")\n'
        'var b = flag.Int("port", 8081, "port")\n'
        "func init() {\n"
        '\tflag.StringVar(&cfg.HTTP, "http", "0.0.0.0:8082", "http listener")\n'
        '\tflag.UintVar(&cfg.GRPCPort, "grpc-port", 8083, "grpc")\n'
        '\tflag.String("listen-address", "[::]:8084", "x")\n'
        '\tflag.String("port", "8085", "as a string")\n'
        "}\n"
    )
    assert ports(body) == [
        ("flag", "", 1, "8080"),
        ("flag", "", 2, "8081"),
        ("flag", "0.0.0.0", 4, "8082"),
        ("flag", "", 5, "8083"),
        ("flag", "[::]", 6, "8084"),
        ("flag", "", 7, "8085"),
    ]


def test_pflag_and_cobra_var_p_forms() -> None:
    body = (
        "func flags(cmd *cobra.Command, fs *pflag.FlagSet) {\n"
        '\tcmd.Flags().StringVarP(&o.listen, "listen", "l", ":9000", "address")\n'
        '\tcmd.PersistentFlags().IntVarP(&o.port, "metrics-port", "m", 9001, "metrics")\n'
        '\tfs.StringP("bind-address", "b", "127.0.0.1:9002", "bind")\n'
        '\tpflag.Int("port", 9003, "port")\n'
        "\tfs.StringVar(\n"
        "\t\t&o.web,\n"
        '\t\t"web.listen-address",\n'
        '\t\t":9004",\n'
        '\t\t"split over lines",\n'
        "\t)\n"
        "}\n"
    )
    assert ports(body) == [
        ("flag", "", 2, "9000"),
        ("flag", "", 3, "9001"),
        ("flag", "127.0.0.1", 4, "9002"),
        ("flag", "", 5, "9003"),
        ("flag", "", 9, "9004"),
    ]


def test_kingpin_defaults_in_one_line_and_in_a_chain_over_lines() -> None:
    body = (
        "var (\n"
        '\tone = app.Flag("web.listen-address", "Address.").Default("0.0.0.0:9090").String()\n'
        "\ttwo = kingpin.Flag(\n"
        '\t\t"grpc.listen-address",\n'
        '\t\t"Address to listen on.",\n'
        "\t).Short('g').Envar(\"GRPC_ADDR\").\n"
        '\t\tDefault(":9091").String()\n'
        '\tthree = app.Flag("port", "x").Default("9092").Int()\n'
        '\tnone = app.Flag("listen", "no default").String()\n'
        '\tlater = app.Flag("timeout", "x").Default("30").Int()\n'
        ")\n"
        "func main() {\n"
        '\twebflag := kingpinflag.AddFlags(kingpin.CommandLine, ":9093")\n'
        "}\n"
    )
    assert ports(body) == [
        ("flag", "0.0.0.0", 2, "9090"),
        ("flag", "", 7, "9091"),
        ("flag", "", 8, "9092"),
        ("flag", "", 13, "9093"),
    ]


def test_a_kingpin_default_belongs_to_its_own_chain_only() -> None:
    """`.Default` of the next statement is not the default of a flag that has none."""
    body = 'var a = app.Flag("listen", "x").String()\nvar b = app.Flag("name", "x").Default(":9999").String()\n'
    assert ports(body) == []


def test_urfave_cli_flag_structs() -> None:
    body = (
        "var flags = []cli.Flag{\n"
        "\t&cli.StringFlag{\n"
        '\t\tName:    "listen",\n'
        '\t\tAliases: []string{"l"},\n'
        '\t\tEnvVars: []string{"LISTEN"},\n'
        '\t\tValue:   ":7070",\n'
        '\t\tUsage:   "where to listen",\n'
        "\t},\n"
        '\t&cli.IntFlag{Value: 7071, Name: "port"},\n'
        '\t&cli.StringFlag{Name: "config", Value: "app.yaml"},\n'
        '\t&cli.StringFlag{Name: "upstream-addr", Value: "backend:7072"},\n'
        "}\n"
    )
    assert ports(body) == [("flag", "", 6, "7070"), ("flag", "", 9, "7071")]


def test_listen_calls_and_addr_fields() -> None:
    body = (
        "func main() {\n"
        '\tgo http.ListenAndServe(":8001", nil)\n'
        '\tgo http.ListenAndServeTLS("0.0.0.0:8443", "cert.pem", "key.pem", nil)\n'
        '\tln, _ := net.Listen("tcp", "[::]:8002")\n'
        '\tun, _ := net.Listen("unix", "/run/app.sock")\n'
        '\tl2, _ := lc.Listen(ctx, "tcp4", ":8003")\n'
        '\tr.Run(":8004")\n'
        '\te.Start(":8005")\n'
        "\tsrv := &http.Server{\n"
        '\t\tAddr:    ":8006",\n'
        "\t\tHandler: h,\n"
        "\t}\n"
        '\tcfg := Config{ListenAddress: ":8007", RemoteAddr: "db:5432"}\n'
        "}\n"
    )
    assert ports(body) == [
        ("listen", "", 2, "8001"),
        ("listen", "0.0.0.0", 3, "8443"),
        ("listen", "[::]", 4, "8002"),
        ("listen", "", 6, "8003"),
        ("listen", "", 7, "8004"),
        ("listen", "", 8, "8005"),
        ("listen", "", 10, "8006"),
        ("listen", "", 13, "8007"),
    ]


def test_a_client_address_is_not_a_port() -> None:
    body = (
        "func main() {\n"
        '\trdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})\n'
        "\tc := redis.NewUniversalClient(&redis.UniversalOptions{\n"
        '\t\tAddrs: []string{"cache:6379"},\n'
        '\t\tAddr:  "cache:6380",\n'
        "\t})\n"
        '\tflag.String("redis-addr", "localhost:6379", "redis")\n'
        '\tflag.String("db-address", "localhost:5432", "database")\n'
        '\tflag.Int("report-interval", 30, "seconds")\n'
        '\tflag.Int("export-port-count", 30, "not a port")\n'
        '\tflag.Int("retries", 3, "not a name for a port")\n'
        '\tzap.Int("port", 8080)\n'
        "}\n"
    )
    assert ports(body) == [("flag", "", 10, "30")]  # `export-port-count` does hold a `port` word


def test_constants_and_other_strings_are_not_ports() -> None:
    body = (
        'const defaultAddr = ":8080"\n'
        'var fallback = "localhost:9090"\n'
        'var a = flag.String("addr", defaultAddr, "a constant default is not read")\n'
        'func main() { http.ListenAndServe(fmt.Sprintf(":%d", 8080), nil) }\n'
    )
    assert ports(body) == []


def test_comments_and_strings_never_hold_ports() -> None:
    body = (
        '// http.ListenAndServe(":1001", nil)\n'
        '\t// flag.String("addr", ":1002", "x")\n'
        "/*\n"
        'net.Listen("tcp", ":1003")\n'
        'var a = flag.String("addr", ":1004", "x")\n'
        "*/\n"
        'var usage = `run http.ListenAndServe(":1005", nil) yourself`\n'
        'var doc = "flag.String(\\"addr\\", \\":1006\\", \\"x\\")"\n'
        "var r = '\"'\n"
        'var b = flag.String("addr", ":1007", "real") // flag.String("addr", ":1008", "")\n'
        'var c = flag.String("addr", /* ":1009" */ ":1010", "after a comment")\n'
        'var s = "// not a comment"; var d = flag.Int("port", 1011, "x")\n'
    )
    assert ports(body) == [("flag", "", 10, "1007"), ("flag", "", 11, "1010"), ("flag", "", 12, "1011")]


def test_the_port_environment_variable_default() -> None:
    body = (
        "func main() {\n"
        '\tport := os.Getenv("PORT") // "9999" in a comment is skipped\n'
        '\tif port == "" {\n'
        '\t\tport = "3000"\n'
        "\t}\n"
        '\t// os.Getenv("PORT") with "4000"\n'
        "}\n"
    )
    assert ports(body) == [("env", "", 4, "3000")]


def test_shapes_need_their_library_imported() -> None:
    text = 'package main\n\nimport "fmt"\n\nvar a = flag.String("addr", ":8080", "x")\nfunc main() { fmt.Println(a) }\n'
    gofile = parse_file(text.encode(), "main.go")
    assert gofile.flag_ports == () and gofile.listens == ()


def test_hit_text_is_the_line_of_the_value() -> None:
    gofile = scan('var a = flag.String("addr", ":8080", "x")\n')
    assert gofile.flag_ports == (Hit(HEADER_LINES + 1, 'var a = flag.String("addr", ":8080", "x")', "", "8080"),)


def test_address_names() -> None:
    yes = ["addr", "http-addr", "web.listen-address", "listenAddr", "HTTPPort", "bind", "grpc", "port", "metrics.addr"]
    no = ["redis-addr", "db", "report", "transport", "upstream.address", "peer-addr", "timeout", "config"]
    assert [name for name in yes if not address_name(name)] == []
    assert [name for name in no if address_name(name)] == []


def test_skeleton_keeps_offsets_and_lines() -> None:
    text = 'a := "x:1" // c\n/* b\nc */ `r\naw` + \'"\'\n'
    skel = skeleton(text)
    assert len(skel) == len(text)
    assert [i for i, ch in enumerate(skel) if ch == "\n"] == [i for i, ch in enumerate(text) if ch == "\n"]
    assert skel.startswith('a := "\x00\x00\x00"     \n')
    assert "c" not in skel and "'" not in skel


def test_generate_runs() -> None:
    text = (
        "package tools\n\n"
        "//go:generate go run ./tools/gen\n"
        "//go:generate go run -mod=mod ./x\n"
        "//go:generate go run -tags dev github.com/x/y/cmd/z@v1 -out z.go\n"
        '//go:generate go run "path/to/pkg" arg\n'
        "//go:generate go run gen.go\n"
        "//go:generate stringer -type=Kind\n"
        " //go:generate go run ./indented\n"
        "// go:generate go run ./spaced\n"
        "//go:generate go run -race\n"
    )
    gofile = parse_file(text.encode(), "doc.go")
    assert [(h.line, h.value) for h in gofile.generate_runs] == [
        (3, "./tools/gen"),
        (4, "./x"),
        (5, "github.com/x/y/cmd/z@v1"),
        (6, "path/to/pkg"),
        (7, "gen.go"),
    ]
    assert gofile.generate_runs[0].text == "//go:generate go run ./tools/gen"


FRAGMENTS = [
    'flag.String("addr", ":8080", "x")',
    'flag.StringVarP(&x, "listen", "l", ":1", ',
    "kingpin.Flag(",
    '"web.listen-address",',
    ').Default("0.0.0.0:9090").String()',
    ".Default(",
    "&cli.StringFlag{",
    'Name: "port",',
    "Value: 99999,",
    "}",
    "{",
    ")",
    "(",
    'Addr: ":0"',
    'net.Listen("tcp", "[::]:65536")',
    'os.Getenv("PORT")',
    '"',
    "`",
    "'",
    "/*",
    "*/",
    "//",
    "\\",
    "//go:generate go run",
    "//go:generate go run -tags",
    "\x00",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40))
def test_random_lines_never_raise_in_the_line_scan(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    gofile = GoFile("main.go", "main", (*IMPORTS, "embed", "C", "time"), None, "", 0)
    scan_lines(gofile, text)
    for hit in gofile.listens + gofile.flag_ports:
        assert hit.extra.isdigit()
    for hit in gofile.env_ports:
        assert hit.value.isdigit()


# ---------------------------------------------------------------- what a main package ends up with

GO_MOD = "module example.com/app\n\ngo 1.22\n"


def main_ports(tmp_path: Path, files: dict[str, str]) -> tuple[list[Port], list[tuple[str, str, int]]]:
    project = api.scan(write_repo(tmp_path, {"go.mod": GO_MOD, **files}))
    main = next(m for m in project.mains if m.dir == ".")
    return list(main.ports), [(w.code, w.file, w.line) for w in project.warnings if w.code == "loopback-bind"]


PPROF_MAIN = """package main

import (
\t"log"
\t"net/http"
\t_ "net/http/pprof"
)

func main() {
\tgo func() { log.Println(http.ListenAndServe("localhost:6060", nil)) }()
%s}
"""


def test_a_pprof_listener_beside_the_service_is_neither_a_port_nor_a_warning(tmp_path: Path) -> None:
    main = PPROF_MAIN % '\tlog.Fatal(http.ListenAndServe(":8080", nil))\n'
    found, warnings = main_ports(tmp_path, {"main.go": main})
    assert found == [Port(8080, "", "listen", "main.go", 11, 'log.Fatal(http.ListenAndServe(":8080", nil))')]
    assert warnings == []


def test_a_service_port_in_another_package_also_silences_the_loopback_one(tmp_path: Path) -> None:
    server = 'package server\n\nimport "net/http"\n\nvar S = &http.Server{Addr: "0.0.0.0:9000"}\n'
    main = (PPROF_MAIN % "").replace('_ "net/http/pprof"\n', '_ "net/http/pprof"\n\t_ "example.com/app/server"\n')
    found, warnings = main_ports(tmp_path, {"main.go": main, "server/server.go": server})
    assert found == [
        Port(9000, "0.0.0.0", "listen", "server/server.go", 5, 'var S = &http.Server{Addr: "0.0.0.0:9000"}')
    ]
    assert warnings == []


def test_a_loopback_listener_alone_stays_and_warns(tmp_path: Path) -> None:
    found, warnings = main_ports(tmp_path, {"main.go": PPROF_MAIN % ""})
    assert found == [
        Port(
            6060,
            "localhost",
            "listen",
            "main.go",
            10,
            'go func() { log.Println(http.ListenAndServe("localhost:6060", nil)) }()',
        )
    ]
    assert warnings == [("loopback-bind", "main.go", 10)]


def test_vendored_and_replaced_modules_ports_do_not_count(tmp_path: Path) -> None:
    lib = 'package lib\n\nimport "net/http"\n\nfunc Serve() { http.ListenAndServe(":7777", nil) }\n'
    main = (
        'package main\n\nimport (\n\t"example.com/lib"\n\t"example.com/local"\n)\n\n'
        "func main() { lib.Serve(); local.Serve() }\n"
    )
    files: dict[str, str | bytes] = {
        "go.mod": GO_MOD
        + "\nrequire (\n\texample.com/lib v1.0.0\n\texample.com/local v0.0.0\n)\n\n"
        + "replace example.com/local => ./third_party/local\n",
        "main.go": main,
        "vendor/modules.txt": (
            "# example.com/lib v1.0.0\n## explicit; go 1.22\nexample.com/lib\n"
            "# example.com/local v0.0.0 => ./third_party/local\n## explicit; go 1.22\nexample.com/local\n"
            "# example.com/local => ./third_party/local\n"
        ),
        "vendor/example.com/lib/lib.go": lib,
        "third_party/local/go.mod": "module example.com/local\n\ngo 1.22\n",
        "third_party/local/local.go": lib.replace("package lib", "package local").replace("7777", "7778"),
    }
    project = api.scan(write_repo(tmp_path, files))
    main_pkg = next(m for m in project.mains if m.dir == ".")
    assert main_pkg.ports == ()
    assert project.vendor


def test_a_generated_file_with_a_huge_number_of_candidates_is_read_in_bounded_work() -> None:
    """Each shape looks at a bounded number of candidates (line numbers are bisected, not recounted)."""
    body = "var x = T{\n" + '\tAddr: ":80",\n' * 50_000 + "}\n" + 'var f = flag.String("addr", ":81", "x")\n' * 50_000
    gofile = scan(body)
    assert len(gofile.listens) == 500 and len(gofile.flag_ports) == 500
    assert gofile.listens[-1].line == HEADER_LINES + 501

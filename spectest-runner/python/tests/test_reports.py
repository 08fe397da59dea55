"""The reports of a cross-engine run, read by real consumers of their formats.

* The JUnit XML file is parsed by ``junitparser`` (a consumer CI systems' plugins use); its
  testsuites, testcases, failures and properties must equal the JSON report's counts.
* The HTML page is opened by a headless Chromium (Debian's ``chromium``); the DOM it renders must
  hold the matrix, cell by cell equal to the JSON report.

The run: ``--suite v2,multi-memory --engine rust,wasmtime-py,wasmi`` (the peers have real
failures there, so failing testcases are covered). Needs the runner and the wasmi adapter built
(``SPECTEST_RUNNER``, default ``target/release/spectest-runner``), and ``junitparser``, ``wasmtime``
and Chromium installed (``ci/setup-peers.sh``).
"""

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

ROOT = Path(__file__).resolve().parents[3]
ENGINES = ["rust", "wasmtime-py", "wasmi"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    runner = Path(os.environ.get("SPECTEST_RUNNER", ROOT / "target" / "release" / "spectest-runner"))
    assert runner.exists(), "build the runner first (cargo build --release -p spectest-runner -p spectest-adapter-wasmi)"
    paths = {k: out / name for k, name in [("json", "report.json"), ("junit", "junit.xml"), ("html", "report.html")]}
    subprocess.run(
        [str(runner), "--suite", "v2,multi-memory", "--engine", ",".join(ENGINES), "--python", sys.executable,
         "--export-dir", str(out / "export"), "--report", str(paths["json"]), "--junit", str(paths["junit"]),
         "--html", str(paths["html"])],
        check=True, stdout=subprocess.DEVNULL,
    )
    paths["report"] = json.loads(paths["json"].read_text())
    return paths


def unexpected_by_file(engine_report):
    counts = {}
    for f in engine_report["failures"]:
        if not f["expected_failure"]:
            counts[f["file"]] = counts.get(f["file"], 0) + 1
    return counts


def test_junit_parses_and_its_counts_equal_the_json_report(run):
    report = run["report"]
    xml = JUnitXml.fromfile(str(run["junit"]))
    suites = {s.name: s for s in xml}
    assert sorted(suites) == sorted("%s/%s" % (e, s) for e in ENGINES for s in ("v2", "multi-memory"))
    total_failing = 0
    for name, suite in suites.items():
        engine, suite_name = name.split("/")
        ours = report["engines"][engine]
        counts = ours["suites"][suite_name]
        props = {p.name: p.value for p in suite.properties()}
        for key in ("directives", "passed", "failed", "unsupported", "skipped"):
            assert int(props[key]) == counts[key], (name, key)
        assert suite.tests == counts["files"]
        cases = list(suite)
        assert len(cases) == counts["files"]
        unexpected = unexpected_by_file(ours)
        failing = {c.name: c for c in cases if any(isinstance(r, Failure) for r in c.result)}
        expected_failing = {f for f in unexpected if f.startswith(suite_name + "/")}
        assert set(failing) == expected_failing, name
        assert suite.failures == len(failing)
        for file, case in failing.items():
            failure = next(r for r in case.result if isinstance(r, Failure))
            lines = failure.text.strip().split("\n")
            assert len(lines) == unexpected[file], file
            assert all(line.startswith(file + ":") and ", got " in line for line in lines)
        assert not any(isinstance(r, Skipped) for c in cases for r in c.result), "nothing is unsupported here"
        total_failing += len(failing)
    assert total_failing > 0, "the peers' real failures must show up as failing testcases"
    assert report["engines"]["rust"]["total"]["failed"] == 0


class MatrixReader(HTMLParser):
    """Collects the text of the cells of ``<table id="matrix">``."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "matrix":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_html_renders_the_matrix_in_a_headless_browser(run):
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed (ci/setup-peers.sh installs Debian's chromium)"
    html = run["html"].read_text()
    assert "http://" not in html and "https://" not in html and "<script" not in html, "self-contained"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", run["html"].as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout
    reader = MatrixReader()
    reader.feed(dom)
    header, *rows = reader.rows
    assert header == ["suite"] + ENGINES
    report = run["report"]
    seen = set()
    for row in rows:
        suite, cells = row[0], row[1:]
        for engine, text in zip(ENGINES, cells):
            counts = report["engines"][engine]["total" if suite == "total" else "suites"]
            c = counts if suite == "total" else counts[suite]
            assert text == "%d / %d / %d" % (c["passed"], c["failed"], c["unsupported"]), (suite, engine)
        seen.add(suite)
    assert seen == {"v2", "multi-memory", "total"}
    assert "wasmtime" in dom and report["date"] in dom, "versions and date are shown"


def test_adapters_given_on_the_command_line_run_like_the_built_in_ones(tmp_path):
    """``--adapter NAME=python:FILE`` and ``NAME=command:PROGRAM``: the shipped adapters under
    other names give the built-in engines' outcomes on every directive."""
    runner = Path(os.environ.get("SPECTEST_RUNNER", ROOT / "target" / "release" / "spectest-runner"))
    wasmi = runner.parent / "spectest-adapter-wasmi"
    adapter_file = ROOT / "spectest-runner" / "python" / "wasmtime_adapter.py"
    out = tmp_path / "report.json"
    subprocess.run(
        [str(runner), "--suite", "multi-memory", "--engine", "wasmtime-py,mywt,wasmi,mywasmi",
         "--adapter", "mywt=python:%s:WasmtimeAdapter" % adapter_file, "--adapter", "mywasmi=command:%s" % wasmi,
         "--python", sys.executable, "--export-dir", str(tmp_path / "export"), "--report", str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )
    report = json.loads(out.read_text())
    pairs = {(a["left"], a["right"]): a for a in [report["agreement"]] + report["other_agreements"]}
    for builtin, mine in [("wasmtime-py", "mywt"), ("wasmi", "mywasmi")]:
        a = pairs[(builtin, mine)]
        assert a["compared"] == 912 and a["agreed"] == 912, (builtin, a["disagreed"], a["missing"])
        assert report["engines"][mine]["peer"] is True
        assert report["engines"][mine]["total"] == report["engines"][builtin]["total"]

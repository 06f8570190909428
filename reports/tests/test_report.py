"""Tests of plumb_report through its command line, on a small hand-written result."""
import copy
import html
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.dirname(HERE)
SMALL = os.path.join(HERE, "data", "small_result.json")


def run_cli(*args, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = REPORTS + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-m", "plumb_report", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, check=False)


def load_small():
    with open(SMALL, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return str(path)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = run_cli(SMALL, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return proc, out, out.read_text(encoding="utf-8")


def test_writes_html_and_prints_its_absolute_path(report):
    proc, out, text = report
    last = proc.stdout.strip().splitlines()[-1]
    assert os.path.isabs(last)
    assert last == str(out.resolve())
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")


def test_is_self_contained(report):
    text = report[2]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"<script", text, re.I)
    assert not re.search(r"<link\b", text, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", text, re.I)
    assert "<style>" in text


def test_failure_shows_its_counterexample_command(report):
    text = html.unescape(report[2])
    failing = next(v for v in load_small()["verdicts"] if v["disposition"] == "incorrect"
                   and not v["expected_failure"])
    for c in failing["counterexamples"]:
        assert c["command"] in text
    # Failures come first: the first counterexample appears before the verdict table.
    assert text.index(failing["counterexamples"][0]["command"]) < text.index(">Verdicts<")


def test_planted_bug_caught_is_marked_and_not_a_failure(report):
    text = report[2]
    row = re.search(r"<tr>(?:(?!</tr>).)*planted_ties_away(?:(?!</tr>).)*</tr>", text, re.S)
    assert row, "planted-bug row missing from the verdict table"
    assert "planted bug caught" in row.group(0)
    assert "FAILURE" not in row.group(0)
    assert "1 of 1 caught" in text
    assert "1 failure<" in text  # only the real one


def test_planted_bug_may_pass_cells_it_cannot_show_in(tmp_path):
    data = load_small()
    planted = next(v for v in data["verdicts"] if v["expected_failure"])
    extra = copy.deepcopy(planted)
    # Another conversion (its own row in the folded table) where it passes.
    extra.update(to="e5m2", rounding="downward", disposition="passed", mismatches=0, counterexamples=[])
    data["verdicts"].append(extra)
    src = write_json(tmp_path / "two_cells.json", data)
    proc = run_cli(src, "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "planted bug not exercised here" in text
    assert "planted bug caught" in text
    assert "NOT caught" not in text
    assert "1 failure<" in text


def test_verdict_table_folds_the_cells_of_a_conversion(tmp_path):
    data = load_small()
    base = next(v for v in data["verdicts"] if v["disposition"] == "passed" and not v["expected_failure"])
    for rounding in ("toward_zero", "upward", "odd"):
        cell = copy.deepcopy(base)
        cell.update(rounding=rounding, cases=10, mismatches=0)
        data["verdicts"].append(cell)
    src = write_json(tmp_path / "folded.json", data)
    proc = run_cli(src, "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    table = text[text.index("<h2>Verdicts</h2>"):]
    table = table[:table.index("</table>")]
    row = "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>" % (
        base["suite"], base["kernel"], base["device"], base["from"], base["to"])
    assert table.count(row) == 1


def test_planted_bug_not_caught_is_a_failure(tmp_path):
    data = load_small()
    for v in data["verdicts"]:
        if v["expected_failure"]:
            v["disposition"], v["mismatches"], v["counterexamples"] = "passed", 0, []
    src = write_json(tmp_path / "missed.json", data)
    proc = run_cli(src, "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "planted bug NOT caught" in text
    assert "2 failures" in text
    assert "planted bug caught" not in text
    assert "0 of 1 caught" in text


def test_skipped_cuda_row_shows_why(report):
    text = report[2]
    row = re.search(r"<tr>(?:(?!</tr>).)*cuda_plumb(?:(?!</tr>).)*</tr>", text, re.S)
    assert row and 'class="skip"' in row.group(0)
    assert "no CUDA device" in row.group(0)


def test_one_figure_per_format_with_a_caption_naming_the_file(report):
    text = report[2]
    formats = sorted({c["to"] for c in load_small()["error_curves"]})
    figures = re.findall(r"<figure>(.*?)</figure>", text, re.S)
    assert len(figures) == len(formats) == 2
    for fmt, fig in zip(formats, figures):
        assert fig.count("<svg") == 1
        caption = re.search(r"<figcaption>(.*?)</figcaption>", fig, re.S).group(1)
        assert "<b>%s</b>" % fmt in caption
        assert SMALL in html.unescape(caption)
        assert "nearest_even" in caption


def test_benchmark_ratios_to_ceiling_and_peer(report):
    text = report[2]
    # cpu_fast: 3 GB/s against memcpy's 20 GB/s; 600 M/s against ml_dtypes' 140 M/s.
    assert "0.15×" in text
    assert "4.29×" in text


def test_peer_agreement_table(report):
    text = report[2]
    assert "nan_no_encoding" in text
    assert "99.6" in text


def test_two_runs_are_byte_identical(tmp_path, report):
    out = tmp_path / "again.html"
    proc = run_cli(SMALL, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == report[1].read_bytes()


def test_merges_machines_side_by_side(tmp_path):
    other = load_small()
    other["machine"] = {"host": "gpu-box-b", "cpu": "Intel Xeon 8480", "cores": 16, "os": "Linux",
                        "gpus": [{"name": "NVIDIA H100 80GB HBM3", "sm": "9.0", "sms": 132,
                                  "memory_gib": 79.1}], "driver": "580.65", "cuda_runtime": "13.0"}
    for b in other["benchmarks"]:
        b["elements_per_second"] *= 2
    second = write_json(tmp_path / "b.json", copy.deepcopy(other))
    proc = run_cli(SMALL, second, "-o", str(tmp_path / "merged.html"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "merged.html").read_text(encoding="utf-8")
    assert "ci-box-a" in text and "gpu-box-b" in text
    assert "NVIDIA H100 80GB HBM3" in text
    # Side by side: the summary and benchmark tables have one column per machine.
    assert re.search(r"<th>ci-box-a</th><th>gpu-box-b</th>", text)
    assert re.search(r'<th colspan="4">ci-box-a</th><th colspan="4">gpu-box-b</th>', text)
    # Each verdict keeps its machine: every verdict appears once per file.
    assert text.count("planted bug caught</td>") == 2
    figures = re.findall(r"<figcaption>(.*?)</figcaption>", text, re.S)
    assert all(SMALL in html.unescape(f) and second in html.unescape(f) for f in figures)


@pytest.mark.parametrize("field,value,words", [
    ("schema_version", 2, "schema_version"),
    ("schema", "something.else", "schema"),
])
def test_wrong_schema_fails_naming_the_file(tmp_path, field, value, words):
    data = load_small()
    data[field] = value
    bad = write_json(tmp_path / "bad_result.json", data)
    out = tmp_path / "never.html"
    proc = run_cli(SMALL, bad, "-o", str(out))
    assert proc.returncode != 0
    assert bad in proc.stderr
    assert words in proc.stderr
    assert not out.exists()


def test_not_json_fails_naming_the_file(tmp_path):
    bad = tmp_path / "garbage.json"
    bad.write_text("{ not json", encoding="utf-8")
    proc = run_cli(str(bad), "-o", str(tmp_path / "x.html"))
    assert proc.returncode != 0
    assert str(bad) in proc.stderr

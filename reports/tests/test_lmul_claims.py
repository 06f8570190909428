"""Tests of the report's "L-Mul" section, on a small hand-written result file
of `plumb lmul-claims` (data/lmul_claims_result.json)."""
import html
import json
import os
import re

from test_report import SMALL, run_cli, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
LMUL = os.path.join(HERE, "data", "lmul_claims_result.json")


def section_of(text):
    start = text.index("<h2>L-Mul</h2>")
    return text[start:text.index("<h2>Benchmarks</h2>")]


def render(tmp_path, *files):
    out = tmp_path / "report.html"
    proc = run_cli(*files, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


def test_claims_table_figure_and_gemm(tmp_path):
    part = section_of(render(tmp_path, SMALL, LMUL))
    verdicts = re.findall(r'<td class="(pass|fail|skip)">(holds|refuted|not measured)', part)
    assert verdicts == [("fail", "refuted"), ("pass", "holds")]
    assert ">2<" in part  # ratio 0.06 / 0.03
    figure = re.search(r'<figure class="lmul">(.*?)</figure>', part, re.S).group(1)
    assert figure.count("<svg") == 1
    caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S).group(1))
    assert LMUL in caption
    assert "Figure 3:" in caption  # after the small result's two error-curve figures
    assert "error: planted for the test" in part
    assert "lmul_m4_paper" in part


def test_a_recorded_verdict_that_contradicts_its_numbers_is_shown(tmp_path):
    with open(LMUL, encoding="utf-8") as f:
        data = json.load(f)
    data["lmul_claims"]["claims"][0]["holds"] = True  # 0.06 > 1.25 x 0.03
    path = write_json(tmp_path / "bad.json", data)
    part = section_of(render(tmp_path, SMALL, str(path)))
    assert "The file records holds = True; its own numbers say False." in part


def test_no_section_says_how_to_get_one(tmp_path):
    part = section_of(render(tmp_path, SMALL))
    assert "run <code>plumb lmul-claims</code>" in part

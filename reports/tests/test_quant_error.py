"""Tests of the report's "Quantisation error" section, on a small hand-written
result file of `plumb quant-error` (data/quant_error_result.json)."""
import copy
import html
import json
import os
import re

import pytest

from test_report import SMALL, run_cli, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
QUANT = os.path.join(HERE, "data", "quant_error_result.json")


def load_quant():
    with open(QUANT, encoding="utf-8") as f:
        return json.load(f)


def section_of(text):
    start = text.index("<h2>Quantisation error</h2>")
    return text[start:text.index("<h2>Benchmarks</h2>")]


@pytest.fixture(scope="module")
def quant_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("quant") / "report.html"
    proc = run_cli(SMALL, QUANT, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, out.read_text(encoding="utf-8")


def test_section_has_one_figure_with_a_caption_naming_the_file(quant_report):
    part = section_of(quant_report[1])
    figures = re.findall(r'<figure class="quant-error">(.*?)</figure>', part, re.S)
    assert len(figures) == 1
    assert figures[0].count("<svg") == 1
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figures[0], re.S).group(1)
    assert QUANT in html.unescape(caption)
    assert "bits per element" in caption
    # Numbered after the error-against-input figures (two in the small result).
    assert "Figure 3:" in caption


def test_figure_has_one_panel_per_distribution_and_the_format_labels(quant_report):
    svg = re.search(r'<figure class="quant-error">(.*?)</figure>', quant_report[1], re.S).group(1)
    # matplotlib writes every text as paths ("svg.fonttype": "path") and keeps the
    # words in comments: each panel title and point label appears there.
    for word in ("gaussian", "student_t3", "mxint8", "nvfp4", "bits per element"):
        assert word in svg, word
    assert svg.count('id="axes_') == 4  # 2 rows (NMSE, max rel) x 2 distributions


def test_table_has_a_row_per_format_and_rule_with_nmse_and_sqnr(quant_report):
    part = section_of(quant_report[1])
    table = part[part.index("<th rowspan=\"2\">format (rule)</th>"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    data = load_quant()["quant_error"]["measurements"]
    variants = {(m["format"], m["rule"]) for m in data}
    assert len(rows) == len(variants)
    mxint8 = next(r for r in rows if "<b>mxint8</b>" in r)
    # gaussian without Hadamard: NMSE 4.2e-5, SQNR = -10 log10(4.2e-5) = 43.8 dB.
    assert "4.2e-05 (43.8)" in mxint8
    assert "8.25" in mxint8
    assert any("mxint8 (rceil)" in r for r in rows)


def test_findings_in_words_with_their_values(quant_report):
    part = html.unescape(section_of(quant_report[1]))
    assert "MXINT8 beats MXFP8 at block 32" in part
    assert "gaussian: mxint8 4.2e-05 < mxfp8_e4m3 0.0011" in part
    assert "on at least one distribution measured" in part
    assert "student_t3: nvint4 0.02 ≥ nvfp4 0.0195" in part
    verdicts = re.findall(r'<td class="(pass|fail|skip)">(agrees|disagrees|not evaluated)</td>',
                          section_of(quant_report[1]))
    assert verdicts == [("pass", "agrees")] * 3 + [("skip", "not evaluated")]


def test_a_failed_measurement_is_shown(quant_report):
    part = section_of(quant_report[1])
    assert "Not measured: nvint4 (nv_exact), gaussian: kernel error: planted for the test" in part


def test_disagreement_is_computed_from_the_values(tmp_path):
    data = load_quant()
    finding = data["quant_error"]["findings"][0]
    finding["values"]["student_t3"]["mxint8"] = 5e-3  # now above mxfp8_e4m3's 1.2e-3
    path = write_json(tmp_path / "q.json", data)
    proc = run_cli(path, "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr
    part = html.unescape(section_of((tmp_path / "r.html").read_text(encoding="utf-8")))
    assert "student_t3: mxint8 0.005 ≥ mxfp8_e4m3 0.0012" in part
    assert "do not agree" in part
    # The file still says agrees: the report says that its values do not.
    assert "records agrees = true, but its own values give disagrees" in part


def test_rerun_is_byte_identical(tmp_path, quant_report):
    out = tmp_path / "again.html"
    proc = run_cli(SMALL, QUANT, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == quant_report[0].read_bytes()


def test_without_the_section_the_report_says_so(tmp_path):
    out = tmp_path / "r.html"
    proc = run_cli(SMALL, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    part = section_of(out.read_text(encoding="utf-8"))
    assert "No quantisation-error measurements" in part
    assert "<svg" not in part


def test_quant_error_file_alone_is_a_report(tmp_path):
    out = tmp_path / "r.html"
    proc = run_cli(QUANT, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert 'class="quant-error"' in text
    assert "No verdicts in these files." in text


def test_malformed_section_fails_naming_the_file(tmp_path):
    data = load_quant()
    data["quant_error"] = ["not", "an", "object"]
    bad = write_json(tmp_path / "bad_quant.json", data)
    proc = run_cli(bad, "-o", str(tmp_path / "never.html"))
    assert proc.returncode == 2
    assert bad in proc.stderr and "quant_error" in proc.stderr


def test_odd_records_are_skipped_not_fatal(tmp_path):
    data = load_quant()
    q = data["quant_error"]
    q["measurements"] += ["junk", {"format": "mxfp4"}, {"distribution": "gaussian"}]
    q["findings"].append("junk")
    odd = copy.deepcopy(q["measurements"][0])
    odd["nmse"], odd["max_rel_error"] = None, "NaN"
    q["measurements"].append(odd)
    path = write_json(tmp_path / "odd.json", data)
    proc = run_cli(path, "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr

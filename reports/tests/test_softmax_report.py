"""Tests of the report's "Softmax" section and the L-Mul speed part, on small
synthetic result files written here (bench rows as `plumb bench --softmax /
--lmul` writes them, verdicts as suite `softmax` does)."""
import html
import json
import re

from test_lmul_claims import LMUL
from test_report import SMALL, load_small, run_cli, write_json


def bench_row(kernel, cache, cols, eps, device="cpu", fmt="fp32"):
    name = "softmax/%s/%s/cols:%d" % (kernel, cache if device == "cpu" else fmt, cols)
    return {"name": name, "kind": "kernel", "device": device, "op": "softmax", "kernel": kernel,
            "cache": cache, "from": fmt, "to": fmt, "cols": cols, "elements": 1000, "bytes": 8000,
            "seconds_median": 1000 / eps, "elements_per_second": eps, "bytes_per_second": 8 * eps}


def verdict(kernel, case, ulp, rel):
    return {"suite": "softmax", "kernel": kernel, "device": "cpu", "op": "softmax", "from": "fp32",
            "to": "fp32", "label": "%s 4x100 x fp32" % case, "disposition": "passed", "cases": 400,
            "mismatches": 0, "max_ulp": ulp, "expected_failure": False,
            "message": "max %d ulp, mean 0.1 ulp, max rel %g, max err/bound 0.1" % (ulp, rel)}


def result(tmp_path, name, benchmarks=(), verdicts=()):
    data = load_small()
    data["benchmarks"], data["verdicts"] = list(benchmarks), list(verdicts)
    data.pop("error_curves", None)
    return write_json(tmp_path / name, data)


def softmax_part(tmp_path, *files):
    out = tmp_path / "r.html"
    proc = run_cli(*files, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    return text, text[text.index("<h2>Softmax</h2>"):text.index("<h2>Benchmarks</h2>")]


def claim_cells(part):
    rows = re.findall(r"<tr><td>(cpu|cuda)</td><td>(\w+)</td><td>(\w+)</td><td>\w+</td><td>(\w+)</td>"
                      r".*?<td class=\"(pass|fail|skip)\">", part, re.S)
    return {(d, isa, cache, base): css for d, isa, cache, base, css in rows}


def test_claims_scatter_and_bars_from_bench_and_verify_files(tmp_path):
    bench = []
    for cols in (1024, 16384):
        # avx2 out of cache: two-pass beats recompute at every length, loses to reload at one.
        bench += [bench_row("cpu_avx2_two_pass", "out_of_cache", cols, 1.2e9),
                  bench_row("cpu_avx2_three_pass_recompute", "out_of_cache", cols, 1.0e9),
                  bench_row("cpu_avx2_three_pass_reload", "out_of_cache", cols, 1.1e9 if cols == 1024 else 1.3e9),
                  bench_row("cuda_two_pass", "out_of_cache", cols, 9e10, device="cuda", fmt="bf16"),
                  bench_row("cuda_three_pass_recompute", "out_of_cache", cols, 8e10, device="cuda", fmt="bf16")]
    verdicts = [verdict("cpu_avx2_two_pass", "overflow_trap", 2, 3e-7),
                verdict("cpu_avx2_three_pass_recompute", "overflow_trap", 1, 1e-7),
                verdict("cpu_avx2_three_pass_recompute", "special", 0, 0.0)]
    for name in ("memcpy", "memcpy/out_of_cache"):  # the first is convert's: not the row's ceiling
        bench.append({"name": name, "kind": "ceiling", "device": "cpu", "elements_per_second": 2e9,
                      "bytes_per_second": 1.6e10 if name == "memcpy" else 1.2e10})
    bench[0]["ceiling"] = "memcpy/out_of_cache"
    b = result(tmp_path, "bench.json", benchmarks=bench)
    v = result(tmp_path, "verify.json", verdicts=verdicts)
    text, part = softmax_part(tmp_path, b, v)
    cells = claim_cells(part)
    assert cells[("cpu", "avx2", "out_of_cache", "three_pass_recompute")] == "pass"
    assert cells[("cpu", "avx2", "out_of_cache", "three_pass_reload")] == "fail"
    assert cells[("cuda", "cuda", "out_of_cache", "three_pass_recompute")] == "skip"  # no claim on the GPU
    assert "+20.0%" in part  # 1.2e9 / 1.0e9 - 1
    figures = re.findall(r'<figure class="softmax">(.*?)</figure>', part, re.S)
    assert len(figures) == 2 and all(f.count("<svg") == 1 for f in figures)
    for f in figures:
        caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", f, re.S).group(1))
        assert b in caption and v in caption
    assert "Missing" not in part
    # The bench table measures a row against the ceiling it names: 9.6e9 / 1.2e10 B/s.
    table = text[text.index("<h2>Benchmarks</h2>"):]
    row = table[table.index("softmax/cpu_avx2_two_pass/out_of_cache/cols:1024"):]
    assert re.search(r"0\.8× <span class=\"muted\">of memcpy/out_of_cache</span>", row[:row.index("</tr>")])


def test_bench_without_verdicts_says_what_is_missing(tmp_path):
    b = result(tmp_path, "bench.json", benchmarks=[bench_row("cpu_scalar_two_pass", "in_cache", 1024, 1e8)])
    _, part = softmax_part(tmp_path, b)
    assert "no softmax verdicts" in part and "<svg" not in part
    assert "Not evaluated" in part


def test_no_softmax_data_at_all(tmp_path):
    _, part = softmax_part(tmp_path, SMALL)
    assert "No softmax results in these files" in part


def lmul_row(m, carry, eps):
    return {"name": "lmul/cpu_lmul/elementwise/e8m%d/%s" % (m, carry), "kind": "kernel", "device": "cpu",
            "op": "lmul", "kernel": "cpu_lmul", "lmul_op": "elementwise", "from": "e8m%d" % m,
            "mantissa_bits": m, "carry": carry, "elements_per_second": eps, "bytes_per_second": 3 * eps,
            "ceiling": "memcpy/lmul"}


def test_lmul_speed_scatter_takes_errors_from_the_claims_file(tmp_path):
    with open(LMUL, encoding="utf-8") as f:
        methods = {m["name"]: m for m in json.load(f)["lmul_claims"]["methods"]}
    m, carry = next((int(x.group(1)), x.group(2)) for x in map(re.compile(r"lmul_m(\d+)_(\w+)").fullmatch, methods) if x)
    b = result(tmp_path, "lmul_bench.json", benchmarks=[lmul_row(m, carry, 5e7)])
    text, _ = softmax_part(tmp_path, b, LMUL)
    part = text[text.index("L-Mul speed"):text.index("<h2>Softmax</h2>")]
    caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", part, re.S).group(1))
    assert b in caption and LMUL in caption
    expected = methods["lmul_m%d_%s" % (m, carry)]["uniform_bits"]["mean"]
    assert ">%.3g<" % expected in part
    # Without the claims file the speed table stays and says what is missing.
    text, _ = softmax_part(tmp_path, b)
    part = text[text.index("L-Mul speed"):text.index("<h2>Softmax</h2>")]
    assert "Missing: no L-Mul error data" in part and "<svg" not in part

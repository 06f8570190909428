"""Tests of the report's "Reproducibility" section on synthetic result files:
a `repro` section (an axis where the default kernel varies and the invariant
one does not, one observed only before the bf16 rounding, one not observable)
and a `repro_decode` section (default configurations that diverge in bf16 and
not in LayerCast; invariant ones identical), plus a planted invariant
configuration that differs."""
import copy
import re

from test_report import SMALL, load_small, run_cli, write_json


def pair(rows, same):
    return {"a": "x", "b": "y", "rows": rows, "rows_identical": same, "max_ulp": 0 if rows == same else 3,
            "max_rel": 0.0, "witness_identical": rows == same, "row_max_ulp": []}


def axis(name, observed, default, invariant, spread=(3, 0), pairs=((8, 5), (8, 8))):
    return {"axis": name, "varies": "...", "simulated": name == "gpus", "configs": ["a", "b"],
            "vacuity": {"observable": observed != "nothing", "witness": "row 1 output 2: a gives 1, b gives 2",
                        "observed_on": observed},
            "variants": {"default": {"verdict": default, "worst_spread_ulp": spread[0], "pairs": [pair(*pairs[0])]},
                         "invariant": {"verdict": invariant, "worst_spread_ulp": spread[1], "pairs": [pair(*pairs[1])]}}}


REPRO = {"op": "softmax", "dtype": "bf16", "shape": {"rows": 8, "cols": 256, "n": 8, "kv": 512}, "seed": 3,
         "axes": [axis("split", "outputs", "varies", "invariant"),
                  axis("tile", "fp32 before bf16 rounding", "varies", "invariant", (0, 0), ((8, 8), (8, 8))),
                  axis("repeats", "nothing", "not observable", "not observable", (0, 0), ((8, 8), (8, 8)))],
         "timing": {"default_ms": 2.0, "invariant_ms": 3.0, "invariant_over_default": 1.5}}


def comparison(firsts, logits_at):
    diverged = [s for s in firsts if s is not None]
    return {"prompts_diverged": len(diverged), "first_divergence": min(diverged) if diverged else None,
            "mean_divergence": sum(diverged) / len(diverged) if diverged else None, "first_token_diff": firsts,
            "prompts_logits_differ": sum(s is not None for s in logits_at), "first_logits_diff": logits_at,
            "max_logit_diff": 0.015625 if any(s is not None for s in logits_at) else 0.0,
            "identical": not diverged and all(s is None for s in logits_at)}


def config(label, kernels, bf16, layercast):
    return {"label": label, "kernels": kernels, "batch": 1, "tp": 1, "collective": None,
            "bf16": comparison(*bf16), "layercast": comparison(*layercast)}


SAME = ([None, None, None], [None, None, None])
DECODE = {"model": {"vocab": 512, "d_model": 128, "layers": 2, "heads": 4, "mlp": 256, "seed": 1},
          "steps": 100, "prompts": 3, "prompt_len": 8, "seed": 1, "reference": "invariant batch=1",
          "configs": [config("invariant batch=8", "invariant", SAME, SAME),
                      config("default batch=1", "default", ([17, None, 60], [2, 5, 9]), ([None, None, None], [1, 1, 1])),
                      config("default batch=1 tp=4 tree", "default", ([None, None, None], [3, None, None]), SAME)]}
DECODE["configs"][2]["vs_default_batch1"] = {"bf16": comparison([None, 33, None], [7, 30, None]),
                                             "layercast": comparison(*SAME)}


def render(tmp_path, decode=DECODE, repro=REPRO):
    data = load_small()
    data["repro"] = repro
    data["repro_decode"] = decode
    src = write_json(tmp_path / "repro.json", data)
    out = tmp_path / "report.html"
    proc = run_cli(src, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    start = text.index("<h2>Reproducibility</h2>")
    end = text.find("<h2>", start + 10)
    return text[start:end if end > 0 else len(text)]


def test_axis_table_shows_verdicts_spread_identical_rows_and_cost(tmp_path):
    sec = render(tmp_path)
    split = re.search(r"<tr><td>softmax bf16</td><td>8 × 256</td><td>split</td>.*?</tr>", sec, re.S).group(0)
    assert '<td class="fail">varies</td><td class="n">3</td><td class="n">62.5%</td>' in split
    assert '<td class="pass">invariant</td><td class="n">0</td><td class="n">100.0%</td>' in split
    assert "1.50×" in split
    tile = re.search(r"<td>tile</td>.*?</tr>", sec, re.S).group(0)
    assert "fp32 before bf16 rounding" in tile
    repeats = re.search(r"<td>repeats</td>.*?</tr>", sec, re.S).group(0)
    assert repeats.count('class="skip">not observable') == 2


def test_decode_figure_table_and_summary(tmp_path):
    sec = render(tmp_path)
    assert "<svg" in sec and "Figure " in sec and "repro.json" in sec
    row = re.search(r"<tr><td>default batch=1</td>.*?</tr>", sec, re.S).group(0)
    cells = re.findall(r'<td class="n[^"]*">([^<]*)</td>', row)
    assert cells[:5] == ["2 / 3", "17", "38.5", "3, 2", "0.016"]  # bf16: prompts 1 and 3 diverged
    assert cells[5] == "—"                                         # no comparison with default batch=1 given
    assert cells[6:9] == ["0 / 3", "never", "—"]                  # LayerCast: none
    tree = re.search(r"<tr><td>default batch=1 tp=4 tree</td>.*?</tr>", sec, re.S).group(0)
    cells = re.findall(r'<td class="n[^"]*">([^<]*)</td>', tree)
    assert cells[5] == "1, 33" and cells[11] == "0, never"
    assert "bf16 compute: 2 of 2 default-kernel configurations" not in sec
    assert "bf16 compute: 1 of 2 default-kernel configurations changed a token within 100 steps (2 changed" in sec
    assert "LayerCast (fp32 compute): 0 of 2" in sec
    assert sec.count("tokens and logits identical to the reference in every configuration") == 2


def test_an_invariant_configuration_that_differs_is_a_failure(tmp_path):
    bad = copy.deepcopy(DECODE)
    bad["configs"][0]["layercast"] = comparison([None, None, None], [None, 4, None])
    sec = render(tmp_path, decode=bad)
    assert re.search(r'<p class="fail">LayerCast \(fp32 compute\): .*DIFFER from the reference', sec)
    assert re.search(r'<p class="pass">bf16 compute: ', sec)


def test_a_gpu_run_names_its_device(tmp_path):
    gpu = copy.deepcopy(REPRO)
    gpu["device"] = "cuda"
    assert "<td>softmax bf16 (cuda)</td>" in render(tmp_path, repro=gpu)


def test_no_repro_sections(tmp_path):
    out = tmp_path / "report.html"
    proc = run_cli(SMALL, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "No plumb repro results in these files." in out.read_text(encoding="utf-8")

"""Tests of the report's "fp8 accumulation" section, on a result file of
`plumb fp8-accum` made on a machine without a GPU (data/fp8_accum_result.json:
8 x 8 outputs, K = 256, 1024, 4096, models p = 12..16, GPU series skipped), and
on copies of it with a planted measured series and fit."""
import copy
import html
import json
import os
import re

from test_report import SMALL, run_cli, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
FP8 = os.path.join(HERE, "data", "fp8_accum_result.json")


def section_of(text):
    start = text.index("<h2>fp8 accumulation</h2>")
    return text[start:text.index("<h2>Benchmarks</h2>")]


def render(tmp_path, *files):
    out = tmp_path / "report.html"
    proc = run_cli(*files, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


def load():
    with open(FP8, encoding="utf-8") as f:
        return json.load(f)


def with_planted_gpu(data, model="model_p14_toward_zero", ranking=None):
    """The file with its fast-accumulation series replaced by a copy of a model
    series (as if the GPU had measured exactly that) and a fit over it."""
    data = copy.deepcopy(data)
    sec = data["fp8_accumulation"]
    by_name = {s["name"]: s for s in sec["series"]}
    fast = by_name["cublaslt_fp8_fast_accum"]
    fast.update(status="ok", message="", points=copy.deepcopy(by_name[model]["points"]))
    fit = next(f for f in sec["fits"] if f["target"] == "cublaslt_fp8_fast_accum")
    fit["evaluated"] = True
    fit["reason"] = ""
    fit["ranking"] = ranking or [
        {"model": model, "precision_bits": 14, "rounding": "toward_zero", "group": 1, "score": 0.0, "agreement": 1.0},
        {"model": "model_p15_toward_zero", "precision_bits": 15, "rounding": "toward_zero", "group": 1,
         "score": 0.9, "agreement": 0.1}]
    fit["best"] = fit["ranking"][0]
    return data


def test_model_only_file_says_why_nothing_was_fitted(tmp_path):
    part = section_of(render(tmp_path, SMALL, FP8))
    assert "Not fitted:" in part
    assert "skipped: no CUDA device on this machine" in part or "skipped: --no-gpu" in part
    figure = re.search(r'<figure class="fp8-accum">(.*?)</figure>', part, re.S).group(1)
    assert figure.count("<svg") == 1
    caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S).group(1))
    assert FP8 in caption
    # Every GPU series is listed with its reason, and every fit as not fitted.
    assert part.count('class="skip">not fitted:') == 3
    for name in ("cublaslt_fp8_fast_accum", "cublaslt_fp8", "promoted_every_128"):
        assert name in part


def test_a_fit_states_the_fitted_bits_against_the_claim(tmp_path):
    path = write_json(tmp_path / "fitted.json", with_planted_gpu(load()))
    part = html.unescape(section_of(render(tmp_path, SMALL, str(path))))
    assert "best predicted by an accumulator of 14 significant bits with toward zero" in part
    # The planted series is the 14-bit truncating model itself: the report's own
    # per-distribution fit finds it on both distributions (score 0).
    assert "positive_uniform: 14 bits toward zero (score 0)" in part
    assert "gaussian: 14 bits toward zero (score 0)" in part
    assert "consistent (within one bit) on every input distribution" in part
    # The measured series is drawn and tabulated (3 K values x 2 distributions).
    assert "cublaslt_fp8_fast_accum (measured)" in part
    assert len(re.findall(r"<tr><td>cublaslt_fp8_fast_accum</td><td>(positive_uniform|gaussian)</td>", part)) == 6


def test_the_best_model_is_the_lowest_score_not_the_first_listed(tmp_path):
    ranking = [
        {"model": "model_p12_nearest_even", "precision_bits": 12, "rounding": "nearest_even", "group": 1,
         "score": 2.5, "agreement": 0.0},
        {"model": "model_p16_toward_zero", "precision_bits": 16, "rounding": "toward_zero", "group": 1,
         "score": 0.25, "agreement": 0.5}]
    path = write_json(tmp_path / "order.json", with_planted_gpu(load(), model="model_p16_toward_zero", ranking=ranking))
    part = html.unescape(section_of(render(tmp_path, SMALL, str(path))))
    assert "accumulator of 16 significant bits" in part
    assert "not consistent (more than one bit away)" in part


def test_no_section_says_how_to_get_one(tmp_path):
    part = section_of(render(tmp_path, SMALL))
    assert "run <code>plumb fp8-accum --json FILE</code>" in part


def test_fused_adder_fits_are_stated_beside_the_sequential_one(tmp_path):
    ranking = [
        {"model": "model_p16_toward_zero_g4", "precision_bits": 16, "rounding": "toward_zero", "group": 4,
         "score": 0.1, "agreement": 0.2},
        {"model": "model_p14_toward_zero", "precision_bits": 14, "rounding": "toward_zero", "group": 1,
         "score": 0.3, "agreement": 0.0}]
    path = write_json(tmp_path / "groups.json", with_planted_gpu(load(), ranking=ranking))
    part = html.unescape(section_of(render(tmp_path, SMALL, str(path))))
    assert "accumulator of 14 significant bits" in part
    assert "Fused-adder models: 16 bits toward zero with groups of 4 (score 0.1)." in part


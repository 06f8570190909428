"""Reading and merging plumb result files (docs/RESULT_SCHEMA.md, version 1).

The report never needs anything but these files: each record keeps the file
and the machine it came from, so runs of several machines merge into one
report and stay apart in it.
"""
import gzip
import json
import math
import os

SCHEMA = "plumb.result"
SCHEMA_VERSION = 1
LISTS = ("verdicts", "error_curves", "benchmarks", "peers")

# Verdict status shown in the report: (css class, words). A planted bug
# (expected_failure) is a success when the suite caught it.
FAILING_DISPOSITIONS = ("incorrect", "kernel_error")


class ResultError(Exception):
    """A result file that cannot be read; the message names the file."""


def load_result(path):
    """Reads one result file and checks its schema. Raises ResultError."""
    try:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ResultError("%s: cannot read: %s" % (path, e.strerror or e)) from e
    except ValueError as e:
        raise ResultError("%s: not valid JSON: %s" % (path, e)) from e
    if not isinstance(data, dict):
        raise ResultError("%s: not a plumb result (the top level is not an object)" % path)
    if data.get("schema") != SCHEMA:
        raise ResultError("%s: schema is %r, expected %r: not a plumb result file"
                          % (path, data.get("schema"), SCHEMA))
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultError("%s: schema_version %r is not supported: this report reads "
                          "schema_version %d (rebuild the report with a matching plumb)"
                          % (path, version, SCHEMA_VERSION))
    for key in LISTS:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise ResultError("%s: %r must be a list" % (path, key))
        data[key] = [r for r in value if isinstance(r, dict)]
    if "quant_error" in data and not isinstance(data["quant_error"], dict):
        raise ResultError("%s: 'quant_error' must be an object (plumb quant-error's section)" % path)
    if "fp8_accumulation" in data and not isinstance(data["fp8_accumulation"], dict):
        raise ResultError("%s: 'fp8_accumulation' must be an object (plumb fp8-accum's section)" % path)
    data["_path"] = path
    return data


def machine_label(data, index):
    """A short name for the machine of a result: its host, else its CPU."""
    m = data.get("machine") or {}
    label = m.get("host") or m.get("cpu") or "machine %d" % (index + 1)
    return str(label)


def verdict_status(v, planted_caught=False):
    """(css class, text, is_failure) for one verdict record. A planted bug
    (expected_failure) has to be caught somewhere, not in every cell:
    planted_caught tells whether its kernel was caught on the same machine."""
    disp = v.get("disposition") or "unknown"
    if v.get("expected_failure"):
        if disp == "incorrect":
            return "caught", "planted bug caught", False
        if disp == "passed" and planted_caught:
            return "pass", "passed (planted bug not exercised here)", False
        if disp == "passed":
            return "fail", "FAILURE: planted bug NOT caught", True
    if disp == "passed":
        return "pass", "passed", False
    if disp in FAILING_DISPOSITIONS:
        return "fail", "FAILURE: " + disp, True
    return "skip", disp, False


def _finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Merged:
    """All records of several result files, each tagged with file and machine."""

    def __init__(self, results):
        self.runs = []
        self.machines = []
        for i, data in enumerate(results):
            label = machine_label(data, i)
            if label not in self.machines:
                self.machines.append(label)
            self.runs.append({"path": data["_path"], "name": os.path.basename(data["_path"]),
                              "machine_label": label, "data": data})
        self.verdicts, self.curves, self.benchmarks, self.peers = [], [], [], []
        for run in self.runs:
            for key, out in (("verdicts", self.verdicts), ("error_curves", self.curves),
                             ("benchmarks", self.benchmarks), ("peers", self.peers)):
                for rec in run["data"][key]:
                    r = dict(rec)
                    r["_file"] = run["path"]
                    r["_machine"] = run["machine_label"]
                    out.append(r)
        caught = {(v["_machine"], v.get("kernel")) for v in self.verdicts
                  if v.get("expected_failure") and v.get("disposition") == "incorrect"}
        for v in self.verdicts:
            v["_css"], v["_status"], v["_failure"] = verdict_status(
                v, (v["_machine"], v.get("kernel")) in caught)
        self.verdicts.sort(key=verdict_key)

    @property
    def files(self):
        return [r["path"] for r in self.runs]


def verdict_key(v):
    return (str(v.get("suite", "")), str(v.get("kernel", "")), str(v.get("device", "")),
            str(v.get("from", "")), str(v.get("to", "")), str(v.get("rounding", "")),
            str(v.get("overflow", "")), v["_machine"], v["_file"])


def load_all(paths):
    """Loads and merges result files. Raises ResultError on the first bad one."""
    if not paths:
        raise ResultError("no result files given")
    return Merged([load_result(p) for p in paths])


def conversion_of(bench):
    """(from, to) of a benchmark: its fields, else parsed from `.../A->B/...`."""
    if bench.get("from") and bench.get("to"):
        return str(bench["from"]), str(bench["to"])
    for part in str(bench.get("name", "")).split("/"):
        if "->" in part:
            a, b = part.split("->", 1)
            return a, b
    return None


def rate(bench, key):
    value = bench.get(key)
    return float(value) if _finite(value) and value > 0 else None

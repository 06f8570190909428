"""plumb_report: one self-contained HTML report from plumb result files.

    PYTHONPATH=reports python -m plumb_report RESULT.json [RESULT.json ...] -o report.html

Reads only result files (docs/RESULT_SCHEMA.md), never plumb's C++ code, so
results from several machines merge into one report.
"""
from plumb_report.load import ResultError, load_all, load_result
from plumb_report.render import render, write_report

__all__ = ["ResultError", "load_all", "load_result", "render", "write_report"]

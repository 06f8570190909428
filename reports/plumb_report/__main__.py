"""Command line: python -m plumb_report RESULT.json [...] -o report.html

The last line on stdout is the absolute path of the written HTML file. A file
that is not a plumb result of schema version 1 stops it with exit status 2 and
a message naming the file.
"""
import argparse
import sys

from plumb_report.load import ResultError, load_all
from plumb_report.render import write_report


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m plumb_report",
                                 description="Writes one self-contained HTML report from "
                                             "plumb result files (several machines merge).")
    ap.add_argument("results", nargs="+", metavar="RESULT.json", help="plumb result files")
    ap.add_argument("-o", "--output", default="report.html", help="HTML file to write")
    ap.add_argument("--title", default="plumb report", help="title of the page")
    args = ap.parse_args(argv)
    try:
        merged = load_all(args.results)
    except ResultError as e:
        print("plumb_report: error: %s" % e, file=sys.stderr)
        return 2
    try:
        path = write_report(merged, args.output, args.title)
    except OSError as e:
        print("plumb_report: error: cannot write %s: %s" % (args.output, e), file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

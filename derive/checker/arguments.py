"""The options of `derive check` (kept free of heavy imports: `derive --help` stays fast)."""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `derive check` (the CLI's subparser calls this)."""
    parser.add_argument("file", nargs="+", help="a .tex or .md file with a hand derivation, - for standard input, "
                        "or several files and folders (each folder's .md and .tex files)")
    parser.add_argument("-K", dest="K", default=None, help="number of classes (2..50) or the name of a general size (K, C, N)")
    parser.add_argument("--define", action="append", default=[], metavar="LATEX", help="a definition, e.g. 'a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}'")
    parser.add_argument("--assume", action="append", default=[], metavar="LATEX", help="an assumption, e.g. '\\sum_k y_k = 1' or 'y one-hot'")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument("--annotate", metavar="OUT", default=None, help="write the document back with a mark beside each checked line")
    parser.add_argument("--format", dest="input_format", choices=("tex", "md"), default=None, help="input format when it cannot be told from the file name")
    parser.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the report (default: the document's)")
    parser.add_argument("--report", choices=("text", "json", "github", "junit"), default=None,
                        help="the report's form: text (default), json, github (workflow annotations) or junit (XML)")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

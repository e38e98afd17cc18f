"""python -m derive"""
import sys

from .cli import run

sys.exit(run())

"""Bad input to the family's recipes: one clear line, UsageError, exit code 2."""
from __future__ import annotations

import pytest

import derive
from derive.errors import UsageError

BAD = [
    ("label-smoothing-cross-entropy", {"epsilon": "1.5"}, {}, "epsilon"),
    ("label-smoothing-cross-entropy", {"epsilon": "-0.1"}, {}, "epsilon"),
    ("label-smoothing-cross-entropy", {"epsilon": "nan"}, {}, "epsilon"),
    ("temperature-softmax-cross-entropy", {"T": "0"}, {}, "temperature"),
    ("temperature-softmax-cross-entropy", {"T": "-2"}, {}, "temperature"),
    ("temperature-softmax-cross-entropy", {"T": "__import__('os')"}, {}, "T"),
    ("weighted-cross-entropy", {"weight": "1,-2,3"}, {}, "negative"),
    ("weighted-cross-entropy", {"weight": "1,2"}, {}, "weights for 3 classes"),
    ("weighted-cross-entropy", {"weight": "1,2,3"}, {"z": "1,2,3;4,5", "y": "0;1"}, "different lengths"),
    ("weighted-cross-entropy", {}, {"z": "1,2,3;4,5,6", "y": "0"}, "rows"),
    ("weighted-cross-entropy", {}, {"z": "1,2,3", "y": "5"}, "out of range"),
    ("soft-label-cross-entropy", {"epsilon": "0.1"}, {}, "does not take"),
    ("soft-label-cross-entropy", {}, {"z": "1,2,3", "y": "0.5,0.6,0.1"}, "sums to"),
    ("soft-label-cross-entropy", {}, {"z": "1,2,3;1,2,3", "y": "0"}, "one sample"),
    ("multi-label-cross-entropy", {}, {"z": "1,2,3", "y": "1,-1,1"}, "negative"),
    ("log-softmax-nll", {"T": "2"}, {}, "does not take"),
]


@pytest.mark.parametrize("name,params,values,words", BAD)
def test_usage_error(name, params, values, words):
    with pytest.raises(UsageError) as err:
        derive.derivation(name, 3, params=params, values=values)
    msg = str(err.value)
    assert words in msg and "\n" not in msg


def test_cli_exit_code_2(cli):
    r = cli("render", "label-smoothing-cross-entropy", "-K", "3", "--param", "epsilon=2", "-o", "-")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "epsilon" in r.stderr
    r = cli("render", "weighted-cross-entropy", "-K", "3", "--values", "z=1,2,3;1,2", "--values", "y=0;1", "-o", "-")
    assert r.returncode == 2 and "Traceback" not in r.stderr

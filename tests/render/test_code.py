"""--format numpy | torch: the generated modules against autograd, gradcheck, SymPy and each other."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from engine.losses import LOSSES
from render.code_helpers import (
    RECIPES,
    derivation,
    derivation_of,
    leaves,
    module,
    naive_loss,
)

torch = pytest.importorskip("torch")
CASES = [*LOSSES, *RECIPES]


def _shape(d, rows=(2, 3), K=4):
    K = d.K if isinstance(d.K, int) else K
    return (*rows, 3, K) if d.recipe == "batch-cross-entropy" else (*rows, K)


def _autograd(mod, given):
    x = given[mod.WRT].clone().requires_grad_()
    (g,) = torch.autograd.grad(mod.loss(**{**given, mod.WRT: x}), x)
    return g


def _numpy(given):
    return {n: v.numpy() if hasattr(v, "numpy") else v for n, v in given.items()}


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("code")
    made = {}

    def get(case, K="K"):
        if (case, K) not in made:
            d = derivation(case, K)
            stem = f"{case.replace('-', '_')}_K{K}"
            made[case, K] = (d, module(d, "torch", folder, stem), module(d, "numpy", folder, stem))
        return made[case, K]
    return get


@pytest.mark.parametrize("case", CASES)
def test_torch_backward_is_autograd_of_the_forward_and_passes_gradcheck(case, modules):
    d, mod, _ = modules(case)
    for scale, sharp in ((1.0, 2.0), (80.0, 2.0), (3.0, 40.0)):   # large logits; near-one-hot targets
        given = leaves(d, _shape(d), scale, seed=int(scale), sharp=sharp)
        ours = mod.grad(**given)
        assert ours.shape == given[mod.WRT].shape and ours.dtype == torch.float64
        torch.testing.assert_close(ours, _autograd(mod, given), rtol=1e-10, atol=1e-10)
    given = leaves(d, _shape(d, rows=(2,)), 1.0, seed=5)
    rest = [given[n] for n in mod.LEAVES[1:]]
    x = given[mod.WRT].clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda v: mod.DerivedLoss.apply(v, *rest), (x,))


@pytest.mark.parametrize("case", CASES)
def test_forward_is_the_definitions_summed_by_sympy(case, modules):
    """The forward against an independent value: the loss's definitions substituted and summed by
    SymPy term by term, row by row (the loss() of the module sums the rows)."""
    d, mod, _ = modules(case)
    given = leaves(d, _shape(d, rows=(3,)), 1.5, seed=2)
    rows = [naive_loss(d, {n: v[r] if hasattr(v, "shape") else v for n, v in given.items()}) for r in range(3)]
    assert float(mod.loss(**given)) == pytest.approx(sum(rows), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("case", sorted(LOSSES))
def test_loss_and_gradient_equal_the_pytorch_reference(case, modules):
    """tests/engine/losses.py's own PyTorch twin of each loss (one vector), row by row."""
    d, mod, _ = modules(case)
    given = leaves(d, (3, 4), 1.0, seed=3)
    ref = LOSSES[case][4]
    total = 0.0
    for r in range(3):
        z = given[mod.WRT][r].clone().requires_grad_()
        v = {n: (x[r] if hasattr(x, "shape") else torch.tensor(x, dtype=torch.float64)) for n, x in given.items()}
        if "c" in v:
            v["c"] = int(v["c"]) + 1          # the reference takes the derivation's 1-based class
        value = ref(torch, z, v)
        (g,) = torch.autograd.grad(value, z)
        torch.testing.assert_close(mod.grad(**given)[r], g, rtol=1e-10, atol=1e-12)
        total += float(value.detach())
    assert float(mod.loss(**given)) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_numpy_module_equals_the_torch_module(case, modules):
    d, mod, npm = modules(case)
    given = leaves(d, _shape(d), 2.0, seed=4)
    assert npm.LEAVES == mod.LEAVES and npm.WRT == mod.WRT
    g = npm.grad(**_numpy(given))
    assert isinstance(g, np.ndarray) and g.shape == tuple(given[mod.WRT].shape)
    np.testing.assert_allclose(g, mod.grad(**given).numpy(), rtol=1e-12, atol=1e-13)
    assert float(npm.loss(**_numpy(given))) == pytest.approx(float(mod.loss(**given)), rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_no_overflow_or_nan_at_logits_of_700(case, modules):
    """At +-700 (float64) exp overflows and log(softmax) is nan or -inf; at +-80 and +-700 the code
    stays finite and equal to autograd of its own forward."""
    d, mod, npm = modules(case)
    for scale in (80.0, 700.0):
        given = leaves(d, _shape(d), 1.0, seed=6)
        z = given[mod.WRT]
        z = torch.where(z > 0, scale, -scale) + z                # every logit near +-scale
        z[..., 0, :] = -scale
        z[..., 0, 1] = scale                                      # and rows where a is exactly one-hot
        given[mod.WRT] = z
        naive = torch.log(torch.exp(given[mod.WRT]) / torch.exp(given[mod.WRT]).sum(-1, keepdim=True))
        assert scale < 700 or not torch.isfinite(naive).all()   # what the stable forms avoid
        for m, inputs in ((mod, given), (npm, _numpy(given))):
            value, g = m.loss(**inputs), m.grad(**inputs)
            assert np.isfinite(float(value)) and np.isfinite(np.asarray(g)).all(), (m.__name__, scale)
        torch.testing.assert_close(mod.grad(**given), _autograd(mod, given), rtol=1e-9, atol=1e-9)


def test_a_concrete_K_is_checked_and_fixes_the_size(modules):
    d, mod, npm = modules("label-smoothing-cross-entropy", 3)
    given = leaves(d, (2, 3), 1.0, seed=1)
    torch.testing.assert_close(mod.grad(**given), _autograd(mod, given), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="3 entries"):
        npm.grad(**_numpy(leaves(d, (2, 4), 1.0, seed=1)))


def test_every_line_of_arithmetic_carries_its_equation_label(modules):
    d, mod, _ = modules("focal")
    text = Path(mod.__file__).read_text(encoding="utf-8")
    fragment = d.render("latex-fragment")
    maths, inside = [], False
    for ln in text.splitlines():   # the arithmetic: the bodies of _shared, _loss_rows, _gradient
        if ln.startswith("def "):
            inside = ln.startswith(("def _shared", "def _loss_rows", "def _gradient"))
        elif inside and " = " in ln and not ln.strip().startswith(("return", '"""')):
            maths.append(ln)
    assert maths
    for ln in maths:
        for label in ln.split("# (")[1].split(")")[0].split(", "):
            assert rf"\label{{{label}}}" in fragment, ln
    assert "torch.log(a" not in text and "torch.log(torch.softmax" not in text   # never log of a probability
    assert "expm1" in text                                                          # 1 - a_i near a_i = 1


def test_code_is_ruff_clean_and_imports_only_numpy_and_torch(modules, tmp_path):
    ruff = pytest.importorskip("ruff")
    files = []
    for case in ("focal", "nll-class-index", "batch-cross-entropy", "label-smoothing-cross-entropy"):
        _, mod, npm = modules(case)
        files += [mod.__file__, npm.__file__]
        for m, lib in ((mod, "torch"), (npm, "numpy as np")):
            lines = Path(m.__file__).read_text(encoding="utf-8").splitlines()
            assert [ln for ln in lines if ln.startswith(("import", "from"))] == [f"import {lib}"]
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", *files],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ruff


def test_cli_writes_the_module_and_its_test_which_passes(tmp_path):
    r = run_cli("render", "softmax-cross-entropy", "--format", "torch", "--with-test", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in (tmp_path / "output").iterdir())
    assert made == ["softmax_cross_entropy_KK_torch.py", "test_softmax_cross_entropy_KK_torch.py"]
    test = _imported(tmp_path / "output" / made[1])   # its tests, run here (no second interpreter)
    for scale, sharp in test.CASES:
        test.test_equals_autograd(scale, sharp)
        test.test_gradcheck(scale, sharp)
    test.test_function_and_module()
    assert len(test.CASES) == 4 and {80.0, 1.0} == {s for s, _ in test.CASES}


def _imported(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_grad_prints_numpy_code_on_stdout(tmp_path):
    loss, defs, _, _, _ = LOSSES["focal"]
    r = run_cli("grad", loss, *[a for x in defs for a in ("--define", x)], "-f", "numpy", "-o", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("import numpy as np") == 1 and "def grad(z, y, gamma):" in r.stdout
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("argv,message", [
    (("grad", r"L = \sum_{i=1}^{K} \log(1 + e^{z_i})", "--wrt", "z", "-f", "torch"), "not simplified"),
    (("render", "softmax-cross-entropy", "-f", "numpy", "--with-test"), "--with-test needs --format torch"),
    (("render", "softmax-cross-entropy", "-f", "torch", "--with-test", "-o", "-"), "needs a file"),
])
def test_no_code_one_line_exit_2_nothing_written(argv, message, tmp_path):
    r = run_cli(*argv, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


def test_an_unconfirmed_step_gets_no_code():
    from derive.errors import UsageError
    from derive.render.code import generate
    from derive.verifier.verify import Verdict

    d = derivation("focal")
    n = next(k for k, s in enumerate(d.steps) if not s.is_definition)
    steps = list(d.steps)
    steps[n] = replace(steps[n], verdict=Verdict("unconfirmed", None, "no proof"))
    with pytest.raises(UsageError, match=rf"step {n + 1} .* unconfirmed"):
        generate(d.with_steps(steps), "torch")
    assert json.loads(d.render("json"))["verified"] is True   # the derivation itself is untouched


def test_the_softmax_jacobian_gives_the_softmax_and_its_backward(modules):
    """softmax-jacobian has no loss: value() is a, vjp(z, g) = J^T g from diag(a) - a a^T."""
    _, mod, npm = modules("softmax-jacobian")
    assert mod.LEAVES == ("z",) and mod.WRT == "z"
    for scale in (1.0, 80.0, 700.0):
        gen = torch.Generator().manual_seed(int(scale))
        z = torch.randn(2, 3, 5, generator=gen, dtype=torch.float64) * scale
        g = torch.randn(2, 3, 5, generator=gen, dtype=torch.float64)
        x = z.clone().requires_grad_()
        torch.testing.assert_close(mod.value(z), torch.softmax(z, -1), rtol=1e-12, atol=1e-15)
        (auto,) = torch.autograd.grad(torch.softmax(x, -1), x, g)   # PyTorch's own softmax backward
        torch.testing.assert_close(mod.vjp(z, g), auto, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(npm.vjp(z.numpy(), g.numpy()), auto.numpy(), rtol=1e-10, atol=1e-10)
        if scale < 700:
            assert torch.autograd.gradcheck(mod.DerivedSoftmax.apply, (x,))


def test_binary_cross_entropy_on_a_scalar_logit_is_stable(tmp_path):
    """A scalar variable (the logit of a sigmoid): log sigma as logsigmoid, finite at +-700."""
    d = derivation_of(r"L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))")
    mod, npm = module(d, "torch", tmp_path, "bce"), module(d, "numpy", tmp_path, "bce")
    assert mod.LEAVES == ("x", "y")
    gen = torch.Generator().manual_seed(0)
    for scale in (1.0, 80.0, 700.0):
        x = torch.randn(2, 3, generator=gen, dtype=torch.float64) * scale
        y = torch.rand(2, 3, generator=gen, dtype=torch.float64)
        xr = x.clone().requires_grad_()
        ref = torch.nn.functional.binary_cross_entropy_with_logits(xr, y, reduction="sum")
        (auto,) = torch.autograd.grad(ref, xr)
        torch.testing.assert_close(mod.loss(x=x, y=y), ref.detach(), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(mod.grad(x=x, y=y), auto, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(npm.grad(x=x.numpy(), y=y.numpy()), auto.numpy(), rtol=1e-10, atol=1e-12)
        assert np.isfinite(npm.loss(x=x.numpy(), y=y.numpy()))
    assert torch.autograd.gradcheck(lambda v: mod.DerivedLoss.apply(v, y), (x.clone().requires_grad_() / 100,))


@pytest.mark.parametrize("case", ["focal", "nll-class-index", "label-smoothing-cross-entropy", "batch-cross-entropy"])
def test_device_agnostic_nothing_made_on_the_cpu(case, modules):
    """On the meta device (shapes only; a CPU tensor mixed in is an error) forward and backward run
    and stay there: the code makes every array on its inputs' device."""
    d, mod, _ = modules(case)
    given = {n: v.to("meta") if hasattr(v, "to") else v for n, v in leaves(d, _shape(d), 1.0, seed=8).items()}
    x = given[mod.WRT].clone().requires_grad_()
    value = mod.DerivedLoss.apply(x, *[given[n] for n in mod.LEAVES[1:]])
    value.backward()
    assert value.device.type == "meta" and x.grad.device.type == "meta" and x.grad.shape == x.shape
    assert mod.grad(**given).device.type == "meta"


def test_the_function_refuses_a_gradient_it_was_not_derived_for(modules):
    d, mod, _ = modules("focal")
    given = leaves(d, (2, 4), 1.0, seed=9)
    y = given["y"].clone().requires_grad_()
    with pytest.raises(ValueError, match="with respect to z only"):
        mod.DerivedLoss.apply(given["z"], y, given["gamma"])

"""--with-test: a pytest file beside the torch module (gradcheck in float64, autograd of the same
forward on random inputs, logits of +-80 and near-one-hot probabilities)."""
from __future__ import annotations

from .lower import Program

# the value a scalar leaf takes in the tests, by its domain (a smoothing epsilon is in (0, 1))
SCALARS = {"unit": 0.1, "positive": 1.5, "real": 0.5, "nonnegative": 1.5}


def test_text(p: Program, module_file: str, K: int | None) -> str:
    k = K or 5
    shape = "(3, 4, K)" if p.axes == 2 else "(2, 3, K)" if p.axes == 1 else "(2, 3)"
    distributions = {name: dom for name, dom in p.assumes}
    leaves = []
    for leaf in p.leaves:
        if leaf.kind == "variable":
            leaves.append(f"    out[{leaf.name!r}] = torch.randn(SHAPE, generator=gen, dtype=torch.float64) * scale")
        elif leaf.kind == "vector" and distributions.get(leaf.name) == "one-hot":
            leaves.append(f"    out[{leaf.name!r}] = torch.nn.functional.one_hot(torch.randint(0, K, SHAPE[:-1], "
                          "generator=gen), K).to(torch.float64)")
        elif leaf.kind == "vector" and leaf.name in distributions:
            leaves.append(f"    out[{leaf.name!r}] = torch.softmax(torch.randn(SHAPE, generator=gen, dtype=torch.float64)"
                          " * sharp, dim=-1)")
        elif leaf.kind == "vector":
            leaves.append(f"    out[{leaf.name!r}] = 0.1 + torch.rand(SHAPE, generator=gen, dtype=torch.float64)")
        elif leaf.kind == "label":
            leaves.append(f"    out[{leaf.name!r}] = torch.randint(0, K, SHAPE[:-1], generator=gen)")
        else:
            leaves.append(f"    out[{leaf.name!r}] = {SCALARS.get(leaf.domain, 0.5)!r}")
    return "\n".join([
        *_header(module_file),
        f"K = {k}",
        f"SHAPE = {shape}",
        "",
        "",
        "def leaves(scale: float, seed: int, sharp: float = 2.0) -> dict:",
        '    """Random leaves: logits times `scale`; distributions softmax(sharp * noise) (near one-hot when sharp)."""',
        "    gen = torch.Generator().manual_seed(seed)",
        "    out = {}",
        *leaves,
        "    return out",
        "",
        "",
        "def autograd(given: dict) -> torch.Tensor:",
        '    """The gradient autograd finds through loss(), the forward written with plain operations."""',
        "    x = given[derived.WRT].clone().requires_grad_()",
        "    (g,) = torch.autograd.grad(derived.loss(**{**given, derived.WRT: x}), x)",
        "    return g",
        "",
        "",
        "CASES = [(1.0, 2.0), (80.0, 2.0), (1.0, 30.0), (80.0, 30.0)]   # (logit scale, target sharpness)",
        "",
        "",
        '@pytest.mark.parametrize("scale,sharp", CASES)',
        "def test_equals_autograd(scale, sharp):",
        "    for seed in range(3):",
        "        given = leaves(scale, seed, sharp)",
        "        ours = derived.grad(**given)",
        "        assert ours.shape == given[derived.WRT].shape and torch.isfinite(ours).all()",
        "        torch.testing.assert_close(ours, autograd(given), rtol=1e-10, atol=1e-10)",
        "",
        "",
        '@pytest.mark.parametrize("scale,sharp", CASES)',
        "def test_gradcheck(scale, sharp):",
        "    given = leaves(scale, 7, sharp)",
        "    rest = [given[n] for n in derived.LEAVES[1:]]",
        "    x = given[derived.WRT].clone().requires_grad_()",
        "    assert torch.autograd.gradcheck(lambda v: derived.DerivedLoss.apply(v, *rest), (x,))",
        "",
        "",
        "def test_function_and_module():",
        "    given = leaves(1.0, 11)",
        "    x = given[derived.WRT].clone().requires_grad_()",
        "    value = derived.Loss()(**{**given, derived.WRT: x})",
        "    value.backward()",
        "    torch.testing.assert_close(value, derived.loss(**given), rtol=1e-12, atol=1e-12)",
        "    torch.testing.assert_close(x.grad, derived.grad(**given), rtol=1e-12, atol=1e-12)",
        "",
    ])


def function_test_text(p, module_file: str, K: int | None) -> str:
    """The test of a softmax module: vjp() against autograd of value(), gradcheck of DerivedSoftmax."""
    return "\n".join([
        *_header(module_file),
        f"K = {K or 5}",
        "",
        "",
        '@pytest.mark.parametrize("scale", [1.0, 80.0, 700.0])',
        "def test_vjp_equals_autograd_and_passes_gradcheck(scale):",
        "    gen = torch.Generator().manual_seed(int(scale))",
        "    z = torch.randn(2, 3, K, generator=gen, dtype=torch.float64) * scale",
        "    g = torch.randn(2, 3, K, generator=gen, dtype=torch.float64)",
        "    x = z.clone().requires_grad_()",
        "    (auto,) = torch.autograd.grad(derived.value(x), x, g)",
        "    ours = derived.vjp(z, g)",
        "    assert torch.isfinite(ours).all()",
        "    torch.testing.assert_close(ours, auto, rtol=1e-10, atol=1e-10)",
        "    if scale < 700:  # finite differences need a function that is not flat to the last bit",
        "        assert torch.autograd.gradcheck(derived.DerivedSoftmax.apply, (x,))",
        "",
    ])


def _header(module_file: str) -> list[str]:
    """The docstring, the imports and the module under test, loaded from the file beside the test."""
    return [
        f'"""Tests of {module_file}: its backward against gradcheck and against autograd of its own forward."""',
        "import importlib.util",
        "import pathlib",
        "",
        "import pytest",
        "import torch",
        "",
        f'_spec = importlib.util.spec_from_file_location("derived", pathlib.Path(__file__).with_name({module_file!r}))',
        "derived = importlib.util.module_from_spec(_spec)",
        "_spec.loader.exec_module(derived)",
    ]

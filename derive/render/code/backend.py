"""The two array libraries the code printer writes for: names and call forms, as data."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    """How one library spells the operations of derive.render.code.nodes."""

    name: str
    module: str                 # the prefix of functions: np.log, torch.log
    imports: str                # the module's one import line
    reduce: str                 # {x} {axis}
    row_max: str
    one_hot: str                # {c} {axis} {size}
    gather: str                 # {x} {c} {axis}
    as_float: str               # the variable's array, floating
    like: str                   # {x}: another leaf as an array like the variable {wrt}
    as_label: str               # {c}: class indices broadcast over the leading axes of {wrt}
    broadcast: str              # {x} to the shape of {wrt}
    quotient: str               # {x} / {y}, {limit} where {y} == 0


NUMPY = Backend(
    name="numpy", module="np", imports="import numpy as np",
    reduce="{x}.sum(axis={axis}, keepdims=True)",
    row_max="{x}.max(axis={axis}, keepdims=True)",
    one_hot="(np.arange({size}) == {c}[..., None]).astype({wrt}.dtype)",
    gather="np.take_along_axis({x}, {c}[..., None], axis={axis})",
    as_float="np.asarray({wrt}, dtype=np.result_type(np.asarray({wrt}).dtype, np.float32))",
    like="np.asarray({x}, dtype={wrt}.dtype)",
    as_label="np.broadcast_to(np.asarray({c}, dtype=np.int64), {wrt}.shape[:-1])",
    broadcast="np.broadcast_to({x}, {wrt}.shape).copy()",
    quotient="np.divide({x}, {y}, out=np.full_like({y}, {limit}), where={y} != 0)",
)

TORCH = Backend(
    name="torch", module="torch", imports="import torch",
    reduce="{x}.sum(dim={axis}, keepdim=True)",
    row_max="{x}.amax(dim={axis}, keepdim=True)",
    one_hot="(torch.arange({size}, device={wrt}.device) == {c}[..., None]).to({wrt}.dtype)",
    gather="torch.take_along_dim({x}, {c}[..., None], dim={axis})",
    as_float="torch.as_tensor({wrt})",
    like="torch.as_tensor({x}, dtype={wrt}.dtype, device={wrt}.device)",
    as_label="torch.as_tensor({c}, device={wrt}.device).long().expand({wrt}.shape[:-1])",
    broadcast="{x}.expand_as({wrt}).contiguous()",
    quotient="torch.where({y} == 0, {limit}, {x} / {y})",
)

BACKENDS = {b.name: b for b in (NUMPY, TORCH)}

"""The family of cross-entropy losses: importing the modules registers their recipes."""
from __future__ import annotations

from . import batch, hessian, kl, logsoftmax, sigmoid, stopgrad, targets, temperature  # noqa: F401

"""Argument checks shared by every reference function.

Bad input must fail loudly and say what was wrong, so every public reference function starts by
declaring the shapes it expects with :func:`expect`. A spec is a space-separated list of
dimension names (bound on first use, checked on every later use), integer literals, ``*`` for
any one dimension, and a leading ``...`` for any number of leading dimensions::

    dims = expect("dense_forward", x=(x, "N D"), W=(W, "D K"), b=(b, "K"))
    dims["K"]  # the bound size

A failure raises ``ValueError`` naming the function, the argument, the shape received and the
shape expected, e.g. ``dense_forward: W has shape (3, 4), expected (D, K) with D=5 (from x)``.
"""

from __future__ import annotations

import numpy as np
import torch

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

__all__ = [
    "FLOAT_DTYPES",
    "expect",
    "require_float",
    "require_int",
    "require_positive",
    "require_str",
    "require_tensor",
]


def require_int(fn: str, name: str, value: object, *, minimum: int) -> int:
    """``value`` as an int ≥ ``minimum`` (a Python or NumPy integer, never a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{fn}: {name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value!r}")
    return int(value)


def require_str(fn: str, name: str, value: object) -> str:
    """``value``, which must be a ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{fn}: {name} must be a str, got {type(value).__name__}")
    return value


def require_tensor(fn: str, name: str, x: object) -> torch.Tensor:
    """Return ``x`` if it is a torch tensor, else raise ``TypeError`` naming the argument."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{fn}: {name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def require_float(fn: str, name: str, x: object) -> torch.Tensor:
    """Return ``x`` if it is a floating-point tensor, else raise naming the dtype received."""
    t = require_tensor(fn, name, x)
    if t.dtype not in FLOAT_DTYPES:
        raise ValueError(
            f"{fn}: {name} must have a floating dtype (float16/bfloat16/float32/float64), "
            f"got {t.dtype}"
        )
    return t


def require_positive(fn: str, name: str, value: float, *, allow_zero: bool = False) -> None:
    """Raise ``ValueError`` unless ``value`` is > 0 (or >= 0 with ``allow_zero``)."""
    ok = value >= 0 if allow_zero else value > 0
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{fn}: {name} must be {bound}, got {value!r}")


def _fmt(spec_tokens: list[str]) -> str:
    return "(" + ", ".join(spec_tokens) + ")"


def expect(fn: str, *, floating: bool = True, **specs: tuple[object, str]) -> dict[str, int]:
    """Check every ``name=(tensor, spec)`` against its shape spec; return the bound dimensions.

    Tensors must be floating-point unless ``floating=False`` and must share one device.
    """
    bound: dict[str, tuple[int, str]] = {}
    device: tuple[torch.device, str] | None = None
    for name, (value, spec) in specs.items():
        t = require_float(fn, name, value) if floating else require_tensor(fn, name, value)
        if device is None:
            device = (t.device, name)
        elif t.device != device[0]:
            raise ValueError(
                f"{fn}: {name} is on {t.device} but {device[1]} is on {device[0]}; "
                "move them to one device"
            )
        tokens = spec.split()
        leading = bool(tokens) and tokens[0] == "..."
        dims = tokens[1:] if leading else tokens
        shape = tuple(t.shape)
        if (len(shape) < len(dims)) if leading else (len(shape) != len(dims)):
            raise ValueError(
                f"{fn}: {name} has shape {shape}, expected {_fmt(tokens)} "
                f"({'at least ' if leading else ''}{len(dims)} dims, got {len(shape)})"
            )
        actual = shape[len(shape) - len(dims) :]
        for token, size in zip(dims, actual, strict=True):
            if token == "*":
                continue
            if token.lstrip("-").isdigit():
                if size != int(token):
                    raise ValueError(f"{fn}: {name} has shape {shape}, expected {_fmt(tokens)}")
                continue
            if token in bound and bound[token][0] != size:
                want, source = bound[token]
                raise ValueError(
                    f"{fn}: {name} has shape {shape}, expected {_fmt(tokens)} "
                    f"with {token}={want} (from {source})"
                )
            bound.setdefault(token, (size, name))
    return {k: v[0] for k, v in bound.items()}

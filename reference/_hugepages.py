"""Back a large array that is already filled with transparent huge pages (Linux ≥ 6.1).

A brute-force search streams the whole index through the CPU for every query. With 4 KiB pages
a 150 MiB index spans 38,400 pages, and the page walks of the TLB misses cost ~20 % of the
product (100k × 384 float32, one query: 6.6 → 5.6 ms on the bench machine). NumPy asks for huge
pages when it allocates a large array (``madvise(MADV_HUGEPAGE)``), but faiss's own storage is
an ordinary ``std::vector``, faulted in 4 KiB pages while ``index.add`` copies into it.
``madvise(MADV_COLLAPSE)`` rewrites the already-populated pages of a range into 2 MiB ones,
synchronously (≈ 0.35 ms per MiB, once), in the ``always`` and ``madvise`` THP modes alike.

The contents never change, so this is purely a hint: where it is not available (other systems,
kernels before 6.1, THP disabled, a memory cgroup with no room for a huge page) nothing happens
and the caller goes on with ordinary pages. Each region is advised once per process.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable

import numpy as np

MADV_COLLAPSE = 25  # include/uapi/asm-generic/mman-common.h, Linux 6.1
PAGE = 4096
HUGE_PAGE = 2 * 1024**2
#: Arrays smaller than this are left alone (NumPy's own threshold for asking for huge pages).
MIN_BYTES = 4 * 1024**2
LINUX = sys.platform.startswith("linux")
_MAX_REMEMBERED = 256  # regions remembered as done; an index rebuilt elsewhere is a new region

_lock = threading.Lock()
_done: dict[tuple[int, int], bool] = {}  # (address, bytes) → whether the kernel took the advice
_madvise = None  # resolved on first use
#: errno of the last refused advice (0: none yet): EAGAIN/ENOMEM mean no huge page was free
last_errno = 0


def _libc_madvise() -> Callable[[int, int, int], int]:
    global _madvise
    if _madvise is None:
        fn = ctypes.CDLL(None, use_errno=True).madvise
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        fn.restype = ctypes.c_int
        _madvise = fn
    return _madvise


def page_range(address: int, nbytes: int) -> tuple[int, int]:
    """The whole 4 KiB pages inside ``[address, address + nbytes)``: ``(start, length)``.

    ``madvise`` needs a page-aligned start; the partial pages at both ends are left out (the
    kernel collapses only the 2 MiB-aligned stretches inside the range anyway).
    """
    start = -(-address // PAGE) * PAGE  # round up
    end = (address + nbytes) // PAGE * PAGE  # round down
    return start, max(0, end - start)


def collapse(array: np.ndarray) -> bool:
    """Ask the kernel to back ``array``'s memory with huge pages now; True if it did.

    Contiguous arrays of at least :data:`MIN_BYTES` only. A region already advised in this
    process is not advised again: the answer is remembered, so a new array that happens to get
    the exact address and size of a freed one is taken as done (which costs speed, never
    correctness). Never raises: any refusal (no ``madvise``, ``EINVAL`` from a kernel without
    ``MADV_COLLAPSE``, ``EAGAIN``/``ENOMEM`` when no huge page could be had) is False and the
    array stays as it was.
    """
    if not LINUX or array.nbytes < MIN_BYTES:
        return False
    if not (array.flags.c_contiguous or array.flags.f_contiguous):
        return False
    start, length = page_range(array.ctypes.data, array.nbytes)
    if length < HUGE_PAGE:
        return False
    key = (start, length)
    global last_errno
    with _lock:
        if key in _done:
            return _done[key]
        try:
            ok = _libc_madvise()(start, length, MADV_COLLAPSE) == 0
            if not ok:
                last_errno = ctypes.get_errno()
        except (OSError, AttributeError):  # no libc madvise (not glibc/musl)
            ok = False
        if len(_done) >= _MAX_REMEMBERED:
            _done.pop(next(iter(_done)))
        _done[key] = ok
        return ok

"""reference/_hugepages.py: a filled array moved onto huge pages, unchanged, once; never raises."""

from __future__ import annotations

import errno
import mmap
import platform
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from reference import _exact_search, _hugepages, rag

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _kernel_collapses() -> bool:
    """Linux ≥ 6.1 with transparent huge pages not switched off: MADV_COLLAPSE must work."""
    if not THP.exists() or "[never]" in THP.read_text():
        return False
    major, minor = (int(x) for x in re.findall(r"\d+", platform.release())[:2])
    return (major, minor) >= (6, 1)


def _anon_huge_kib(address: int) -> int:
    """AnonHugePages of the mapping of this process that contains ``address``."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
        if head:
            inside = int(head[1], 16) <= address < int(head[2], 16)
        elif inside and line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def _small_page_array(nbytes: int) -> tuple[mmap.mmap, np.ndarray]:
    """A filled float32 array in a fresh anonymous mapping, faulted in 4 KiB pages."""
    region = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):  # make sure the first touch does not get huge pages
        region.madvise(mmap.MADV_NOHUGEPAGE)
    array = np.frombuffer(region, dtype=np.float32)
    array[:] = np.arange(array.size, dtype=np.float32)
    if hasattr(mmap, "MADV_HUGEPAGE"):  # let the collapse through again
        region.madvise(mmap.MADV_HUGEPAGE)
    return region, array


@pytest.fixture(autouse=True)
def _forget() -> None:
    _hugepages._done.clear()


def test_page_range_keeps_only_whole_pages_inside_the_array() -> None:
    assert _hugepages.page_range(4096, 8192) == (4096, 8192)
    assert _hugepages.page_range(4096 + 16, 8192) == (8192, 4096)  # both partial ends dropped
    assert _hugepages.page_range(16, 100) == (4096, 0)  # no whole page: nothing to advise


def _collapsed_or_skip(array: np.ndarray) -> None:
    """Collapse ``array``; a kernel that has no free huge page (EAGAIN, ENOMEM: memory pressure
    or fragmentation, outside the code's control) skips the test, any other refusal fails it."""
    if not _hugepages.collapse(array):
        if _hugepages.last_errno in (errno.EAGAIN, errno.ENOMEM):
            pytest.skip(
                f"the kernel had no free huge page ({errno.errorcode[_hugepages.last_errno]})"
            )
        pytest.fail(f"MADV_COLLAPSE refused: errno {_hugepages.last_errno}")


@pytest.mark.skipif(not _kernel_collapses(), reason="needs Linux >= 6.1 with THP not 'never'")
def test_a_filled_array_is_moved_onto_huge_pages_with_its_contents_unchanged() -> None:
    region, array = _small_page_array(16 * 1024**2)
    before = array.copy()
    assert _anon_huge_kib(array.ctypes.data) == 0
    _collapsed_or_skip(array)
    assert _anon_huge_kib(array.ctypes.data) >= 4 * 2048  # most of the 16 MiB
    np.testing.assert_array_equal(array, before)
    del array
    region.close()


def test_a_region_is_advised_once_and_the_answer_remembered(monkeypatch) -> None:
    calls = []

    def fake_madvise(start: int, length: int, advice: int) -> int:
        calls.append((start, length, advice))
        return 0

    monkeypatch.setattr(_hugepages, "_madvise", fake_madvise)
    array = np.ones(2 * _hugepages.MIN_BYTES // 4, dtype=np.float32)
    assert _hugepages.collapse(array) and _hugepages.collapse(array)
    assert len(calls) == 1 and calls[0][2] == _hugepages.MADV_COLLAPSE
    assert calls[0][0] % _hugepages.PAGE == 0


@pytest.mark.parametrize(
    "array",
    [
        np.ones(1024, dtype=np.float32),  # below MIN_BYTES
        np.ones((2048, 2048), dtype=np.float32)[:, ::2],  # not contiguous
    ],
    ids=["small", "strided"],
)
def test_small_or_strided_arrays_are_left_alone(monkeypatch, array: np.ndarray) -> None:
    def never(*_: object) -> int:
        raise AssertionError("madvise must not be called")

    monkeypatch.setattr(_hugepages, "_madvise", never)
    assert _hugepages.collapse(array) is False


@pytest.mark.parametrize("failure", ["refused", "no madvise"])
def test_a_refusal_is_false_and_never_raises(monkeypatch, failure: str) -> None:
    def refuse(*_: object) -> int:
        if failure == "no madvise":
            raise AttributeError("madvise")
        return -1

    monkeypatch.setattr(_hugepages, "_madvise", refuse)
    array = np.ones(2 * _hugepages.MIN_BYTES // 4, dtype=np.float32)
    assert _hugepages.collapse(array) is False
    np.testing.assert_array_equal(array, 1.0)


def test_build_index_advises_its_storage_and_search_is_unchanged(monkeypatch) -> None:
    """``build_index`` hands the index's own storage to :func:`collapse` (so does a search of an
    index built elsewhere, once), and the search finds exactly the brute-force top k."""
    advised: list[tuple[int, int]] = []
    real = _hugepages.collapse

    def spy(array: np.ndarray) -> bool:
        advised.append((array.ctypes.data, array.nbytes))
        return real(array)

    monkeypatch.setattr(_hugepages, "collapse", spy)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((6000, 384)).astype(np.float32)  # 8.8 MiB
    index = rag.build_index(torch.from_numpy(vectors))
    stored = _exact_search.flat_vectors(index)
    assert advised == [(stored.ctypes.data, stored.nbytes)]
    queries = torch.from_numpy(vectors[:3])
    ids, _ = rag.search(index, queries, 4)
    assert advised[-1] == (stored.ctypes.data, stored.nbytes)  # the search asks too (a no-op)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # (N, D)
    expected = np.argsort(-(unit[:3] @ unit.T), axis=1, kind="stable")[:, :4]  # (3, 4)
    np.testing.assert_array_equal(ids.numpy(), expected)


def test_off_linux_nothing_is_advised(monkeypatch) -> None:
    monkeypatch.setattr(_hugepages, "LINUX", False)
    monkeypatch.setattr(_hugepages, "_madvise", lambda *_: pytest.fail("called"))
    assert _hugepages.collapse(np.ones(2 * _hugepages.MIN_BYTES // 4, np.float32)) is False

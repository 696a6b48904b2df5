"""Reading a zip within bounds, whatever its headers claim: how many entries it really holds
(its end record may under-count them), and a member's bytes inflated no further than a limit
(zipfile bounds stored and deflated members, not bzip2 or LZMA ones)."""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib
from pathlib import Path

from grader.layout import shortened


def declared_entries(path: Path) -> int | None:
    """The entry count a zip's end record declares, read without parsing the central directory
    (a zip of millions of empty entries costs gigabytes as ZipInfo objects); None if unknown."""
    try:
        with path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # stable since 2.x
    except (OSError, ValueError, struct.error):
        return None
    return None if not end else int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def counted_entries(path: Path, stop: int) -> int:
    """How many entries a zip's central directory holds, counted header by header up to
    ``stop`` (zipfile parses the whole directory whatever the end record declares: one that
    declares 1 entry may hold a million, all pointing at the same local header); 0 if unknown."""
    count = 0
    try:
        with path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
            if not end:
                return 0
            size_cd = end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
            start = end[zipfile._ECD_LOCATION] - size_cd  # type: ignore[attr-defined]
            if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
                start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
            fh.seek(max(start, 0))
            read = 0
            while read < size_cd and count < stop:
                header = fh.read(zipfile.sizeCentralDir)  # type: ignore[attr-defined]
                if len(header) < zipfile.sizeCentralDir or header[:4] != b"PK\x01\x02":  # type: ignore[attr-defined]
                    break  # not a directory entry: zipfile reports the archive as broken
                name, extra, comment = struct.unpack("<3H", header[28:34])
                fh.seek(name + extra + comment, 1)
                read += len(header) + name + extra + comment
                count += 1
    except (OSError, ValueError, struct.error):
        return count
    return count


def inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, never more than ``limit + 1`` of them, nor more work to get them.

    zipfile hands a bzip2 or LZMA member's compressed bytes (as many as asked for) to a
    decompressor without an output bound: a 911-byte zip of a bzip2 member declaring 100
    bytes took 2 GB before its CRC was checked, and a few kilobytes more take all the memory.
    Those two are inflated here from the raw bytes, in bounded steps, then checked as zipfile
    checks them (size and CRC); stored and deflated members go through zipfile (bounded)."""
    if info.compress_type not in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        with zf.open(info) as fh:
            return fh.read(limit + 1)
    if info.flag_bits & 0x1:
        raise RuntimeError(f"{shortened(info.filename)} is encrypted, password required")
    raw = zf.fp
    if raw is None:
        raise ValueError("the zip is closed")
    raw.seek(info.header_offset)
    header = raw.read(zipfile.sizeFileHeader)  # type: ignore[attr-defined]
    if len(header) != zipfile.sizeFileHeader or header[:4] != b"PK\x03\x04":  # type: ignore[attr-defined]
        raise zipfile.BadZipFile("bad local file header")
    name_len, extra_len = struct.unpack("<2H", header[26:30])
    raw.seek(name_len + extra_len, 1)
    left = info.compress_size
    decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor
    if info.compress_type == zipfile.ZIP_BZIP2:
        decompressor = bz2.BZ2Decompressor()
    else:  # zip's LZMA: a version, the properties' size and the properties, then raw LZMA1
        start = raw.read(4)
        (size,) = struct.unpack("<H", start[2:4]) if len(start) == 4 else (0,)
        props = raw.read(size)
        left -= 4 + size
        if len(start) != 4 or len(props) != size or left < 0:
            raise EOFError("truncated LZMA header")
        lzma_filter = lzma._decode_filter_properties(lzma.FILTER_LZMA1, props)  # type: ignore[attr-defined]
        decompressor = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter])
    out = bytearray()
    while len(out) <= limit and not decompressor.eof:
        chunk = b""
        if decompressor.needs_input:
            if left <= 0:
                break
            chunk = raw.read(min(64 * 1024, left))
            if not chunk:
                break
            left -= len(chunk)
        out += decompressor.decompress(chunk, max_length=limit + 1 - len(out))
    if len(out) > limit:
        return bytes(out)  # the caller says it expands past the limit
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {shortened(info.filename)!r}")
    return bytes(out)

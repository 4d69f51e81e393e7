#!/usr/bin/env python3
"""Rewrites a .tlt trace with every zstd block stored uncompressed (flag cleared,
sizes and crc32s recomputed), as the crash writer stores them. Seeds made this way
let a fuzzer mutate event and table bytes directly. Usage: uncompress_tlt.py IN OUT
(needs the zstd command)."""
import struct
import subprocess
import sys
import zlib

HEADER = 72
BLOCK = struct.Struct("<IHHIIII")  # magic, type, flags, stored, raw, payload_crc, header_crc
ZSTD_FLAG = 1


def main():
    data = open(sys.argv[1], "rb").read()
    out = bytearray(data[:HEADER])
    o = HEADER
    while o + BLOCK.size <= len(data):
        magic, btype, flags, stored, raw, _, _ = BLOCK.unpack_from(data, o)
        payload = data[o + BLOCK.size:o + BLOCK.size + stored]
        if flags & ZSTD_FLAG:
            payload = subprocess.run(["zstd", "-d", "-c"], input=payload, check=True,
                                     capture_output=True).stdout
            assert len(payload) == raw, (len(payload), raw)
            flags &= ~ZSTD_FLAG
        head = struct.pack("<IHHIII", magic, btype, flags, len(payload), len(payload),
                           zlib.crc32(payload))
        out += head + struct.pack("<I", zlib.crc32(head)) + payload
        o += BLOCK.size + stored
    out += data[o:]
    open(sys.argv[2], "wb").write(out)


if __name__ == "__main__":
    main()

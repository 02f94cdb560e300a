"""Resource limits for unpacking a pushed package (every package is hostile).

The limits bound what one package may cost the archive before anything is
validated: member count, bytes on disk, compression ratio (zip/gzip bombs),
and the length and depth of member paths.  They come from the ``[ingest.limits]``
table of the configuration through :meth:`UnpackLimits.from_mapping`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

GIB = 1 << 30
MIB = 1 << 20
#: Below this many uncompressed bytes the ratio is not judged: tiny, highly
#: compressible members (empty XML, a bagit.txt) reach any ratio legitimately.
RATIO_FLOOR = MIB


@dataclass(frozen=True)
class UnpackLimits:
    """What one package may cost; exceeding any limit refuses the package."""

    max_files: int = 100_000
    max_total_bytes: int = 64 * GIB
    max_file_bytes: int = 16 * GIB
    #: uncompressed / compressed, for the archive as a whole and per member.
    max_ratio: int = 200
    #: bytes of the UTF-8 encoded member path.
    max_path_bytes: int = 1024
    #: number of path segments, the file name included.
    max_depth: int = 32

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ingest.limits.{f.name} must be a positive integer, not {value!r}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "UnpackLimits":
        """Build limits from a config table; unknown keys are a configuration error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown key(s) in ingest.limits: {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        return cls(**dict(data))

"""A ClamAV signature database for demos and tests — clearly NOT a real one.

It holds one signature: the MD5 of the 68-byte EICAR anti-virus test file, which every
scanner detects by agreement and which is harmless.  With it ClamAV really runs on every
package (so ``[checks] virus_scan = "required"`` is met) without downloading the real
databases (freshclam).  It detects no real malware: never use it in production.
"""
from __future__ import annotations

from pathlib import Path

#: MD5 and size of the EICAR test string (the string itself is not kept here: scanners flag it).
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"
EICAR_SIZE = 68
SIGNATURE_NAME = "Casearchive.Test.EICAR"
DATABASE_FILE = "casearchive-TEST-ONLY.hdb"
LABEL_EN = "TEST signature database (EICAR test file only — detects no real viruses, not for production)"
LABEL_ZH = "测试用病毒特征库（仅含 EICAR 测试特征，不能检出真实病毒，不得用于生产）"


def write_test_signatures(folder: Path) -> Path:
    """Write the test database into ``folder`` (created); returns the folder for [checks] clamav_database."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DATABASE_FILE).write_text(f"{EICAR_MD5}:{EICAR_SIZE}:{SIGNATURE_NAME}\n", encoding="ascii")
    (folder / "README.txt").write_text(LABEL_EN + "\n" + LABEL_ZH + "\n", encoding="utf-8")
    return folder


def scan_with_test_signatures(folder: Path) -> tuple[str, str | None]:
    """(virus_scan, clamav_database) for a demo or benchmark archive: ClamAV with these test
    signatures where clamscan is installed, else "optional" (archived with a warning)."""
    import shutil

    if shutil.which("clamscan") is None:
        return "optional", None
    return "required", str(write_test_signatures(folder))



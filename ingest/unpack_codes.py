"""Finding codes of safe unpacking and staging (``PKG-``).

Registered at import time; :mod:`ingest.unpack` imports this module.  Clauses:
RFC 8493 §5 (security considerations of BagIt: special directory characters,
file sizes), the ZIP APPNOTE 6.3.10 (§4.4.4 flags, §4.4.5 methods, §4.4.15
attributes, §4.4.17 names, Appendix D names' encoding), POSIX.1-2017 ``pax``
(ustar typeflag, pax ``path``) and DA/T 70-2018 items 1-14 (package digest),
3-8 (no encryption, no non-public compression) and 4-3 (no extra files on the
carrier).  ``{location}`` is the member path as found in the package.
"""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W = Severity.ERROR, Severity.WARNING

SOURCE_MISSING = "PKG-SOURCE-MISSING"
EMPTY = "PKG-EMPTY"
UNKNOWN_FORMAT = "PKG-UNKNOWN-FORMAT"
CORRUPT = "PKG-CORRUPT"
TOO_MANY_FILES = "PKG-TOO-MANY-FILES"
TOO_LARGE = "PKG-TOO-LARGE"
FILE_TOO_LARGE = "PKG-FILE-TOO-LARGE"
RATIO = "PKG-COMPRESSION-RATIO"
SIZE_MISMATCH = "PKG-SIZE-MISMATCH"
ZIP_OVERLAP = "PKG-ZIP-OVERLAP"
ZIP_HEADER_MISMATCH = "PKG-ZIP-HEADER-MISMATCH"
ENCRYPTED = "PKG-ENCRYPTED"
COMPRESSION_METHOD = "PKG-COMPRESSION-METHOD"
SYMLINK = "PKG-SYMLINK"
HARDLINK = "PKG-HARDLINK"
SPECIAL_FILE = "PKG-SPECIAL-FILE"
NAME_EMPTY = "PKG-NAME-EMPTY"
NAME_ABSOLUTE = "PKG-NAME-ABSOLUTE"
NAME_DOTDOT = "PKG-NAME-DOTDOT"
NAME_BACKSLASH = "PKG-NAME-BACKSLASH"
NAME_CONTROL_CHAR = "PKG-NAME-CONTROL-CHAR"
NAME_TOO_LONG = "PKG-NAME-TOO-LONG"
NAME_TOO_DEEP = "PKG-NAME-TOO-DEEP"
NAME_DUPLICATE = "PKG-NAME-DUPLICATE"
NAME_CASE_COLLISION = "PKG-NAME-CASE-COLLISION"
NAME_CONFLICT = "PKG-NAME-CONFLICT"
NAME_NOT_NFC = "PKG-NAME-NOT-NFC"
NAME_GB18030 = "PKG-NAME-GB18030"
NAME_ENCODING = "PKG-NAME-ENCODING"
NAME_BIDI_CONTROL = "PKG-NAME-BIDI-CONTROL"
NAME_WINDOWS_RESERVED = "PKG-NAME-WINDOWS-RESERVED"
NAME_TRAILING_DOT_SPACE = "PKG-NAME-TRAILING-DOT-SPACE"
NO_BAG_ROOT = "PKG-NO-BAG-ROOT"
BAG_ROOT_AMBIGUOUS = "PKG-BAG-ROOT-AMBIGUOUS"
EXTRA_FILE = "PKG-EXTRA-FILE"
READ_ERROR = "PKG-READ-ERROR"

_NAMES = "RFC 8493 §5; ZIP APPNOTE §4.4.17"
_BOMB = "RFC 8493 §5; casearchive ingest.limits"

register(
    Code(SOURCE_MISSING, _E, "DA/T 70-2018 1-14",
         en="{location}: the pushed package does not exist or is not a file or directory ({found})",
         zh="{location}：推送的信息包不存在，或既不是文件也不是目录（{found}）",
         hint_en="Push the package again; the archive reads it only where it was delivered.",
         hint_zh="请重新推送信息包；档案系统只从投递位置读取。"),
    Code(EMPTY, _E, "RFC 8493 §2.1",
         en="{location}: the package is empty ({found})",
         zh="{location}：信息包为空（{found}）",
         hint_en="Package the complete bag (bagit.txt, manifests, data/) and push it again.",
         hint_zh="请将完整的 bag（bagit.txt、清单文件、data/）打包后重新推送。"),
    Code(UNKNOWN_FORMAT, _E, "DA/T 70-2018 3-8",
         en="{location}: not a directory, zip, tar or tar.gz package (starts with {found})",
         zh="{location}：不是目录、zip、tar 或 tar.gz 格式的信息包（开头字节 {found}）",
         hint_en="Send the bag as a directory or as a .zip, .tar or .tar.gz archive.",
         hint_zh="请以目录或 .zip、.tar、.tar.gz 归档文件的形式发送 bag。"),
    Code(CORRUPT, _E, "DA/T 70-2018 1-14",
         en="{location}: the archive is damaged and cannot be read ({found})",
         zh="{location}：归档文件已损坏，无法读取（{found}）",
         hint_en="The package was truncated or altered in transit; create it again and re-send it.",
         hint_zh="信息包在传输中被截断或改动；请重新生成并再次发送。"),
    Code(TOO_MANY_FILES, _E, _BOMB,
         en="{location}: the package holds more files than allowed (at most {expected}, found {found})",
         zh="{location}：信息包中的文件数超过上限（最多 {expected} 个，实有 {found} 个）",
         hint_en="Split the case file into several packages, or ask the archive to raise ingest.limits.max_files.",
         hint_zh="请将案卷拆分为多个信息包，或请档案馆调高 ingest.limits.max_files。"),
    Code(TOO_LARGE, _E, _BOMB,
         en="{location}: the package's uncompressed size exceeds the limit (at most {expected} bytes, found {found})",
         zh="{location}：信息包解压后的大小超过上限（最多 {expected} 字节，实为 {found} 字节）",
         hint_en="Split the case file into several packages, or ask the archive to raise ingest.limits.max_total_bytes.",
         hint_zh="请将案卷拆分为多个信息包，或请档案馆调高 ingest.limits.max_total_bytes。"),
    Code(FILE_TOO_LARGE, _E, _BOMB,
         en="{location}: the file is larger than allowed (at most {expected} bytes, found {found})",
         zh="{location}：文件大小超过上限（最多 {expected} 字节，实为 {found} 字节）",
         hint_en="Check the file; if it is genuine, ask the archive to raise ingest.limits.max_file_bytes.",
         hint_zh="请检查该文件；如确属正常，请档案馆调高 ingest.limits.max_file_bytes。"),
    Code(RATIO, _E, _BOMB,
         en="{location}: compression ratio too high, a possible decompression bomb (at most {expected}, found {found})",
         zh="{location}：压缩比过高，疑似解压炸弹（最多 {expected}，实为 {found}）",
         hint_en="Send the files uncompressed (zip 'stored' or plain tar) if they are genuine.",
         hint_zh="如文件确属正常，请以不压缩方式（zip 存储方式或普通 tar）发送。"),
    Code(SIZE_MISMATCH, _E, "ZIP APPNOTE §4.4.8, §4.4.9",
         en="{location}: the member's data does not match its declared size (declared {expected} bytes, found {found})",
         zh="{location}：成员数据与其声明的大小不符（声明 {expected} 字节，实为 {found}）",
         hint_en="The archive is damaged or forged; create it again with a standard tool.",
         hint_zh="归档文件已损坏或被伪造；请用标准工具重新生成。"),
    Code(ZIP_OVERLAP, _E, "ZIP APPNOTE §4.3.6",
         en="{location}: the member's data overlaps another member (a zip bomb construction; {found})",
         zh="{location}：成员数据与其他成员重叠（zip 炸弹的构造方式；{found}）",
         hint_en="Create the archive again with a standard zip tool.",
         hint_zh="请用标准 zip 工具重新生成归档文件。"),
    Code(ZIP_HEADER_MISMATCH, _E, "ZIP APPNOTE §4.3.7, §4.3.12",
         en="{location}: the local file header disagrees with the central directory ({found})",
         zh="{location}：本地文件头与中央目录不一致（{found}）",
         hint_en="Different tools would extract different files; create the archive again with a standard tool.",
         hint_zh="不同工具会解出不同的文件；请用标准工具重新生成归档文件。"),
    Code(ENCRYPTED, _E, "DA/T 70-2018 3-8; ZIP APPNOTE §4.4.4",
         en="{location}: the member is encrypted",
         zh="{location}：该成员已加密",
         hint_en="Archived files must not be encrypted (GB/T 18894 8.1.3): send the package without a password.",
         hint_zh="归档文件不得加密（GB/T 18894 8.1.3）：请去除密码后重新发送。"),
    Code(COMPRESSION_METHOD, _E, "DA/T 70-2018 3-8; ZIP APPNOTE §4.4.5",
         en="{location}: unsupported compression method (supported {expected}, found {found})",
         zh="{location}：不支持的压缩方法（支持 {expected}，实为 {found}）",
         hint_en="Use 'deflate' or 'stored' (the default of every zip tool).",
         hint_zh="请使用 deflate 或存储方式（各 zip 工具的默认方式）。"),
    Code(SYMLINK, _E, "RFC 8493 §5; DA/T 70-2018 4-3",
         en="{location}: symbolic links are not allowed in a package (target {found})",
         zh="{location}：信息包中不允许符号链接（指向 {found}）",
         hint_en="Replace the link by the file itself.",
         hint_zh="请用文件本身替换该链接。"),
    Code(HARDLINK, _E, "RFC 8493 §5; POSIX.1-2017 pax typeflag 1",
         en="{location}: hard links are not allowed in a package (target {found})",
         zh="{location}：信息包中不允许硬链接（指向 {found}）",
         hint_en="Store each file's own bytes (tar --hard-dereference).",
         hint_zh="请存入每个文件自身的内容（tar --hard-dereference）。"),
    Code(SPECIAL_FILE, _E, "RFC 8493 §5; DA/T 70-2018 4-3",
         en="{location}: not a regular file or directory ({found})",
         zh="{location}：不是普通文件或目录（{found}）",
         hint_en="Packages may hold only regular files and directories.",
         hint_zh="信息包中只能包含普通文件和目录。"),
    Code(NAME_EMPTY, _E, _NAMES,
         en="{location}: a member has an empty name",
         zh="{location}：有成员的名称为空",
         hint_en="Create the archive again with a standard tool.",
         hint_zh="请用标准工具重新生成归档文件。"),
    Code(NAME_ABSOLUTE, _E, _NAMES,
         en="{location}: absolute path (drive, server or leading slash) in a package",
         zh="{location}：信息包中出现绝对路径（盘符、服务器名或以斜杠开头）",
         hint_en="Store paths relative to the bag, e.g. data/documents/a.pdf.",
         hint_zh="路径应相对于 bag，例如 data/documents/a.pdf。"),
    Code(NAME_DOTDOT, _E, _NAMES,
         en="{location}: the path contains a '..' segment (would leave the package)",
         zh="{location}：路径含有“..”段（会跳出信息包）",
         hint_en="Store paths relative to the bag without '..'.",
         hint_zh="请使用相对于 bag、且不含“..”的路径。"),
    Code(NAME_BACKSLASH, _E, _NAMES,
         en="{location}: the path contains a backslash; zip and tar separate folders with '/'",
         zh="{location}：路径含有反斜杠；zip 与 tar 以“/”分隔目录",
         hint_en="Create the archive with a tool that writes '/' separators.",
         hint_zh="请用以“/”作为分隔符的工具生成归档文件。"),
    Code(NAME_CONTROL_CHAR, _E, _NAMES,
         en="{location}: the path contains a control character ({found})",
         zh="{location}：路径含有控制字符（{found}）",
         hint_en="Rename the file without control characters.",
         hint_zh="请去除文件名中的控制字符后重新命名。"),
    Code(NAME_TOO_LONG, _E, _NAMES,
         en="{location}: the path is too long (at most {expected} bytes in UTF-8, found {found})",
         zh="{location}：路径过长（UTF-8 编码最多 {expected} 字节，实为 {found}）",
         hint_en="Shorten folder and file names.",
         hint_zh="请缩短目录名和文件名。"),
    Code(NAME_TOO_DEEP, _E, _NAMES,
         en="{location}: folders nested too deep (at most {expected} levels, found {found})",
         zh="{location}：目录嵌套层级过深（最多 {expected} 层，实为 {found} 层）",
         hint_en="Flatten the folder structure.",
         hint_zh="请减少目录层级。"),
    Code(NAME_DUPLICATE, _E, _NAMES,
         en="{location}: the same path occurs more than once (also after Unicode NFC normalisation; other: {found})",
         zh="{location}：同一路径出现多次（含 Unicode NFC 规范化后相同；另一个：{found}）",
         hint_en="Each file may occur once; create the archive again.",
         hint_zh="每个文件只能出现一次；请重新生成归档文件。"),
    Code(NAME_CASE_COLLISION, _W, _NAMES,
         en="{location}: differs from {found} only in letter case; they collide on Windows and macOS",
         zh="{location}：与 {found} 仅大小写不同；在 Windows 和 macOS 上会互相覆盖",
         hint_en="Rename one of the two files.",
         hint_zh="请重命名其中一个文件。"),
    Code(NAME_CONFLICT, _E, _NAMES,
         en="{location}: the path is both a file and a folder in the package",
         zh="{location}：该路径在信息包中既是文件又是目录",
         hint_en="Rename the file or the folder.",
         hint_zh="请重命名该文件或目录。"),
    Code(NAME_NOT_NFC, _W, "RFC 8493 §2.1.3; Unicode UAX #15",
         en="{location}: the name is not in Unicode NFC form (as macOS writes it); manifests may not match elsewhere",
         zh="{location}：名称不是 Unicode NFC 形式（macOS 的写法）；清单在其他系统上可能无法匹配",
         hint_en="Normalise names to NFC before packaging.",
         hint_zh="请在打包前将名称规范化为 NFC 形式。"),
    Code(NAME_BIDI_CONTROL, _W, "Unicode UAX #9 §2 (explicit directional formatting); Unicode UTR #36 §2",
         en="{location}: the name contains bidirectional control characters ({found}); "
            "it may be displayed in another order than it is stored (e.g. 'fdp.exe' shown as 'exe.pdf')",
         zh="{location}：名称含双向文本控制字符（{found}）；显示顺序可能与实际不同（例如“fdp.exe”显示为“exe.pdf”）",
         hint_en="Rename the file without right-to-left overrides, embeddings, isolates or marks; "
                 "the location above shows them escaped.",
         hint_zh="请去掉名称中的从右到左覆盖、嵌入、隔离及方向标记字符后重命名；上面的位置已将其转义显示。"),
    Code(NAME_WINDOWS_RESERVED, _W, "Microsoft Win32: Naming Files, Paths, and Namespaces (reserved names)",
         en="{location}: {found} is a reserved device name on Windows; the file cannot be exported there",
         zh="{location}：{found} 是 Windows 保留的设备名；无法在 Windows 上导出该文件",
         hint_en="Rename it (CON, PRN, AUX, NUL, COM1–COM9 and LPT1–LPT9 are reserved with any extension).",
         hint_zh="请重命名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9 无论带何扩展名均为保留名）。"),
    Code(NAME_TRAILING_DOT_SPACE, _W, "Microsoft Win32: Naming Files, Paths, and Namespaces",
         en="{location}: the name {found} ends in a dot or a space; Windows drops it, so the exported file "
            "gets another name",
         zh="{location}：名称 {found} 以点或空格结尾；Windows 会将其去掉，导出后文件名会改变",
         hint_en="Rename it without the trailing dot or space.",
         hint_zh="请去掉名称末尾的点或空格后重命名。"),
    Code(NAME_GB18030, _W, "ZIP APPNOTE Appendix D; GB 18030-2005",
         en="{location}: the name is stored in GB18030, not UTF-8; decoded as GB18030",
         zh="{location}：名称以 GB18030 而非 UTF-8 存储；已按 GB18030 解码",
         hint_en="Create archives with UTF-8 names (7-Zip: -mcu=on; Windows 11 and Bandizip do this by default).",
         hint_zh="请以 UTF-8 文件名生成归档文件（7-Zip 使用 -mcu=on；Windows 11 与 Bandizip 默认如此）。"),
    Code(NAME_ENCODING, _E, "ZIP APPNOTE Appendix D; POSIX.1-2017 pax path",
         en="{location}: the name is neither UTF-8 nor GB18030 (raw bytes {found})",
         zh="{location}：名称既不是 UTF-8 也不是 GB18030 编码（原始字节 {found}）",
         hint_en="Create the archive with UTF-8 file names.",
         hint_zh="请以 UTF-8 文件名生成归档文件。"),
    Code(NO_BAG_ROOT, _E, "RFC 8493 §2.1.1",
         en="{location}: no bagit.txt at the top of the package or of its single top-level folder",
         zh="{location}：信息包顶层及其唯一顶层目录中均没有 bagit.txt",
         hint_en="Package a BagIt bag: bagit.txt at the top, payload under data/.",
         hint_zh="请打包 BagIt bag：顶层有 bagit.txt，内容文件位于 data/ 下。"),
    Code(BAG_ROOT_AMBIGUOUS, _E, "RFC 8493 §2.1.1",
         en="{location}: several folders hold a bagit.txt ({found}); one package must hold one bag",
         zh="{location}：多个目录中有 bagit.txt（{found}）；一个信息包只能包含一个 bag",
         hint_en="Push each bag as its own package.",
         hint_zh="请将每个 bag 作为单独的信息包推送。"),
    Code(EXTRA_FILE, _E, "DA/T 70-2018 4-3",
         en="{location}: file outside the bag (bag root {expected}); the carrier must hold only the package",
         zh="{location}：文件位于 bag 之外（bag 根目录为 {expected}）；载体中只能有信息包",
         hint_en="Remove files that are not part of the bag (e.g. __MACOSX/, Thumbs.db) and re-send.",
         hint_zh="请删除不属于 bag 的文件（如 __MACOSX/、Thumbs.db）后重新发送。"),
    Code(READ_ERROR, _E, "DA/T 70-2018 2-7",
         en="{location}: the file could not be read ({found})",
         zh="{location}：无法读取该文件（{found}）",
         hint_en="Check the file's permissions and the source medium, then push again.",
         hint_zh="请检查文件权限和源介质后重新推送。"),
)

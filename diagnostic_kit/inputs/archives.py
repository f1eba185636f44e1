"""Office files (Word forms, Excel workbooks) are zip archives: checked before they are opened.

A small file can expand to gigabytes when a library opens it (a "zip bomb", or simply a
corrupted archive that declares huge members), and python-docx, calamine and openpyxl read a
member whole. :func:`too_large` reads only the archive's directory and says why a file is
refused: not a zip archive, or members that would expand past a limit far above any real form
or workbook. Nothing is decompressed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

#: A Word audit form is tens of kilobytes; its XML a few hundred at most.
FORM_LIMIT = 50 * 1024 * 1024
#: An Annex A workbook of a large LA is a few megabytes; its sheets' XML tens of megabytes.
WORKBOOK_LIMIT = 500 * 1024 * 1024
#: Why a file that is not a zip archive at all is refused.
NOT_ZIP = "it is not an Office file (not a zip archive)"
#: Compression above this ratio in one member is not what Office writes.
MAX_RATIO = 200


def _size(n: int) -> str:
    return f"{n / 1024 ** 3:.1f} GB" if n >= 1024 ** 3 else f"{n / 1024 ** 2:.0f} MB"


def too_large(path: Path, limit: int) -> str | None:
    """Why the archive at ``path`` should not be opened, or None: it is not a zip archive, it
    expands to more than ``limit`` bytes in all, or a member of it is compressed more than
    :data:`MAX_RATIO` times (and would expand past 10 MB)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        return NOT_ZIP
    total = sum(i.file_size for i in infos)
    if total > limit:
        return f"it would expand to {_size(total)} when opened (more than {_size(limit)})"
    for i in infos:
        if i.file_size > 10 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return (f"its part {i.filename} would expand {i.file_size // max(i.compress_size, 1):,}"
                    f" times, to {_size(i.file_size)}")
    return None

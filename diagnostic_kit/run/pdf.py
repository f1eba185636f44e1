"""``report.pdf``: the report printed to A4 by the system Chromium (``run --pdf``).

The page size, margins and page breaks are the report's own print styles (``report.css``:
``@page { size: A4 }``, each section on a new page, figures unsplit, table headers repeated);
Chromium prints the HTML as a reader's browser would, with no header or footer of its own. It
runs headless and offline: a fresh profile, no first-run, sync, component updates or background
networking, and the report itself asks no other host for anything (its Content-Security-Policy).

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``), or ``$ADOPTION_CHROMIUM``.
Without it :func:`write_pdf` returns one plain sentence instead, and the HTML report stands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Where Chromium is looked for, in order (the first that exists is used).
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
#: Seconds Chromium may take to print one report.
TIMEOUT = 180
#: Offline, quiet, headless: nothing is fetched and nothing of the user's profile is touched.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
)


def find_chromium() -> Path | None:
    """The Chromium to print with: ``$ADOPTION_CHROMIUM`` if set, else Debian's, else None."""
    env = os.environ.get("ADOPTION_CHROMIUM")
    if env:
        return Path(env) if Path(env).exists() else None
    for c in CANDIDATES:
        if Path(c).exists():
            return Path(c)
    found = shutil.which("chromium")
    return Path(found) if found else None


def chromium_command(chromium: Path, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``html`` to ``pdf``."""
    return [str(chromium), *FLAGS, f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}", html.resolve().as_uri()]


def write_pdf(html: Path, pdf: Path | None = None, *, timeout: float = TIMEOUT) -> str | None:
    """Print ``html`` (a report.html) to ``pdf`` (default: ``report.pdf`` beside it).

    Returns None when the PDF was written, else one plain sentence saying why not (no Chromium,
    or Chromium failed); the PDF is written atomically, so a failed print leaves none."""
    html = Path(html)
    pdf = Path(pdf) if pdf else html.with_suffix(".pdf")
    chromium = find_chromium()
    if chromium is None:
        return (f"No PDF was written: Chromium was not found (install Debian's chromium "
                f"package, or set ADOPTION_CHROMIUM); the HTML report is at {html}.")
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="adoption-pdf-") as profile:
        cmd = chromium_command(chromium, html, tmp, Path(profile))
        env = {**os.environ, "HOME": profile}  # nothing written to the user's own home
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tmp.unlink(missing_ok=True)
            return f"No PDF was written: Chromium could not print the report ({exc})."
    if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return (f"No PDF was written: Chromium could not print the report (exit "
                f"{proc.returncode}: {last}).")
    os.replace(tmp, pdf)
    return None

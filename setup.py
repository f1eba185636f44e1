"""Build step for the package: everything else is in pyproject.toml.

The notebooks, the shared defaults and demo params, and the data templates live at the top of the
repository (``notebooks/``, ``params/``, ``data_templates/``), where analysts expect them. A built
package carries copies of them in ``diagnostic_kit/_bundle/``, made here at build time and never
committed (the folder is git-ignored); ``diagnostic_kit/kit_files.py`` prefers the checkout's own
folders and falls back to the bundle in an installed copy. ``MANIFEST.in`` puts the same files in
an sdist, so a wheel built from the sdist carries them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

#: (folder in the repository, file patterns) copied into diagnostic_kit/_bundle/<folder>/.
BUNDLE = [
    ("notebooks", ["[0-9][0-9]_*.ipynb"]),
    ("params", ["defaults.yaml", "demo.yaml", "raa-demo*.yaml"]),
    ("data_templates", ["*.csv", "*.md"]),
    ("docs", ["methodology.md"]),
]


def bundle_files(root: Path = HERE) -> list[tuple[Path, str]]:
    """(source file, path under _bundle/) for every file the package ships from the repo."""
    files: list[tuple[Path, str]] = []
    for folder, patterns in BUNDLE:
        found = sorted({p for pat in patterns for p in (root / folder).glob(pat) if p.is_file()})
        if not found:
            raise SystemExit(f"setup.py: nothing to bundle in {root / folder}")
        files += [(p, f"{folder}/{p.name}") for p in found]
    return files


class build_py_with_bundle(build_py):  # noqa: N801 (setuptools command naming)
    """build_py, then copy the repository's notebooks, params and templates into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        for src, rel in bundle_files():
            dest = Path(self.build_lib) / "diagnostic_kit" / "_bundle" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            base = Path(self.build_lib) / "diagnostic_kit" / "_bundle"
            outputs += [str(base / rel) for _, rel in bundle_files()]
        return outputs


setup(cmdclass={"build_py": build_py_with_bundle})

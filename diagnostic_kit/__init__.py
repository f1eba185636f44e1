"""adoption-diagnostic: measures how well an English LA finds adoptive families for children."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("adoption-diagnostic")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

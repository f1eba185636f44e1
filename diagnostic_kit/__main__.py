"""``python -m diagnostic_kit``: the same as the ``adoption-diagnostic`` command."""

import sys

from diagnostic_kit.run.cli import main

sys.exit(main())

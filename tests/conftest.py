"""Test-wide settings.

Under CI (the ``CI`` environment variable set, as ``.ci/run`` is run), Hypothesis
draws the same examples on every run, so a submission's result does not depend
on luck; runs on a developer's machine keep exploring new examples and print
the blob that reproduces any failure they find.

The authoring tools (``tools/``: the lab launcher, exercise generation,
notebook refresh) are scripts outside the package; tests import them by
name from that folder.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

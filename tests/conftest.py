"""Test-suite settings shared by every test.

In CI (the ``CI`` environment variable is set) hypothesis runs derandomised, so a submission's CI
result does not depend on the luck of the draw; locally each run explores new random examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

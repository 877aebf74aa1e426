"""``python -m minitest``."""

import sys

from minitest.cli import console_main

sys.exit(console_main())

"""``python -m minitest``."""

import sys

from minitest.main import console_main

sys.exit(console_main())

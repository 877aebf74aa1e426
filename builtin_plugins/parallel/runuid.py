"""The id of one distributed run (``testrunuid``, as pytest-xdist's: 32 hex digits of a random
version-4 UUID), made without importing :mod:`uuid`.

``import uuid`` costs ~3 ms of a ``-n`` run's serial start (it imports :mod:`platform` and probes
for the system's uuid library; ``python -X importtime``, 2-core machine under load), and only
``uuid4().hex`` is wanted: 16 random bytes with the version and variant bits set, which is all
``uuid4`` does.
"""

from __future__ import annotations

import os


def new_testrunuid() -> str:
    """What ``uuid.uuid4().hex`` returns."""
    data = bytearray(os.urandom(16))
    data[6] = (data[6] & 0x0F) | 0x40  # version 4
    data[8] = (data[8] & 0x3F) | 0x80  # RFC 4122 variant
    return data.hex()

"""minitest's version (read by the header, ``--version`` and the assertion cache tag)."""

__version__ = "0.1.0"

"""hookgate: one hook executor for AI coding agents."""

__version__ = "0.1.0"

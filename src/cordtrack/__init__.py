"""CordTrack: measured, honest outcomes for regenerative therapy in spinal cord injury."""

from __future__ import annotations

__version__ = "0.1.0"

"""Celery tasks of the register: long batches that the pages follow with a progress bar.

Each task is defined beside the service it runs; this module names them for Celery's autodiscovery.
"""

from .services.rollover import apply_rollover, run_waiting_rollovers

__all__ = ["apply_rollover", "run_waiting_rollovers"]

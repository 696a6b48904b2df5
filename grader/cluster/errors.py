"""What stops a run on a Dask cluster: the coordinator's errors, which the workers raise too."""

from __future__ import annotations


class ClusterError(RuntimeError):
    """The cluster cannot grade this run (unreachable, no workers, a different kit, lost)."""


class KitMismatch(ClusterError):
    """A worker grades with another fingerprint than the coordinator: it must not grade."""

"""View-models: what the plots and the widgets draw, computed from the model.

A view reads a cluster (its trace, its history, its stores) and arranges
what a picture needs: which message was where at a moment, which operations
overlapped, which Merkle hashes differ, which versions descend from which.
It knows nothing of matplotlib or ipywidgets, so the same view feeds a plot,
a widget and a text rendering, and tests check it without drawing anything.

===========================  ===============================================
:mod:`.message_timeline`     every message's life and the cluster at any
                             moment: message diagrams and replays
:mod:`.history_timeline`     client operations as bars on a time line
:mod:`.merkle_comparison`    two replicas' Merkle trees over one range, and
                             where they differ
:mod:`.version_graph`        the versions of one key and how they descend
===========================  ===============================================
"""

__all__: list[str] = []

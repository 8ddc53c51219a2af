"""The Dynamo shopping cart: always writable, merged on read.

A cart is stored under one key. Adding or removing an item is a
read-modify-write through the cluster: read the cart (perhaps several
siblings), merge the siblings into one cart, change it, and write it back
with the read's context so that the write replaces what was read.

How siblings merge is the whole story:

``"union"`` (the paper's cart)
    the merged cart holds every item in any sibling. An add is never lost,
    but a remove made on one side of a partition is undone when the other
    side's sibling, which still holds the item, is merged back.
``"orset"``
    the cart is an observed-remove set (:class:`dynamo_lab.crdt.ORSet`): a
    remove deletes exactly the additions it saw, so it survives the merge,
    while an add it did not see survives too.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=1)
>>> cart = Cart(cluster, "cart:alice")
>>> cart.add("book").ok and cart.add("pen").ok and cart.remove("book").ok
True
>>> cart.items()
['pen']
"""

from __future__ import annotations

from typing import Any

__all__ = ["Cart", "MERGES"]

MERGES = ("union", "orset")


class Cart:
    """A shopping cart under ``key``, changed by read-modify-write.

    Parameters
    ----------
    cluster : Cluster
    key : str
    merge : "union" or "orset"
        How siblings are merged on read (see the module docstring).
    coordinator : str, optional
        Send every operation through this node (e.g. to stay on one side
        of a partition).
    client : str
        The client (process) name recorded in the history.
    """

    def __init__(self, cluster, key: str, merge: str = "union", *, coordinator: str | None = None,
                 client: str = "shopper"):
        if merge not in MERGES:
            raise ValueError(f"merge={merge!r} is not allowed; choose one of {MERGES}")
        self.cluster = cluster
        self.key = key
        self.merge = merge
        self.coordinator = coordinator
        self.client = cluster.client(client)
        self.versions_seen: list[int] = []  # siblings each read returned

    # -- reading ----------------------------------------------------------------
    def _read(self):
        result = self.client.get(self.key, coordinator=self.coordinator)
        if result.ok:
            self.versions_seen.append(max(1, len(result.values)))
        return result

    def _merged(self, values: list) -> Any:
        if self.merge == "union":
            return frozenset().union(*values) if values else frozenset()
        from ..crdt import ORSet, merge_all

        return merge_all(values) if values else ORSet()

    def items(self) -> list:
        """The cart's items after merging whatever siblings a read returns."""
        result = self._read()
        if not result.ok:
            raise ValueError(f"could not read the cart: {result.error}")
        merged = self._merged(result.values)
        return sorted(merged if self.merge == "union" else merged.value)

    # -- changing -----------------------------------------------------------------
    def _change(self, item, adding: bool):
        read = self._read()
        if not read.ok:
            return read
        cart = self._merged(read.values)
        if self.merge == "union":
            cart = cart | {item} if adding else cart - {item}
        else:
            if adding:
                # A tag unique to this add: the client's name and the read's size
                # of history keep it distinct from every other add.
                tag = (self.client.name, len(self.cluster.history))
                cart = cart.add(item, tag)
            else:
                cart = cart.remove(item)
        return self.client.put(self.key, cart, context=read.context,
                               coordinator=self.coordinator)

    def add(self, item):
        """Add ``item``; returns the write's result."""
        return self._change(item, True)

    def remove(self, item):
        """Remove ``item``; returns the write's result."""
        return self._change(item, False)

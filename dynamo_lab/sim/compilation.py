"""What the optional compiled build needs written into the source.

``make compiled`` compiles the hot modules with mypyc (see
``benchmarks/compiled.py``). A compiled class refuses subclasses written in
plain Python unless it is marked with ``mypyc_attr(allow_interpreted_subclasses=True)``.
The system base class carries that mark, because the leader-based topologies
subclass it. Nodes and coordinators do not: the mark makes every call
between their methods slower in the compiled build (about 5% of its throughput
when it was tried), and that build is for long studies of the default
protocol; replicas and coordinators of one's own run on the interpreted
package. Where mypy is not installed (Binder), the mark is a stand-in that
changes nothing.

>>> @mypyc_attr(allow_interpreted_subclasses=True)
... class Base:
...     pass
>>> class Mine(Base):
...     pass
"""

__all__ = ["mypyc_attr"]

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # pragma: no cover - mypy_extensions comes with mypy
    def mypyc_attr(*attrs: str, **kwattrs: object):  # type: ignore[misc]
        """Stand-in for mypyc's class decorator: returns the class unchanged."""
        return lambda cls: cls

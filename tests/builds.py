"""Which build of the package the tests run on, and marks for what differs.

``make test`` runs the interpreted package; ``benchmarks/compiled.py --test``
runs the same tests on a copy whose hot modules mypyc compiled. A handful
check behaviour only the interpreted package has, and are skipped there.
"""

import pytest

import dynamo_lab.sim.kernel

#: True when the package under test is the mypyc-compiled build.
COMPILED = not dynamo_lab.sim.kernel.__file__.endswith(".py")

#: For a test that passes an argument of the wrong type (a float seed, a
#: number as a key). The compiled functions check their arguments' declared
#: types themselves, and refuse one with a TypeError ("int object expected;
#: got float") before the package's own check can raise its ValueError.
WRONG_TYPE = pytest.mark.skipif(
    COMPILED, reason="compiled: a wrong-typed argument raises mypyc's TypeError")

#: For a test that copies a whole system: compiled classes cannot be copied.
COPIES_A_SYSTEM = pytest.mark.skipif(
    COMPILED, reason="compiled: a compiled system cannot be deep-copied")

#: For a test that plugs a replica or coordinator class of its own into a
#: cluster: in the compiled build no Python class can subclass a compiled
#: one, and a cluster refuses other classes with a ValueError that says so.
PLUGS_IN_CLASSES = pytest.mark.skipif(
    COMPILED, reason="compiled: replica and coordinator classes of one's own need the "
                     "interpreted package")

#: For a test that gives a system an attribute of its own (a broken method, say):
#: compiled instances have no ``__dict__`` to take one.
PATCHES_A_SYSTEM = pytest.mark.skipif(
    COMPILED, reason="compiled: a compiled system takes no attributes of its own")

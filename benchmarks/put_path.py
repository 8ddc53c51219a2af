"""How far one put travels through the package: calls, files, and moves between files.

A synchronous ``cluster.put`` runs from the client through the coordinator,
the versions, the network, the kernel and the replicas until the client
has its answer. This script records every Python function call the put
makes into ``dynamo_lab`` (with ``sys.setprofile``) and counts:

- *calls*: function calls into the package, comprehensions and lambdas
  included (each is a frame in CPython 3.11), and the same without them;
- *files*: the package files those calls run in;
- *moves*: calls whose callee lives in another file than its caller: how
  often a reader following the put must switch files.

Two puts, on a five-node cluster with N = 3, R = W = 2 and 20 keys already
written: a read-modify-write (a put carrying the context of a get of the
same key, the usual case) and a blind put of a new key.

    .venv/bin/python benchmarks/put_path.py [-v]

``-v`` lists the moves of the read-modify-write, caller file -> callee.
"""

import os
import sys

import dynamo_lab as dl

PACKAGE = os.path.dirname(dl.__file__)
GENERATED = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>")


def trace_calls(action) -> list[tuple[str, str, str]]:
    """(caller file, callee file, callee name) for each call ``action`` makes into the package."""
    calls = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(PACKAGE):
            caller = frame.f_back.f_code.co_filename if frame.f_back else ""
            calls.append((caller, frame.f_code.co_filename, frame.f_code.co_name))

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def summary(calls) -> dict:
    return {"calls": len(calls),
            "calls without comprehensions and lambdas":
                sum(name not in GENERATED for _, _, name in calls),
            "files": len({callee for _, callee, _ in calls}),
            "moves between files": sum(caller != callee for caller, callee, _ in calls)}


def warmed_cluster() -> dl.Cluster:
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    for i in range(20):
        cluster.put(f"k{i}", i)
    cluster.run_until_idle()
    return cluster


def read_modify_write():
    cluster = warmed_cluster()
    context = cluster.get("k3").context
    cluster.run_until_idle()
    return trace_calls(lambda: cluster.put("k3", "v", context=context))


def new_key():
    cluster = warmed_cluster()
    return trace_calls(lambda: cluster.put("fresh", "v"))


def main(argv: list[str]) -> None:
    for label, calls in [("read-modify-write (put with a get's context)", read_modify_write()),
                         ("put of a new key", new_key())]:
        figures = summary(calls)
        print(f"{label}:")
        for name, value in figures.items():
            print(f"  {name:44} {value:4d}")
    if "-v" in argv:
        print("\nmoves of the read-modify-write:")
        for caller, callee, name in read_modify_write():
            if caller != callee:
                print(f"  {os.path.relpath(caller, PACKAGE):28} -> "
                      f"{os.path.relpath(callee, PACKAGE):28} {name}")


if __name__ == "__main__":
    main(sys.argv[1:])

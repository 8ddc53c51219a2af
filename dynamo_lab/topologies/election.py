"""Leader election for the single-leader topology: suspicion, pre-vote, vote, promotion.

A follower that hears no leader for ``failover_timeout_ms`` *suspects* it,
waits a random part of a heartbeat interval (so that followers who noticed
together do not split the vote), and *canvasses*: it asks the others whether
they would vote for it in the next epoch (Raft's pre-vote), so that a node
cut off by a partition cannot push the epoch up and depose a healthy leader
when it returns. With a majority of yeses it *stands* in a new epoch, asks
for votes, and once a majority (itself included) has voted for it, it
promotes one voter by the topology's promotion rule (:func:`promoted`).

:class:`LeaderElection` is that half of a replica's behaviour, mixed into
the single-leader replica, which supplies the log and the other half (see
:mod:`dynamo_lab.topologies.single_leader`).

Examples
--------
>>> import random
>>> votes = {"A": (2, 10), "B": (2, 14), "C": (1, 20)}   # name: (last epoch, log length)
>>> promoted("most_up_to_date", "A", votes, ["A", "B", "C"], random.Random(0))
'B'
>>> promoted("first_detector", "A", votes, ["A", "B", "C"], random.Random(0))
'A'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import random

    from ..sim.network import Message

__all__ = ["LeaderElection", "EpochReply", "promoted", "PROMOTION_RULES"]

#: Accepted values of ``promotion``: whom a successful candidate promotes.
PROMOTION_RULES = ("most_up_to_date", "first_detector", "random")


def promoted(rule: str, candidate: str, votes: dict[str, tuple[int, int]], nodes,
             rng: "random.Random") -> str:
    """The voter a successful ``candidate`` promotes, by the promotion ``rule``.

    ``votes`` maps each voter to (the epoch of its last log entry, its log
    length). ``"most_up_to_date"`` takes the longest log of the newest epoch;
    on a tie it keeps the candidate (no extra message), then the first node
    in ``nodes`` order. ``"first_detector"`` promotes the candidate itself and
    ``"random"`` any voter, which is how a careless failover script loses
    writes.
    """
    if rule == "first_detector":
        return candidate
    if rule == "random":
        return rng.choice(sorted(votes))
    order = {name: i for i, name in enumerate(nodes)}
    return max(votes, key=lambda n: (*votes[n], n == candidate, -order[n]))


class EpochReply:
    """Payload of votes, vote requests and promotions, and of the log's acks,
    nacks and rejections: every message that carries only an epoch and a position."""

    __slots__ = ("epoch", "position", "granted", "last_epoch", "voters")

    def __init__(self, epoch: int, position: int = 0, granted: bool = False,
                 last_epoch: int = 0, voters: tuple = ()):
        self.epoch = epoch
        self.position = position      # match index, back-up hint, or log length
        self.granted = granted
        self.last_epoch = last_epoch
        self.voters = voters


class LeaderElection:
    """The election half of a single-leader replica.

    The replica it is mixed into keeps the state and supplies the rest:
    ``name``, ``system`` (the topology: ``sim``, ``nodes``, ``majority``,
    ``failover_timeout_ms``, ``heartbeat_interval_ms``, ``promotion``,
    ``_log``), ``epoch``, ``voted_for``, ``role``, ``leader``, ``log``,
    ``last_epoch``, ``incarnation``, ``leader_contact``, ``votes``,
    ``prevotes``, ``canvass_epoch`` and the election timer ``_timer``, and the
    methods ``_live``, ``_send``, ``_others``, ``_adopt`` and
    ``become_leader``.
    """

    def _reset_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.system.sim.schedule_daemon(self.system.failover_timeout_ms,
                                                      self._on_silence, self.incarnation)

    def _on_silence(self, incarnation: int) -> None:
        if not self._live(incarnation) or self.role == "leader":
            return
        system = self.system
        who = self.leader or "any leader"
        system._log("suspect", self.name, f"no heartbeat from {who} for "
                    f"{system.failover_timeout_ms:g} ms")
        self._pause_then_canvass(incarnation)

    def _pause_then_canvass(self, incarnation: int) -> None:
        # A random pause so that followers that noticed together do not all
        # stand at once and split the vote (Raft's randomised time-out).
        pause = self.system.sim.rng.uniform(0.0, self.system.heartbeat_interval_ms)
        self._timer = self.system.sim.schedule_daemon(pause, self._canvass, incarnation,
                                                      self.epoch)

    def _retry(self, incarnation: int, epoch: int) -> None:
        # No majority within a heartbeat interval (a split vote, or too few
        # nodes reachable): try again after another random pause.
        if self._live(incarnation) and self.role != "leader" and self.epoch == epoch:
            self._pause_then_canvass(incarnation)

    def _canvass(self, incarnation: int, epoch: int) -> None:
        """Ask whether the others *would* vote, before changing any epoch (Raft's pre-vote).

        Without this round a node cut off by a partition would stand again and
        again, raising its epoch each time, and on rejoining would depose a
        healthy leader with it.
        """
        # (A vote granted or a leader heard during the pause cancels this timer.)
        if not self._live(incarnation) or self.role == "leader" or self.epoch != epoch:
            return
        self.canvass_epoch = self.epoch + 1
        self.prevotes = {self.name}
        for other in self._others():
            self._send(other, "prevote_req", EpochReply(self.canvass_epoch))
        self._timer = self.system.sim.schedule_daemon(self.system.heartbeat_interval_ms,
                                                      self._retry, incarnation, self.epoch)
        self._count_prevotes()

    def _on_prevote_req(self, msg: "Message") -> None:
        # Yes, unless this node is the leader or has heard one lately: a
        # healthy leader sends something every heartbeat interval.
        recent = self.system.sim.now - self.leader_contact < 2 * self.system.heartbeat_interval_ms
        granted = msg.payload.epoch > self.epoch and self.role != "leader" and not recent
        self._send(msg.src, "prevote", EpochReply(msg.payload.epoch, granted=granted))

    def _on_prevote(self, msg: "Message") -> None:
        reply = msg.payload
        if (reply.granted and self.role != "leader" and reply.epoch == self.canvass_epoch
                and self.canvass_epoch == self.epoch + 1):
            self.prevotes.add(msg.src)
            self._count_prevotes()

    def _count_prevotes(self) -> None:
        if len(self.prevotes) >= self.system.majority:
            self.canvass_epoch = 0
            self._stand()

    def _stand(self) -> None:
        system = self.system
        self.epoch += 1
        self.voted_for = self.name
        self.role = "candidate"
        self.leader = None
        self.votes = {self.name: (self.last_epoch, len(self.log))}
        system._log("candidate", self.name, f"asks for votes in epoch {self.epoch}")
        for other in self._others():
            self._send(other, "vote_req", EpochReply(self.epoch, len(self.log),
                                                 last_epoch=self.last_epoch))
        if self._timer is not None:
            self._timer.cancel()
        self._timer = system.sim.schedule_daemon(system.heartbeat_interval_ms, self._retry,
                                                 self.incarnation, self.epoch)
        self._tally()

    def _on_vote_req(self, msg: "Message") -> None:
        req = msg.payload
        if req.epoch > self.epoch:
            self._adopt(req.epoch, f"{msg.src} stands in epoch {req.epoch}")
        granted = (req.epoch == self.epoch and self.role == "follower"
                   and self.voted_for in (None, msg.src))
        if granted:
            self.voted_for = msg.src
            self._reset_timer()  # give the election time to finish
        self._send(msg.src, "vote", EpochReply(self.epoch, len(self.log), granted, self.last_epoch))

    def _on_vote(self, msg: "Message") -> None:
        vote = msg.payload
        if vote.epoch > self.epoch:
            self._adopt(vote.epoch, f"{msg.src} is in epoch {vote.epoch}")
            return
        if self.role != "candidate" or vote.epoch != self.epoch or not vote.granted:
            return
        self.votes[msg.src] = (vote.last_epoch, vote.position)
        self._tally()

    def _tally(self) -> None:
        system = self.system
        if len(self.votes) < system.majority:
            return
        chosen = promoted(system.promotion, self.name, self.votes, system.nodes, system.sim.rng)
        last_epoch, length = self.votes[chosen]
        voters = tuple(self.votes)
        system._log("elect", self.name, f"epoch {self.epoch}: votes from {', '.join(voters)}; "
                    f"promotes {chosen} ({system.promotion}: {length} entries, last from "
                    f"epoch {last_epoch})")
        if chosen == self.name:
            self.become_leader(voters)
            return
        self.role = "follower"
        self._reset_timer()
        self._send(chosen, "promote", EpochReply(self.epoch, voters=voters))

    def _on_promote(self, msg: "Message") -> None:
        if msg.payload.epoch == self.epoch and self.role != "leader":
            self.become_leader(msg.payload.voters)

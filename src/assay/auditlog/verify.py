"""Walking an organization's audit chain: the first entry that was altered, removed or
reordered, if any (``assay audit verify``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.auditlog import repository
from assay.auditlog.chain import GENESIS, at_text, canonical, entry_hash, entry_id


@dataclass(frozen=True)
class Break:
    """The first place the chain is not as it was written."""

    entry_id: str
    seq: int
    problem: str  # altered | removed | reordered | unanchored
    message: str


@dataclass(frozen=True)
class Verdict:
    entries: int
    head_seq: int
    head_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _break(seq: int, problem: str, message: str) -> Break:
    return Break(entry_id(seq), seq, problem, f"entry {entry_id(seq)} (seq {seq}) {message}")


def verify_chain(session: Session, org_id: str,
                 anchor: tuple[int, str] | None = None) -> Verdict:
    """Check every entry in ``seq`` order: its seq follows the last one (else the missing
    entry was removed), its ``prev_hash`` is the last one's hash (else it was moved, or the
    one before it altered and re-hashed), its ``hash`` is that of its own content (else it
    was altered); then that the stored head is the last entry (else the tail was removed).

    ``anchor`` is a ``(seq, hash)`` the verifier kept from earlier (``GET /v1/audit`` or a
    previous verify): the entry at that seq must still carry that hash, which detects a
    chain rewritten from scratch by someone with write access to the database."""
    prev_hash, expected, count = GENESIS, 1, 0
    anchored = anchor is None
    for row in repository.iter_chain(session, org_id):
        seq = int(row.seq)
        if seq != expected:
            if seq > expected:
                gap = f"seq {expected}" if seq == expected + 1 else \
                    f"seq {expected} to {seq - 1}"
                return Verdict(count, expected - 1, prev_hash, _break(
                    expected, "removed", f"was removed: the chain goes from seq "
                    f"{expected - 1} to {seq} ({gap} missing)"))
            return Verdict(count, expected - 1, prev_hash, _break(
                seq, "reordered", f"is out of place: seq {seq} after seq {expected - 1}"))
        own = entry_hash(row.prev_hash, canonical(
            org_id, seq, at_text(row.at), row.actor_type, row.actor_id, row.action,
            row.object, row.ip))
        if row.prev_hash != prev_hash:
            what = "was moved here from elsewhere in the chain" if own != row.hash else \
                f"does not follow entry {entry_id(seq - 1)}: that one was altered and " \
                "re-hashed, or this one moved"
            return Verdict(count, seq - 1, prev_hash, _break(seq, "reordered", what))
        if own != row.hash:
            return Verdict(count, seq - 1, prev_hash, _break(
                seq, "altered", "was altered: its hash does not match its content"))
        if anchor is not None and seq == anchor[0]:
            if row.hash != anchor[1]:
                return Verdict(count, seq - 1, prev_hash, _break(
                    seq, "unanchored", "does not carry the anchored hash: the chain was "
                    "rewritten at or before it"))
            anchored = True
        prev_hash, expected, count = row.hash, expected + 1, count + 1
    last = expected - 1
    if not anchored and anchor is not None:
        return Verdict(count, last, prev_hash, _break(
            anchor[0], "removed", "was removed: the anchored entry is not in the chain"))
    head = repository.get_head(session, org_id)
    head_seq, head_hash = (int(head.seq), str(head.hash)) if head is not None \
        else (0, GENESIS)
    if head_seq > last:
        return Verdict(count, last, prev_hash, _break(
            last + 1, "removed", f"was removed: the chain ends at seq {last} but its head "
            f"is seq {head_seq}"))
    if head_seq < last:
        return Verdict(count, last, prev_hash, _break(
            head_seq + 1, "altered", f"is past the chain's head (seq {head_seq}): entries "
            "were appended, or the head changed, outside Assay"))
    if head_hash != prev_hash:
        return Verdict(count, last, prev_hash, _break(
            last, "altered", "does not carry the hash its chain's head holds"))
    return Verdict(count, last, prev_hash, None)

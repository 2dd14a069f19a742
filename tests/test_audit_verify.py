"""`assay audit verify` names the first entry of an organization's audit chain that was
altered, removed or reordered in the database, and exits 0 on an intact chain (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from assay.accounts import service as accounts
from assay.auditlog.chain import entry_id
from assay.auditlog.service import OPERATOR, Actor, record
from assay.cli import main
from assay.db.engine import Database

N = 6


def _org_with_entries(db: Database, n: int = N) -> str:
    org_id = db.write(lambda s: accounts.create_org(s, "Chained")).org_id
    for i in range(n):
        who = OPERATOR if i % 2 else Actor("key", "key_0123")
        db.write(lambda s, i=i, who=who: record(s, who, f"task.read{'' if i % 3 else '_x'}",
                                                f"tsk_{i:024x}", org_id=org_id))
    return org_id


def _verify(db_url: str, org_id: str, *extra: str,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["audit", "verify", "--org", org_id, "--db", db_url, "--json", *extra])
    out = capsys.readouterr().out.strip().splitlines()[-1]
    return code, json.loads(out)


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_intact_chain_verifies(db: Database, db_url: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    org_id = _org_with_entries(db)
    code, out = _verify(db_url, org_id, capsys=capsys)
    assert code == 0, out
    assert out["intact"] is True and out["entries"] == N and out["head_seq"] == N
    anchor = f"{N}:{out['head_hash']}"
    assert _verify(db_url, org_id, "--anchor", anchor, capsys=capsys)[0] == 0


def test_an_edited_entry_is_named(db: Database, db_url: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    org_id = _org_with_entries(db)
    _sql(db, "UPDATE audit_log SET action = 'task.cancel' WHERE org_id = :o AND seq = 3",
         o=org_id)
    code, out = _verify(db_url, org_id, capsys=capsys)
    assert code == 1
    message = str(out["error"]["message"])  # type: ignore[index]
    assert entry_id(3) in message and "altered" in message, message
    assert entry_id(4) not in message


@pytest.mark.parametrize("seq", [2, N])
def test_a_deleted_entry_is_named(db: Database, db_url: str, seq: int,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    org_id = _org_with_entries(db)
    _sql(db, "DELETE FROM audit_log WHERE org_id = :o AND seq = :s", o=org_id, s=seq)
    code, out = _verify(db_url, org_id, capsys=capsys)
    assert code == 1
    message = str(out["error"]["message"])  # type: ignore[index]
    assert entry_id(seq) in message and "removed" in message, message


def test_two_swapped_entries_are_named(db: Database, db_url: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Entries 2 and 5 trade places: every column but their seq is exchanged (their
    content, hashes and all), which is what reordering rows under a fixed sequence does."""
    org_id = _org_with_entries(db)
    columns = ("at", "actor_type", "actor_id", "action", "object", "ip", "prev_hash", "hash")
    with db.engine.begin() as conn:
        rows = {r.seq: r for r in conn.execute(text(
            f"SELECT seq, {', '.join(columns)} FROM audit_log WHERE org_id = :o "
            "AND seq IN (2, 5)"), {"o": org_id})}
        for seq, other in ((2, 5), (5, 2)):
            conn.execute(text(
                f"UPDATE audit_log SET {', '.join(f'{c} = :{c}' for c in columns)} "
                "WHERE org_id = :o AND seq = :s"),
                {**{c: getattr(rows[other], c) for c in columns}, "o": org_id, "s": seq})
    code, out = _verify(db_url, org_id, capsys=capsys)
    assert code == 1
    message = str(out["error"]["message"])  # type: ignore[index]
    assert entry_id(2) in message and "moved" in message, message


def test_entries_moved_by_their_seq_are_named(db: Database, db_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The other way to swap two rows: exchange their seq, everything else in place."""
    org_id = _org_with_entries(db)
    with db.engine.begin() as conn:
        for old, new in ((3, -3), (4, 3), (-3, 4)):
            conn.execute(text("UPDATE audit_log SET seq = :n WHERE org_id = :o AND seq = :s"),
                         {"n": new, "o": org_id, "s": old})
    code, out = _verify(db_url, org_id, capsys=capsys)
    assert code == 1
    message = str(out["error"]["message"])  # type: ignore[index]
    assert entry_id(3) in message, message


def test_a_rewritten_chain_fails_its_anchor(db: Database, db_url: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Someone with write access recomputes every hash after an edit: the chain is
    consistent again, and only a hash kept from before shows it."""
    org_id = _org_with_entries(db, 3)
    _, before = _verify(db_url, org_id, capsys=capsys)
    anchor = f"3:{before['head_hash']}"
    other = _org_with_entries(db, 3)  # a chain of the same shape, written elsewhere
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE org_id = :o"), {"o": org_id})
        conn.execute(text("DELETE FROM audit_heads WHERE org_id = :o"), {"o": org_id})
    for i in range(3):
        db.write(lambda s, i=i: record(s, OPERATOR, "task.read", f"tsk_{i:024x}",
                                       org_id=org_id))
    assert _verify(db_url, org_id, capsys=capsys)[0] == 0
    code, out = _verify(db_url, org_id, "--anchor", anchor, capsys=capsys)
    assert code == 1
    assert entry_id(3) in str(out["error"]["message"])  # type: ignore[index]
    assert _verify(db_url, other, capsys=capsys)[0] == 0


def test_bad_usage_exits_2(db: Database, db_url: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _verify(db_url, "org_00000000000000000000000a", capsys=capsys)[0] == 2
    org_id = _org_with_entries(db, 1)
    assert _verify(db_url, org_id, "--anchor", "x:y", capsys=capsys)[0] == 2

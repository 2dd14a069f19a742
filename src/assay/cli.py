"""The ``assay`` command. Exit status: 0 success, 2 bad input or usage, 1 otherwise."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assay import __version__
from assay.aggregate import AGGREGATE_METHODS
from assay.crypto.errors import KeyFileError, KeyUnavailable
from assay.errors import AssayError, InvalidInput, NotFound
from assay.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class CommandError(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(database_url=getattr(args, "db", None))


def _database(args: argparse.Namespace) -> Any:
    """The command's database, with the features wired (every command that reaches a
    service opens its database here)."""
    from assay import wiring
    from assay.db.engine import Database
    from assay.db.migrate import upgrade

    wiring.install()

    settings = _settings(args)
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)
    return Database(settings.database_url)


def _emit(args: argparse.Namespace, payload: dict[str, Any], sentence: str) -> None:
    print(json.dumps(payload) if getattr(args, "json", False) else sentence)


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from assay import crypto
    from assay.db.migrate import upgrade

    crypto.install()  # encrypting an older database's plaintext needs the master key
    settings = _settings(args)
    upgrade(settings.database_url)
    _emit(args, {"status": "ok"}, "The database schema is current.")


def cmd_db_backup(args: argparse.Namespace) -> None:
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from assay.db.backup import BackupError, backup
    from assay.db.engine import Database, normalize_url

    settings = _settings(args)
    url = normalize_url(settings.database_url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if not path or not Path(path).is_file():
            raise InvalidInput(f"no SQLite database at {path!r}")
    target = Path(args.file)
    if not target.parent.is_dir():
        raise InvalidInput(f"{args.file}: no such folder {str(target.parent)!r}")
    db = Database(settings.database_url)
    try:
        summary = backup(db, target)
    except BackupError as exc:
        raise CommandError(str(exc), exc.status) from exc
    except SQLAlchemyError as exc:
        raise CommandError(f"database error: {getattr(exc, 'orig', None) or exc}") from exc
    finally:
        db.dispose()
    _emit(args, {"status": "ok", "file": args.file, "schema": summary.schema,
                 "rows": summary.rows, "total": summary.total,
                 "bytes": target.stat().st_size},
          f"Backed up {summary.total} rows in {len(summary.rows)} tables to {args.file}.")


def cmd_db_vacuum(args: argparse.Namespace) -> None:
    from assay.db.vacuum import vacuum

    db = _database(args)
    try:
        ran = vacuum(db)
    finally:
        db.dispose()
    _emit(args, {"status": "ok", "ran": ran}, f"Vacuumed: {ran}.")


def cmd_worker_erase(args: argparse.Namespace) -> None:
    from assay.clock import utcnow
    from assay.work.personal_data import erase_worker

    db = _database(args)
    done = db.write(lambda s: erase_worker(s, args.worker_id, utcnow()))
    _emit(args, done, f"Worker {args.worker_id}'s personal data is erased; their answers "
          "and ledger entries stay under the id.")


def cmd_db_restore(args: argparse.Namespace) -> None:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from assay import crypto
    from assay.db.backup import BackupError, restore

    crypto.install()  # the restored data keys must unwrap with this master key
    settings = _settings(args)
    try:
        summary = restore(settings.database_url, Path(args.file), force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc), exc.status) from exc
    except SQLAlchemyError as exc:
        raise CommandError(f"database error: {getattr(exc, 'orig', None) or exc}") from exc
    _emit(args, {"status": "ok", "file": args.file, "schema": summary.schema,
                 "rows": summary.rows, "total": summary.total},
          f"Restored {summary.total} rows in {len(summary.rows)} tables from {args.file}.")


def cmd_serve(args: argparse.Namespace) -> None:
    from assay.server import PortInUse, SchemaNotCurrent, serve

    if args.workers < 1:
        raise InvalidInput("--workers must be at least 1")
    from assay import crypto

    crypto.active_keyring().master()  # a bad master key stops the start, with its reason
    settings = Settings.from_env(database_url=getattr(args, "db", None),
                                 run_jobs=False if args.no_jobs else None)
    try:
        serve(settings, args.host, args.port, args.workers)
    except (PortInUse, SchemaNotCurrent) as exc:
        raise CommandError(str(exc)) from exc


def cmd_jobs(args: argparse.Namespace) -> None:
    from assay import wiring
    from assay.background import run_jobs
    from assay.server import SchemaNotCurrent, configure_logging, prepare_database

    wiring.install()
    configure_logging(_settings(args).log_format)
    try:
        db = prepare_database(_settings(args))
    except SchemaNotCurrent as exc:
        raise CommandError(str(exc)) from exc
    try:
        run_jobs(db, _settings(args))
    finally:
        db.dispose()


def _operator_did(session: Any, action: str, object_id: str, org_id: str | None) -> None:
    """Put a change made from the command line on its organization's audit log."""
    from assay.auditlog.service import OPERATOR, record

    if org_id is not None:
        record(session, OPERATOR, action, object_id, org_id=org_id)


def cmd_org_create(args: argparse.Namespace) -> None:
    from assay.accounts import service

    def create(s: Any) -> Any:
        created = service.create_org(s, args.name)
        _operator_did(s, "org.create", created.org_id, created.org_id)
        return created

    db = _database(args)
    created = db.write(create)
    _emit(args, {"org_id": created.org_id, "api_key": created.api_key,
                 "webhook_secret": created.webhook_secret},
          f"Created organization {created.org_id}.\nAPI key (shown once): {created.api_key}\n"
          f"Webhook secret: {created.webhook_secret}")


def _operator_note(action: str) -> Callable[[Session, str], object]:
    """An audit entry by the operator about the organization, in the command's transaction."""
    from assay.auditlog import service as auditlog

    return lambda session, org_id: auditlog.record(session, auditlog.OPERATOR, action, org_id,
                                                   org_id=org_id)


def cmd_org_key_set(args: argparse.Namespace) -> None:
    from assay.crypto import commands

    key_id = commands.set_customer_key(_database(args), args.org_id, args.key_file,
                                       _operator_note("org_key.set"))
    _emit(args, {"org_id": args.org_id, "wrapped_by": "customer", "key_id": key_id},
          f"The data key of {args.org_id} is now wrapped by the key in {args.key_file} "
          f"({key_id}); the server reads that file, so keep it there and readable.")


def cmd_org_key_rotate(args: argparse.Namespace) -> None:
    from assay.crypto import commands

    if (args.org_id is None) == (not args.all):
        raise InvalidInput("give an organization id or --all")
    done = commands.rotate(_database(args), args.org_id, _operator_note("org_key.rotate"))
    _emit(args, {"rotated": done}, f"Re-wrapped {len(done)} data key(s).")


def cmd_org_shred(args: argparse.Namespace) -> None:
    from assay.crypto import commands

    if not args.yes:
        if not sys.stdin.isatty():
            raise InvalidInput("refusing to shred without --yes (stdin is not a terminal)")
        typed = input(f"Shredding {args.org_id} makes all its content unreadable for good, "
                      "backups included. Type the organization id to confirm: ")
        if typed.strip() != args.org_id:
            raise InvalidInput("not confirmed: nothing was shredded")
    commands.shred(_database(args), args.org_id, _operator_note("org.shred"))
    _emit(args, {"org_id": args.org_id, "shredded": True},
          f"Shredded the data key of {args.org_id}: its content is erased.")


def cmd_worker_create(args: argparse.Namespace) -> None:
    from assay.accounts import service

    db = _database(args)
    def create(s: Any) -> tuple[str, str]:
        made = service.create_worker(s, args.email, args.org, args.password)
        _operator_did(s, "worker.create", made[0], args.org)
        return made

    worker_id, token = db.write(create)
    team = f"the private team of {args.org}" if args.org else "the shared crowd"
    _emit(args, {"worker_id": worker_id, "token": token},
          f"Created worker {worker_id} in {team}.\nToken (shown once): {token}")


def cmd_user_create(args: argparse.Namespace) -> None:
    from assay.accounts import service

    db = _database(args)
    def create(s: Any) -> str:
        made = service.create_user(s, args.email, args.org, args.password, args.role)
        _operator_did(s, "user.create", made, args.org)
        return made

    user_id = db.write(create)
    _emit(args, {"user_id": user_id, "org_id": args.org, "role": args.role},
          f"Created {args.role} {user_id} in {args.org}; they sign in at /login.")


def cmd_export(args: argparse.Namespace) -> None:
    from assay.transfer import export_to

    db = _database(args)
    count = export_to(db, args.project, args.format, args.out, args.include_responses,
                      args.parquet)
    if args.out:
        what = "tasks" if args.format in ("jsonl", "csv") else f"{args.format} rows"
        _emit(args, {"exported": count, "out": args.out},
              f"Exported {count} {what} to {args.out}.")


def cmd_import(args: argparse.Namespace) -> None:
    from assay.transfer import import_file

    db = _database(args)
    summary = import_file(db, args.file, args.project, partial=args.partial,
                          progress=not args.json)
    _emit(args, summary, f"Imported {summary['created']} tasks "
          f"({len(summary['duplicates'])} duplicates, {len(summary['errors'])} errors).")


def cmd_aggregate(args: argparse.Namespace) -> None:
    from assay.aggregate import aggregate_csv

    n = aggregate_csv(args.answers, args.method, args.out)
    if args.out:
        print(f"Wrote {n} tasks to {args.out}.", file=sys.stderr)


def cmd_leaderboard(args: argparse.Namespace) -> None:
    from assay.leaderboard_csv import leaderboard_csv

    n = leaderboard_csv(args.battles, args.bootstrap, args.seed, args.out)
    if args.out:
        print(f"Wrote {n} models to {args.out}.", file=sys.stderr)


def cmd_dedup(args: argparse.Namespace) -> None:
    from assay.dedup import dedup_jsonl, reuse_freed_memory

    reuse_freed_memory()
    docs, pairs = dedup_jsonl(args.docs, args.field, args.threshold, args.out)
    if args.out:
        print(f"Wrote {pairs} pairs of {docs} documents to {args.out}.", file=sys.stderr)


def cmd_payouts_create(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from assay.clock import utcnow
    from assay.ledger.service import create_payout, write_payout_files

    try:
        until = datetime.fromisoformat(args.until.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"--until: {args.until!r} is not a date (YYYY-MM-DD)") from exc
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    db = _database(args)
    batch = db.write(lambda s: create_payout(s, until, utcnow(), args.org))
    csv_path, json_path = write_payout_files(batch, args.out)
    total = len(batch["lines"])
    _emit(args, {**batch, "csv": csv_path, "json": json_path},
          f"Payout {batch['payout_id']}: {total} workers paid, up to {batch['until']}.\n"
          f"Files: {csv_path} and {json_path}")


def cmd_appeals_list(args: argparse.Namespace) -> None:
    from assay.quality.appeals import list_appeals

    db = _database(args)
    with db.read() as session:
        rows = list_appeals(session, args.status)
    if args.json:
        print(json.dumps({"appeals": rows}))
    else:
        for a in rows:
            print(f"{a['id']}  {a['status']:8}  {a['project']}  {a['worker_id']}  "
                  f"({a['pause_reason']}): {a['message'][:60]}")
        print(f"{len(rows)} appeal(s).")


def cmd_appeals_decide(args: argparse.Namespace) -> None:
    from assay.quality.appeals import decide_appeal

    if args.grant == args.deny:
        raise InvalidInput("say --grant or --deny")
    db = _database(args)
    decided = db.write(lambda s: decide_appeal(s, args.appeal_id, args.grant, args.note))
    _emit(args, decided, f"Appeal {decided['id']} {decided['status']}.")


def cmd_worker_pause(args: argparse.Namespace) -> None:
    from assay.quality.operator import operator_pause

    db = _database(args)
    done = db.write(lambda s: operator_pause(s, args.project, args.worker_id, args.reason,
                                             args.note))
    _emit(args, done, f"Worker {args.worker_id} paused in {args.project} ({args.reason}).")


def cmd_worker_resume(args: argparse.Namespace) -> None:
    from assay.quality.operator import operator_resume

    db = _database(args)
    done = db.write(lambda s: operator_resume(s, args.project, args.worker_id, args.note))
    _emit(args, done, f"Worker {args.worker_id} active again in {args.project}.")


def cmd_flags_list(args: argparse.Namespace) -> None:
    from assay.quality.operator import list_project_flags

    db = _database(args)
    with db.read() as session:
        rows = list_project_flags(session, args.project)
    if args.json:
        print(json.dumps({"flags": rows}))
        return
    for f in rows:
        other = f" with {f['other_worker_id']}" if f["other_worker_id"] else ""
        print(f"{f['created_at']}  {f['kind']:9}  {f['worker_id']}{other}  {f['detail']}")
    print(f"{len(rows)} flag(s).")


def cmd_audit_verify(args: argparse.Namespace) -> None:
    from assay.auditlog.service import org_exists
    from assay.auditlog.verify import verify_chain

    anchor = None
    if args.anchor:
        seq, _, digest = args.anchor.partition(":")
        if not seq.isdigit() or int(seq) < 1 or len(digest) != 64:
            raise InvalidInput("--anchor must be SEQ:HASH (a seq from 1, 64 hex digits)")
        anchor = (int(seq), digest.lower())
    db = _database(args)
    with db.read() as session:
        if not org_exists(session, args.org):
            raise NotFound(f"organization {args.org} does not exist")
        verdict = verify_chain(session, args.org, anchor)
    if verdict.broken is not None:
        raise CommandError(f"the audit chain of {args.org} is broken: "
                           f"{verdict.broken.message}")
    _emit(args, {"intact": True, "org_id": args.org, "entries": verdict.entries,
                 "head_seq": verdict.head_seq, "head_hash": verdict.head_hash},
          f"Audit chain of {args.org} is intact: {verdict.entries} entries, head seq "
          f"{verdict.head_seq} hash {verdict.head_hash} (keep it to anchor the next "
          f"check: --anchor {verdict.head_seq}:{verdict.head_hash}).")


def cmd_demo(args: argparse.Namespace) -> None:
    from assay.demo import run_demo

    run_demo(args.db, args.host, args.port, args.workers, args.items)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assay", description="Assay: a data engine for AI.")
    parser.add_argument("--version", action="version", version=f"assay {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], None], help_: str,
            parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_)
        p.add_argument("--db", help="database URL (default: ASSAY_DATABASE_URL or sqlite)")
        p.add_argument("--json", action="store_true", help="print one line of JSON")
        p.set_defaults(fn=fn)
        return p

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command",
                                                                       required=True)
    add("upgrade", cmd_db_upgrade, "create or migrate the schema", db)
    p = add("backup", cmd_db_backup,
            "write a consistent copy of the database to FILE, while servers run", db)
    p.add_argument("file", help="the backup to write (gzip JSON lines; docs/operations.md)")
    p = add("restore", cmd_db_restore,
            "load a backup into a new or empty database (--force: replace every row)", db)
    p.add_argument("file", help="a backup written by `assay db backup`")
    p.add_argument("--force", action="store_true",
                   help="restore into a database that holds rows, replacing all of them")
    add("vacuum", cmd_db_vacuum, "rewrite the database so that erased content leaves its "
        "files (SQLite: VACUUM and an emptied WAL; PostgreSQL: VACUUM FULL, which locks)", db)

    p = add("serve", cmd_serve, "run the HTTP server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (they share the database; default 1)")
    p.add_argument("--no-jobs", action="store_true",
                   help="run only the API: no callbacks, refits or sweeps in this process "
                        "(run them with `assay jobs`)")

    p = add("jobs", cmd_jobs, "run only the background work: callbacks, refits, lease "
                              "expiry, retention (beside `assay serve --no-jobs`)")

    org = sub.add_parser("org", help="organizations").add_subparsers(dest="org_command",
                                                                      required=True)
    p = add("create", cmd_org_create, "create an organization and its first API key", org)
    p.add_argument("name")
    p = add("shred", cmd_org_shred,
            "destroy the organization's data key: its content is erased (crypto-shredding)", org)
    p.add_argument("org_id")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    org_key = org.add_parser("key", help="the organization's data key").add_subparsers(
        dest="key_command", required=True)
    p = add("set", cmd_org_key_set,
            "wrap the data key by a customer-held key file (which the server must keep "
            "reading)", org_key)
    p.add_argument("org_id")
    p.add_argument("--key-file", required=True, help="32 bytes, raw or base64")
    p = add("rotate", cmd_org_key_rotate,
            "re-wrap the data key under the current master key (or the customer key file)",
            org_key)
    p.add_argument("org_id", nargs="?")
    p.add_argument("--all", action="store_true", help="every organization")

    worker = sub.add_parser("worker", help="workers").add_subparsers(dest="worker_command",
                                                                      required=True)
    p = add("create", cmd_worker_create, "create a worker", worker)
    p.add_argument("email")
    p.add_argument("--org", help="organization id (private team); default: the shared crowd")
    p.add_argument("--password", help="password for the web UI")
    p = add("pause", cmd_worker_pause,
            "pause a worker in a project (fraud: their pay there is reversed)", worker)
    p.add_argument("worker_id")
    p.add_argument("--project", required=True)
    p.add_argument("--reason", choices=["fraud", "operator"], required=True)
    p.add_argument("--note", help="why; kept on the worker's record, which they can read")
    p = add("erase", cmd_worker_erase, "remove a worker's personal data (email, password, "
            "token, sessions); answers and ledger entries stay under the id", worker)
    p.add_argument("worker_id")
    p = add("resume", cmd_worker_resume, "lift a worker's pause in a project", worker)
    p.add_argument("worker_id")
    p.add_argument("--project", required=True)
    p.add_argument("--note", help="why; kept on the worker's record, which they can read")

    flags = sub.add_parser("flags", help="integrity flags").add_subparsers(
        dest="flags_command", required=True)
    p = add("list", cmd_flags_list, "list a project's integrity flags", flags)
    p.add_argument("--project", required=True)

    user = sub.add_parser("user", help="requester users").add_subparsers(dest="user_command",
                                                                          required=True)
    p = add("create", cmd_user_create, "create a requester user", user)
    p.add_argument("email")
    p.add_argument("--org", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--role", choices=["admin", "member", "viewer"], default="member")

    p = add("export", cmd_export, "export a project's tasks, or its post-training rows")
    p.add_argument("--project", required=True)
    p.add_argument("--format", default="jsonl",
                   choices=["jsonl", "csv", "sft", "openai", "dpo", "kto", "openai_dpo",
                            "reward"])
    p.add_argument("--parquet", action="store_true",
                   help="one Parquet file instead of lines (as the API's &file=parquet)")
    p.add_argument("--out", help="file to write (default: stdout)")
    p.add_argument("--include-responses", action="store_true")

    p = add("import", cmd_import, "import tasks from a JSONL or CSV file")
    p.add_argument("file")
    p.add_argument("--project", required=True)
    p.add_argument("--partial", action="store_true",
                   help="create the valid rows and report the invalid ones")

    payouts = sub.add_parser("payouts", help="pay workers").add_subparsers(
        dest="payouts_command", required=True)
    p = add("create", cmd_payouts_create,
            "pay every unpaid balance earned before --until, exactly once", payouts)
    p.add_argument("--until", required=True, help="date or time (UTC), e.g. 2026-12-01")
    p.add_argument("--out", default="payouts", help="folder for the CSV and JSON files")
    p.add_argument("--org", default=None,
                   help="pay only this organization's entries (default: every organization)")

    appeals = sub.add_parser("appeals", help="paused workers' appeals").add_subparsers(
        dest="appeals_command", required=True)
    p = add("list", cmd_appeals_list, "list appeals", appeals)
    p.add_argument("--status", choices=["pending", "granted", "denied"])
    p = add("decide", cmd_appeals_decide, "grant or deny an appeal", appeals)
    p.add_argument("appeal_id")
    p.add_argument("--grant", action="store_true")
    p.add_argument("--deny", action="store_true")
    p.add_argument("--note", help="the decision's reason, shown to the worker")

    p = sub.add_parser("aggregate", help="truth inference over a CSV of answers")
    p.add_argument("answers", help="CSV with a header including worker,task,label")
    p.add_argument("--method", choices=AGGREGATE_METHODS, metavar="METHOD",
                   help=f"one of {', '.join(AGGREGATE_METHODS)} (default: dawid_skene, "
                        "the platform's)")
    p.add_argument("--out", help="file to write (default: stdout)")
    p.set_defaults(fn=cmd_aggregate)

    p = sub.add_parser("leaderboard",
                       help="Bradley-Terry ratings with intervals from a CSV of battles")
    p.add_argument("battles", help="CSV with a header including model_a,model_b,winner "
                   "(winner: a, b, tie or both_bad)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap rounds for the 95%% intervals (default 1000; 0: none)")
    p.add_argument("--seed", type=int, help="seed for the bootstrap (default: random)")
    p.add_argument("--out", help="file to write (default: stdout)")
    p.set_defaults(fn=cmd_leaderboard)

    p = sub.add_parser("dedup", help="near-duplicate documents in a JSONL file")
    p.add_argument("docs", metavar="DOCS.jsonl", help="one JSON object per line")
    p.add_argument("--field", default="text", help="the string field to compare (default text)")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="least exact Jaccard similarity of word 5-gram sets, in (0, 1] "
                   "(default 0.8)")
    p.add_argument("--out", help="CSV to write, a,b,similarity (default: stdout)")
    p.set_defaults(fn=cmd_dedup)

    audit = sub.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", required=True)
    p = add("verify", cmd_audit_verify,
            "check an organization's audit chain; exit 1 naming the first bad entry", audit)
    p.add_argument("--org", required=True, help="organization id")
    p.add_argument("--anchor", metavar="SEQ:HASH",
                   help="an entry's seq and hash kept from earlier: it must still be there")

    p = add("demo", cmd_demo, "run a server with a seeded demo and a simulated crowd")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--crowd", "--workers", dest="workers", type=int, default=12,
                   help="how many simulated workers answer (default 12)")
    p.add_argument("--items", type=int, default=300, help="tasks per demo project")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.fn(args)
    except (InvalidInput, SettingsError) as exc:
        return _fail(args, "invalid_input", str(exc), 2)
    except KeyFileError as exc:
        return _fail(args, "invalid_key", str(exc), 2)
    except KeyUnavailable as exc:
        return _fail(args, exc.code, exc.reason, 1)
    except NotFound as exc:
        return _fail(args, exc.code, exc.message, 2)
    except AssayError as exc:
        return _fail(args, exc.code, exc.message, 1)
    except CommandError as exc:
        return _fail(args, "error", str(exc), exc.status)
    except KeyboardInterrupt:
        return 130
    return 0


def _fail(args: argparse.Namespace, code: str, message: str, status: int) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": {"code": code, "message": message}}))
    else:
        print(f"assay: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

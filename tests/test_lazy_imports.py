"""A server starts without the heavy libraries: importing the CLI, preparing a migrated
database, building the app and answering ``/readyz`` import none of them; the request or
command that needs one imports it then. Checked in a fresh interpreter (this one has them
all loaded)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from types import ModuleType

import assay.algorithms as algorithms

HEAVY = ("numpy", "scipy", "pyarrow", "pandas", "polars", "cryptography", "httpx", "jinja2",
         "markdown_it", "alembic")

START = """
import asyncio, json, sys

import assay.cli
from assay.app import create_app
from assay.server import prepare_database
from assay.settings import Settings

assay.cli.build_parser()
settings = Settings.from_env({"ASSAY_DATABASE_URL": sys.argv[1]})
app = create_app(settings, prepare_database(settings))
sent = []

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def send(message):
    sent.append(message)

scope = {"type": "http", "method": "GET", "path": "/readyz", "raw_path": b"/readyz",
         "query_string": b"", "headers": [], "client": ("127.0.0.1", 1),
         "server": ("127.0.0.1", 80), "scheme": "http", "http_version": "1.1",
         "root_path": "", "asgi": {"version": "3.0"}}
asyncio.run(app(scope, receive, send))
print(json.dumps({"status": sent[0]["status"],
                  "loaded": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def test_a_server_starts_and_answers_readyz_without_the_heavy_libraries(db_url: str) -> None:
    done = subprocess.run([sys.executable, "-c", START, db_url], capture_output=True,
                          text=True, timeout=120, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == 200
    assert "fastapi" in report["loaded"]  # the check sees what the process imported
    assert [name for name in HEAVY if name in report["loaded"]] == []


def test_every_name_of_the_algorithms_package_is_its_module_s_object() -> None:
    for name in algorithms.__all__:
        value = getattr(algorithms, name)
        where = algorithms._MODULE_OF.get(name)
        if where is not None:
            assert value is getattr(importlib.import_module(f"assay.algorithms.{where}"), name)
    methods = algorithms.CATEGORICAL_METHODS
    assert sorted(methods) == ["dawid_skene", "glad", "mace", "majority_vote",
                               "one_coin_dawid_skene", "weighted_majority_vote"]
    assert all(callable(method) and not isinstance(method, ModuleType)
               for method in methods.values())


def test_a_function_named_like_its_module_stays_the_function() -> None:
    # Importing assay.algorithms.dawid_skene (the module) must not replace the package's
    # dawid_skene (the function), as the import system would by default.
    import assay.algorithms.dawid_skene
    import assay.algorithms.glad
    from assay.algorithms import dawid_skene, glad

    assert callable(dawid_skene) and not isinstance(dawid_skene, ModuleType)
    assert callable(glad) and not isinstance(glad, ModuleType)
    assert not isinstance(assay.algorithms.dawid_skene, ModuleType)

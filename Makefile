# The two commands of the README:
#   make demo   — set up this machine and run the demo server with a simulated crowd
#   make test   — set up this machine and run the whole suite (ruff, mypy, pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-quality bench-aggregate bench-ui clean \
	bench-leaderboard bench-dedup \
	system-deps embeddings-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/assay demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: system-deps embeddings-deps lint typecheck pytest

system-deps:
	@bash scripts/system-deps.sh
	@bash scripts/browser-deps.sh

# Only with ASSAY_TEST_EMBEDDINGS=1 (CI): the [embeddings] extra on a CPU torch.
embeddings-deps: $(STAMP)
	@bash scripts/embeddings-deps.sh $(BIN)/python

bench: $(STAMP)
	test -x .bench/ls-venv/bin/label-studio || bash bench/loop/setup_labelstudio.sh
	$(BIN)/python bench/loop/run.py

bench-ui: $(STAMP) system-deps
	$(BIN)/python bench/ui/run.py

bench-quality: $(STAMP)
	$(BIN)/python bench/quality/run.py
	$(BIN)/python bench/quality/adaptive_replay.py

bench-aggregate: $(STAMP)
	$(BIN)/python bench/quality/aggregate_cli.py

bench-leaderboard: $(STAMP)
	$(BIN)/python bench/leaderboard/run.py

bench-dedup: $(STAMP)
	$(BIN)/python bench/dedup/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts

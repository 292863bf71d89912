# The two commands of the README, and a few more. The build itself is
# Meson + ninja; this file only strings the steps together.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# make fuzz: seconds of fuzzing per target; make test: seconds per target
# after its corpus.
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 5
DB         ?= var/accord.db
ADDRESS    ?= 127.0.0.1
PORT       ?= 8080
DATASET    ?= data/code-of-conduct.json

.PHONY: all deps test-deps build run test test-release test-asan test-fuzz fuzz fuzz-merge bench stress clean

all: build

deps:
	@./scripts/install-deps.sh

test-deps:
	@./scripts/install-deps.sh --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Creates the demo database on first run, then serves it.
run: build
	@if [ ! -f $(DB) ]; then \
	  ./$(BUILD)/accord init --db $(DB) --token-file $(dir $(DB))admin.token && \
	  ./$(BUILD)/accord load --db $(DB) $(DATASET) && \
	  ./$(BUILD)/accord assistance load --db $(DB) data/assistance.json && \
	  echo "Write with: curl -H \"Authorization: Bearer \$$(cat $(dir $(DB))admin.token)\" ..."; \
	fi
	./$(BUILD)/accord serve --db $(DB) --address $(ADDRESS) --port $(PORT)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

test-release: test-deps $(BUILD)/build.ninja
	ninja -C $(BUILD)
	./scripts/run-tests.sh $(BUILD)

# The sanitizer run also sets the program's clock ten years ahead
# (ACCORD_NOW, util/clock.h): no test may depend on today's date.
test-asan: test-deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ACCORD_NOW=$$(date -u -d '+10 years' +%Y-%m-%dT%H:%M:%SZ) ./scripts/run-tests.sh $(ASAN_BUILD)

# The libFuzzer targets (fuzz/, docs/fuzzing.md): clang, with ASan + UBSan.
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false

# Each fuzz target over its corpus, then FUZZ_SMOKE_SECONDS of fuzzing.
test-fuzz: test-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) ./scripts/run-tests.sh $(FUZZ_BUILD)

# Every test, in the normal build and under AddressSanitizer + UBSan, and
# every fuzz target over its corpus.
test: test-release test-asan test-fuzz

# FUZZ_SECONDS of fuzzing per target (FUZZ_TARGETS="json csv" for some),
# then a table of executions and crashes. New inputs stay in
# $(FUZZ_BUILD)/fuzz/work until `make fuzz-merge`.
fuzz: test-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

# Adds the inputs of the last runs that reach new code to fuzz/corpus.
fuzz-merge: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	./scripts/fuzz.sh --merge $(FUZZ_BUILD) $(FUZZ_TARGETS)

bench: build
	@./scripts/install-deps.sh --bench
	./scripts/bench.sh $(BUILD)

# The server under thousands of connections (wrk and hostile clients):
# the figures of docs/stress.md.
stress: build test-deps
	./scripts/stress.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

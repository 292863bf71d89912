# The two commands of the README, and a few more. The build itself is
# Meson + ninja; this file only strings the steps together.

BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= var/accord.db
ADDRESS    ?= 127.0.0.1
PORT       ?= 8080
DATASET    ?= data/code-of-conduct.json

.PHONY: all deps test-deps build run test test-release test-asan bench stress clean

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

# Every test, in the normal build and under AddressSanitizer + UBSan.
test: test-release test-asan

bench: build
	@./scripts/install-deps.sh --bench
	./scripts/bench.sh $(BUILD)

# The server under thousands of connections (wrk and hostile clients):
# the figures of docs/stress.md.
stress: build test-deps
	./scripts/stress.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

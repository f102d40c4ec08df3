# spard: two commands matter.
#   make run   installs what is missing (Debian packages), builds Release, starts build/spard.
#   make test  installs, builds, runs the ctest suite, then again under ASan+UBSan, then every
#              fuzzer for TEST_FUZZ_SECONDS.
# Other targets: build, bench, fuzz, format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 20

# Everything spard builds with and tests against. Debian 12 packages only.
DEB_PACKAGES := build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev \
  libboost-dev libssl-dev librocksdb-dev libsimdjson-dev libre2-dev libspdlog-dev libfmt-dev \
  catch2 libtomlplusplus-dev libcli11-dev libhowardhinnant-date-dev libsodium-dev librelp-dev \
  libsystemd-dev zlib1g-dev libzstd-dev rapidjson-dev tzdata python3 curl bsdutils systemd rsyslog \
  rsyslog-relp rsyslog-gnutls clang-format zstd

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CMAKE_COMMON := -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: all deps build run test unit-asan bench fuzz format format-check clean

all: build

# Installs only what is missing, so a second `make` costs a dpkg query, not an apt run.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/spard

# The suite, the suite again under ASan+UBSan, then a short run of every fuzzer (issue 4).
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory unit-asan
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

# The unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and the integration
# tests against spard built the same way (leaks at exit fail them too).
unit-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DSPARD_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target spard_unit_tests spard spar
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

bench: build
	./bench/run_all.sh $(BUILD)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DSPARD_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target spard_fuzzers
	./tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# stepfiber: the two commands a fresh Debian/Ubuntu machine needs are
#   make demo   - installs everything, builds, runs the moderation demo
#   make test   - installs everything, builds, runs C++ (ctest) and Python (pytest) tests
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := g++ make cmake ccache python3 python3-dev python3-venv \
                libsimdjson-dev nlohmann-json3-dev libboost-fiber1.81-dev libboost-context1.81-dev libgtest-dev libpcre2-dev libdouble-conversion-dev \
                clang-14 libclang-rt-14-dev graphviz
# ccache: let a checkout in another folder (CI's fresh clone) reuse the
# objects of this one: paths are hashed relative to the tree, and the
# working directory (in -g debug info) is not hashed.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CPP_BUILD := build/cpp
FUZZ_BUILD := build/fuzz
# Seconds each libFuzzer target runs in `make fuzz` (11 targets).
FUZZ_SECONDS ?= 30
# Boost.Context (fcontext) switches fiber stacks without telling ASan
# (Debian's Boost is not built with BOOST_USE_ASAN, and the fcontext
# backend has no __sanitizer_start/finish_switch_fiber hooks). ASan's
# "detect_stack_use_after_return" keeps a per-thread fake stack that a
# stack switch corrupts, so it stays off (the documented caveat for
# coroutine/fiber libraries; it is also the runtime default).
# Leaks stay on: fiber stacks are registered as LSan root regions
# (cpp/src/runtime/stack_arena.cpp).
SANITIZER_ENV := ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:abort_on_error=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: help deps venv build-cpp test-cpp install test-python test demo sanitize fuzz build-fuzz bench clean

help:
	@echo "make demo   - set up everything and run the content-moderation demo"
	@echo "make test   - set up everything and run every test (ctest + pytest + notebook)"
	@echo "make deps   - install missing Debian packages (apt-get)"
	@echo "make sanitize - C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make fuzz   - libFuzzer targets (clang), FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make bench   - the load-test tool at 1,000,000 executions"

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: installing:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "deps: need root to run: apt-get install -y$$missing  (run 'sudo make deps')"; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

venv: deps $(VPY)
	$(VPY) -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" "pytest>=7" "pytest-timeout>=2" "boto3==1.44.18" "botocore==1.44.18" "awscli==1.46.3" "nbclient>=0.7" "nbformat>=5" "ipykernel>=6" \
	  "graphviz>=0.20" "matplotlib>=3.5" "pandas>=1.5" "tqdm>=4.60"

build-cpp: deps
	cmake -S . -B $(CPP_BUILD) -DSTEPFIBER_BUILD_TESTS=ON -DSTEPFIBER_BUILD_PYTHON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(CPP_BUILD) -j$(JOBS)

test-cpp: build-cpp
	cd $(CPP_BUILD) && ctest --output-on-failure -j$(JOBS)

# The extension is built in build/cpp with the C++ tests' configuration, so
# the core library is compiled once for both (only _core is added).
install: venv
	CMAKE_GENERATOR="Unix Makefiles" $(VPY) -m pip install -q --no-build-isolation -Cbuild-dir=$(CPP_BUILD) \
	  -Ccmake.build-type=RelWithDebInfo -Ccmake.define.STEPFIBER_BUILD_TESTS=ON -Cbuild.targets=_core .

test-python: install
	$(VPY) -m pytest -q
	# The load-test tool at 10,000 executions, to prove it works (no timing assertions).
	$(VPY) -m stepfiber bench --executions 10000 --mix success=90,failure=4,heartbeat=3,timeout=2,stop=1 --quiet

# CI (.ci/run) runs this: unit tests, Python tests, the sanitizer suite, fuzzing.
test: test-cpp test-python sanitize fuzz

demo: install
	$(VPY) examples/moderation_demo.py

sanitize: deps
	cmake -S . -B build/asan -DSTEPFIBER_BUILD_TESTS=ON -DSTEPFIBER_BUILD_PYTHON=OFF -DSTEPFIBER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build/asan -j$(JOBS)
	cd build/asan && $(SANITIZER_ENV) ctest --output-on-failure -j$(JOBS)

# libFuzzer targets (tests/fuzz): clang with -fsanitize=fuzzer,address,undefined.
build-fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++-14 -DSTEPFIBER_BUILD_FUZZERS=ON \
	  -DSTEPFIBER_BUILD_TESTS=OFF -DSTEPFIBER_BUILD_PYTHON=OFF -DSTEPFIBER_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j$(JOBS)

# Each target runs FUZZ_SECONDS from a scratch copy of tests/fuzz/corpus/<target>;
# any crash, leak, hang (>10 s per input) or sanitizer report fails the build.
fuzz: build-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD)

bench: install
	$(VPY) -m stepfiber bench --executions 1000000

clean:
	rm -rf build $(VENV)

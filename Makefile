# stepfiber: the two commands a fresh Debian/Ubuntu machine needs are
#   make demo   - installs everything, builds, runs the moderation demo
#   make test   - installs everything, builds, runs C++ (ctest) and Python (pytest) tests
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := g++ make cmake ccache python3 python3-dev python3-venv \
                libsimdjson-dev nlohmann-json3-dev libboost-fiber1.81-dev libboost-context1.81-dev libgtest-dev
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CPP_BUILD := build/cpp

.PHONY: help deps venv build-cpp test-cpp install test-python test demo sanitize bench clean

help:
	@echo "make demo   - set up everything and run the content-moderation demo"
	@echo "make test   - set up everything and run every test (ctest + pytest + notebook)"
	@echo "make deps   - install missing Debian packages (apt-get)"
	@echo "make sanitize - C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
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
	$(VPY) -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" "pytest>=7" "pytest-timeout>=2" "botocore>=1.31" "nbclient>=0.7" "nbformat>=5" "ipykernel>=6"

build-cpp: deps
	cmake -S . -B $(CPP_BUILD) -DSTEPFIBER_BUILD_TESTS=ON -DSTEPFIBER_BUILD_PYTHON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(CPP_BUILD) -j$(JOBS)

test-cpp: build-cpp
	cd $(CPP_BUILD) && ctest --output-on-failure -j$(JOBS)

install: venv
	$(VPY) -m pip install -q --no-build-isolation -Cbuild-dir=build/py .

test-python: install
	$(VPY) -m pytest -q
	# The load-test tool at 10,000 executions, to prove it works (no timing assertions).
	$(VPY) -m stepfiber bench --executions 10000 --mix success=90,failure=5,heartbeat=3,timeout=2 --quiet

test: test-cpp test-python

demo: install
	$(VPY) examples/moderation_demo.py

sanitize: deps
	cmake -S . -B build/asan -DSTEPFIBER_BUILD_TESTS=ON -DSTEPFIBER_BUILD_PYTHON=OFF -DSTEPFIBER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build/asan -j$(JOBS)
	cd build/asan && ctest --output-on-failure -j$(JOBS)

bench: install
	$(VPY) -m stepfiber bench --executions 1000000

clean:
	rm -rf build $(VENV)

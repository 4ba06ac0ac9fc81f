# mfif build entry points. Every Go command runs after sourcing
# scripts/torchenv, which sets the cgo flags for libtorch (see that file);
# `. scripts/torchenv && go ...` in a shell gives byte-identical flags, so
# both share one Go build cache.
#
# Build-cache note: the flags name a copy of scripts/gotch-compat.h under
# ~/.cache/mfif/compat-<sha256 prefix>/. Go's cache does not track
# force-included headers, so the hash in that path is what makes an edit of
# the shim rebuild gotch's C++ (about 4 minutes cold on 2 cores; cached
# afterwards), and every clone or worktree shares the compiled gotch.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
JOBS ?= 2
PKG ?= ./...
BENCH ?= .
TESTFLAGS ?=
TORCHENV := . scripts/torchenv &&
BIN := bin/mfif

.PHONY: deps deps-test build test demo bench vet fmt-check stubs clean cuda-help check-libtorch2 gpu-bundle gpu-check-cpu

deps: ## installs missing Debian packages (no-op when all are present)
	@scripts/install-deps.sh

deps-test: ## deps plus what only the tests use (chromium for the HTML report test)
	@scripts/install-deps.sh --test

build: deps ## bin/mfif
	$(TORCHENV) $(GO) build -p $(JOBS) -o $(BIN) ./cmd/mfif

test: deps-test ## go test ./... (one line per package), then the portable metric kernels
	$(TORCHENV) $(GO) test -p $(JOBS) -timeout 30m $(TESTFLAGS) $(PKG)
	$(TORCHENV) GOEXPERIMENT=nosimd $(GO) test -p $(JOBS) $(TESTFLAGS) ./metrics ./data

demo: build ## runs bin/mfif demo
	$(TORCHENV) ./$(BIN) demo

bench: ## go test -bench (set PKG=./nets/... BENCH=Conv to narrow)
	$(TORCHENV) $(GO) test -p 1 -run '^$$' -bench '$(BENCH)' -benchmem $(PKG)

vet: deps
	$(TORCHENV) $(GO) vet -p $(JOBS) $(PKG)
	$(TORCHENV) GOEXPERIMENT=nosimd $(GO) vet ./metrics ./data

fmt-check: ## fails listing every file gofmt would change
	@out="$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi; echo "gofmt: ok"

stubs: ## (re)builds the empty CUDA stub libraries for CPU builds
	rm -rf "$${MFIF_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mfif}/cudastubs"
	$(TORCHENV) ls "$${MFIF_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mfif}/cudastubs"

clean:
	rm -rf bin build
	$(GO) clean -testcache

cuda-help: ## how to build against a CUDA libtorch or a PyTorch install
	@cat docs/cuda.md

check-libtorch2: ## libtorch 2.6 in a Debian 13 root: build, vet, full test suite, demo, PyTorch folder, CUDA link (needs root)
	scripts/check-libtorch2.sh

gpu-bundle: ## build/mfif-gpu-bundle.tar.gz: sources, vendored modules, pruned Go, for scripts/gpu-check.sh offline
	scripts/gpu-bundle.sh build/mfif-gpu-bundle.tar.gz

gpu-check-cpu: deps ## scripts/gpu-check.sh --cpu-only here (no GPU): every step of the GPU check, with the CPU for CUDA
	MFIF_PYTHON=$${MFIF_PYTHON:-/usr/bin/python3} scripts/gpu-check.sh --cpu-only --work build/gpu-check-cpu --report build/gpu-check-cpu/report.md

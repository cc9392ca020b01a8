# Thin wrapper so that `make`, `make check` and `make run` work as in QEMU's tree.
BUILD ?= build
NINJA ?= ninja

.PHONY: all deps check check-slow run bench clean install

all: deps $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

# Installs what is missing, builds, and runs every test suite (unit, ISA, lockstep).
check: all
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 --no-suite slow

# Long runs left out of `check`: lockstep into Linux early boot (~25 min).
check-slow: all
	meson test -C $(BUILD) --print-errorlogs --suite slow

# The main job on the default guest.
run: all
	scripts/run-default-guest.sh

bench: all
	bench/run-cpu.sh

install: all
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)

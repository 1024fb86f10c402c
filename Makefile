# Thin wrapper around meson/ninja. The real build description is meson.build.
BUILD ?= build
SANBUILD ?= build-san
MESON_OPTS ?=

.PHONY: all build check check-san check-unit demo deps clean guest

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Every test suite: unit, cpu, qtest, functional.
check: build
	bash scripts/run-tests.sh $(BUILD)

# Unit, cpu and qtest suites under ASan+UBSan.
$(SANBUILD)/build.ninja:
	meson setup $(SANBUILD) -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dbuildtype=debug $(MESON_OPTS)

check-san: $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)
	bash scripts/run-tests.sh $(SANBUILD) unit cpu qtest

guest:
	bash tests/guest/build.sh

demo: build
	bash scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SANBUILD)

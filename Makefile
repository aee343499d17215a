# mbrl: plain Makefile. `make` builds libmbrl.a, libmbrl.so and the mbrl binary under $(BUILD).
SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c
BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
WERROR  ?= -Werror
OPT     ?= -O2 -g

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wvla -Wformat=2 -Wundef -Wcast-qual -Wwrite-strings -Wpointer-arith \
        -Wold-style-definition -Wnull-dereference $(WERROR)
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -I/usr/include/plplot
CPPFLAGS += -DMBRL_ASSET_DIR='"$(CURDIR)/assets"' -DMBRL_INSTALL_ASSET_DIR='"$(PREFIX)/share/mbrl/assets"'
CFLAGS   += -std=c11 $(OPT) -fno-math-errno -fPIC -fvisibility=hidden -fopenmp $(WARN) $(SANITIZE) -MMD -MP
LDFLAGS  += -fopenmp $(SANITIZE)
# video: libav* encode MP4; EGL and GL are opened with dlopen when the first frame is drawn, so
# nothing links against them (src/env/render_gl.c)
LDLIBS   += -ldnnl -lmujoco -lcjson -lplplot -lavformat -lavcodec -lswscale -lavutil -ldl -lm -lpthread

LIB_SRC   := $(sort $(wildcard src/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/*.c tests/*/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/%)

STAMP := $(BUILD)/.packages-ok

.PHONY: all run test bench asan install clean packages
all: $(BUILD)/libmbrl.a $(BUILD)/libmbrl.so $(BUILD)/mbrl $(TOOLS)

# install the Debian packages the project uses, once per build folder
$(STAMP): scripts/setup.sh
	@bash scripts/setup.sh
	@mkdir -p $(BUILD) && touch $@
packages: $(STAMP)

$(BUILD)/obj/%.o: %.c | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libmbrl.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libmbrl.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/mbrl: $(CLI_OBJ) $(BENCH_OBJ) $(BUILD)/libmbrl.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BENCH_OBJ) $(BUILD)/libmbrl.a $(LDLIBS)

$(BUILD)/test_mbrl: $(TEST_OBJ) $(BUILD)/libmbrl.a
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libmbrl.a -lcriterion $(LDLIBS)

# experiment programs, one per file under tools/
$(BUILD)/%: $(BUILD)/obj/tools/%.o $(BUILD)/libmbrl.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libmbrl.a $(LDLIBS)

# the main job: model-based RL on the CS285 cheetah, about 8 minutes on 2 cores
run: all
	./$(BUILD)/mbrl mb --env_name cheetah-cs285-v0 --exp_name make_run --add_sl_noise \
	    --mpc_horizon 15 --num_agent_train_steps_per_iter 1000 --batch_size_initial 5000 \
	    --batch_size 2000 --eval_batch_size 500 --n_iter 6

test: $(BUILD)/test_mbrl $(BUILD)/mbrl $(BUILD)/libmbrl.so
	bash scripts/check_rooms.sh
	bash scripts/check_exports.sh $(BUILD)/libmbrl.so
	$(MAKE) -s -C examples OUT=$(CURDIR)/$(BUILD) CFLAGS="-std=c11 -O2 -Wall -Wextra $(SANITIZE)" MBRL_CFLAGS=-I$(CURDIR)/include \
	    MBRL_LIBS="-L$(CURDIR)/$(BUILD) -Wl,-rpath,$(CURDIR)/$(BUILD) -lmbrl" && ./$(BUILD)/point_env
	GOMP_SPINCOUNT=10000 MBRL_BIN=./$(BUILD)/mbrl ./$(BUILD)/test_mbrl $(TEST_ARGS)

bench: $(BUILD)/mbrl
	./$(BUILD)/mbrl bench $(BENCH_ARGS)

# tests under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build folder
# a sanitizer report inside a Criterion worker does not always fail its test, so the log is
# searched too
asan:
	@mkdir -p $(BUILD)-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 $(MAKE) BUILD=$(BUILD)-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test 2>&1 | tee $(BUILD)-asan/test.log
	@! grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:|Synthesis: .*(Failing: [1-9]|Crashing: [1-9])" $(BUILD)-asan/test.log

install: all
	install -d $(DESTDIR)$(PREFIX)/include/mbrl $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/mbrl/*.h $(DESTDIR)$(PREFIX)/include/mbrl/
	install -m 644 $(BUILD)/libmbrl.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libmbrl.so $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/mbrl $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/mbrl/assets
	cp -R assets/. $(DESTDIR)$(PREFIX)/share/mbrl/assets/

clean:
	rm -rf $(BUILD) $(BUILD)-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(TOOL_OBJ:.o=.d)

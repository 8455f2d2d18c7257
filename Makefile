# mailgun-lua: the C core (mailgun.core), the Lua layer, specs, benchmarks.
# `make test` and `make demo` install missing Debian packages first, so each
# works as the only command on a fresh Debian 12 machine.

LUA        ?= lua5.4
PREFIX     ?= /usr/local
CC         ?= gcc
PKG_CONFIG ?= pkg-config
BUSTED     ?= busted

ifeq ($(LUA),luajit)
  LUA_PC   := luajit
  ABI      := luajit
  LUA_VER  := 5.1
else
  LUA_PC   := lua5.4
  ABI      := lua5.4
  LUA_VER  := 5.4
endif
LUA_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LUA_PC))

# luarocks passes LUA_INCDIR: build for the Lua whose headers those are
# (`luarocks --lua-version 5.1 make` is the OpenResty/LuaJIT route).
ifdef LUA_INCDIR
  LUA_NUM    := $(shell sed -n 's/^\#define LUA_VERSION_NUM[[:space:]]*\([0-9]*\).*/\1/p' $(LUA_INCDIR)/lua.h)
  LUA_CFLAGS = -I$(LUA_INCDIR)
  ifeq ($(LUA_NUM),501)
    # the 5.1 ABI here means LuaJIT (OpenResty): build with its headers
    ABI      := luajit
    LUA_VER  := 5.1
    LUA_CFLAGS = $(shell $(PKG_CONFIG) --cflags luajit 2>/dev/null || echo -I$(LUA_INCDIR))
  endif
endif

BUILD    := build/$(ABI)
MODULE   := $(BUILD)/mailgun/core.so
SOURCES  := $(wildcard csrc/*.c)
HEADERS  := $(wildcard csrc/*.h)
WARN     := -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes
OPT      ?= -O2
CFLAGS   ?= $(OPT) $(WARN)
VERSION  := $(shell sed -n 's/^return "\(.*\)"/\1/p' lua/mailgun/engine/version.lua)
ALL_CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -DLMG_VERSION='"$(VERSION)"' -fPIC -fvisibility=hidden \
  $(CFLAGS) $(LUA_CFLAGS) \
  $(shell $(PKG_CONFIG) --cflags libcurl libcrypto)
# libraries after the sources (Debian links --as-needed); never -llua: the
# interpreter is static and the module must use its symbols.
LIBS     = $(shell $(PKG_CONFIG) --libs libcurl libcrypto)

INSTALL_LMOD ?= $(PREFIX)/share/lua/$(LUA_VER)
INSTALL_CMOD ?= $(PREFIX)/lib/lua/$(LUA_VER)

export LUA_PATH  := lua/?.lua;lua/?/init.lua;;
export LUA_CPATH := build/lua5.4/?.so;;

DEB_PACKAGES := lua5.4 liblua5.4-dev libcurl4-openssl-dev libssl-dev lua-cjson \
  lua-busted luarocks lua-check pkg-config gcc make openssl curl ca-certificates \
  nginx libnginx-mod-http-lua lua-resty-core lua-resty-lrucache luajit2 libluajit2-5.1-dev \
  python3 clang clang-tidy cppcheck libclang-rt-14-dev media-types python3-yaml
CHECK_PACKAGES := valgrind

.PHONY: docs c-host all build luajit test check bench install install-sandbox deps deps-check demo lint \
  clean sandbox fuzz

all: build
build: $(MODULE)

$(MODULE): $(SOURCES) $(HEADERS) Makefile lua/mailgun/engine/version.lua
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared $(SOURCES) -o $@ $(LIBS)

luajit:
	$(MAKE) LUA=luajit build

# Install the Debian packages that are missing (root or sudo needed only then).
deps:
	@missing=$$(for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

test: deps
	@$(MAKE) --no-print-directory build luajit
	@bash tools/run-specs

check: 
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(CHECK_PACKAGES)"
	@bash tools/check

bench: deps
	@$(MAKE) --no-print-directory build
	@bash bench/run

demo: deps
	@$(MAKE) --no-print-directory build luajit
	@bash tools/demo

# the reference: types/resources_*.lua and docs/reference.md, generated
docs:
	lua5.4 tools/gen-reference

# libFuzzer harnesses (fuzz/), FUZZ_TIME seconds each under nice -n 19;
# installs clang when missing; fails on any finding
FUZZ_TIME ?= 20
fuzz:
	@FUZZ_TIME=$(FUZZ_TIME) bash fuzz/run

lint:
	luacheck lua spec examples bench sandbox
	lua5.4 tools/check-floors lua
	@bash tools/lint-c

install: build
	install -d $(DESTDIR)$(INSTALL_LMOD)/mailgun $(DESTDIR)$(INSTALL_CMOD)/mailgun
	cd lua && find . -name '*.lua' | while read f; do \
	  install -D -m 644 "$$f" "$(DESTDIR)$(INSTALL_LMOD)/$$f"; done
	install -m 755 $(MODULE) $(DESTDIR)$(INSTALL_CMOD)/mailgun/core.so

# The offline emulator (nginx + lua-nginx-module) and its launcher, apart
# from the library: PREFIX/bin/mailgun-sandbox finds its code in
# PREFIX/share/mailgun-lua/sandbox and the library's Lua under PREFIX/share/lua.
SANDBOX_DIR ?= $(PREFIX)/share/mailgun-lua/sandbox
install-sandbox:
	install -d $(DESTDIR)$(SANDBOX_DIR)/lua/sandbox $(DESTDIR)$(PREFIX)/bin
	install -m 644 sandbox/lua/sandbox/*.lua $(DESTDIR)$(SANDBOX_DIR)/lua/sandbox/
	install -m 755 bin/mailgun-sandbox $(DESTDIR)$(PREFIX)/bin/mailgun-sandbox

# examples/c_host: a tiny C host embedding Lua 5.4 (docs/embedding.md)
c-host: build/c_host/host
build/c_host/host: examples/c_host/host.c
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(OPT) $(WARN) $(shell $(PKG_CONFIG) --cflags lua5.4) $< -o $@ \
	  $(shell $(PKG_CONFIG) --libs lua5.4)

clean:
	rm -rf build

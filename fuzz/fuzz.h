/*
 * fuzz.h: what the harnesses share: a Lua state with mailgun.core loaded
 * as the global `core`, a reader over the fuzz input, and CHECK, which
 * aborts (a libFuzzer finding) with the failed condition.
 */
#ifndef LMG_FUZZ_H
#define LMG_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

#include "core.h"

#define CHECK(c) do { if(!(c)) { \
  fprintf(stderr, "CHECK failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
  abort(); } } while(0)

/* one state per process; each input starts with an empty stack */
static inline lua_State *fz_lua(void)
{
  static lua_State *L;
  static unsigned calls;
  if(!L) {
    L = luaL_newstate();
    CHECK(L);
    luaL_openlibs(L);
    luaL_requiref(L, "mailgun.core", luaopen_mailgun_core, 0);
    lua_setglobal(L, "core");
  }
  lua_settop(L, 0);
  if(++calls % 64 == 0)   /* closes forgotten files and sessions */
    lua_gc(L, LUA_GCCOLLECT, 0);
  return L;
}

/* calls core.<name> or, with obj > 0, the method obj:<name>, with the
   nargs values on top of the stack; leaves nres results */
static inline int fz_call(lua_State *L, int obj, const char *name, int nargs,
                   int nres)
{
  int base = lua_gettop(L) - nargs, rc;
  if(obj) {
    lua_getfield(L, obj, name);
    lua_insert(L, base + 1);
    lua_pushvalue(L, obj);
    lua_insert(L, base + 2);
    nargs++;
  }
  else {
    lua_getglobal(L, "core");
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    lua_insert(L, base + 1);
  }
  rc = lua_pcall(L, nargs, nres, 0);
  if(rc)
    fprintf(stderr, "%s: %s\n", name, lua_tostring(L, -1));
  return rc;
}

struct fz_in {
  const uint8_t *p;
  size_t n;
};

static inline unsigned fz_byte(struct fz_in *in)
{
  if(!in->n)
    return 0;
  in->n--;
  return *in->p++;
}

/* up to len bytes of the input (fewer at its end) */
static inline const char *fz_take(struct fz_in *in, size_t len, size_t *got)
{
  const char *s = (const char *)in->p;
  *got = len < in->n ? len : in->n;
  in->p += *got;
  in->n -= *got;
  return s;
}

#endif

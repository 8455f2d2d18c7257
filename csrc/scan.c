/*
 * scan.c: byte scans the Lua layer makes on every message and every batch
 * recipient, one pass in C instead of a Lua pattern (Lua's matcher costs
 * about 150 instructions a byte on these):
 *   core.plain_address(s) -> true when s is a bare address with nothing to
 *     trim, split or unquote: one '@' with something on each side, and no
 *     space, control character or any of " < > , ( ) \ (the PLAIN rule of
 *     mailgun/engine/address.lua);
 *   core.has_control(s) -> true when s holds a control character (bytes
 *     0-31 and 127: Lua's %c in the C locale);
 *   core.plain_entry(address, vars) -> true when address is plain (as
 *     above) and vars is nil or flat: string names, each value a string,
 *     a boolean or a finite number (a batch recipient JSON takes as it
 *     is; one call per recipient instead of a Lua loop).
 * Bytes from 128 up are neither (UTF-8 passes as it is).
 */
#include <math.h>
#include <string.h>

#include "core.h"

static int lmg_is_control(unsigned char c)
{
  return c < 32 || c == 127;
}

/* 1 for the bytes a plain address refuses: controls (0-31, 127), space
   and " ( ) , < > \ ; bytes from 128 up are 0 (a const table: no
   initialisation to race on when several threads each run a Lua state) */
static const unsigned char lmg_unplain[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

int lmg_plain_bytes(const char *bytes, size_t n)
{
  const unsigned char *s = (const unsigned char *)bytes;
  size_t i, at = 0, ats = 0;
  for(i = 0; i < n; i++) {
    unsigned char c = s[i];
    if(c == '@') {
      at = i;
      ats++;
    }
    else if(lmg_unplain[c])
      return 0;
  }
  return ats == 1 && at > 0 && at + 1 < n;
}

static int lmg_is_plain(lua_State *L, int idx)
{
  size_t n;
  const char *s;
  if(lua_type(L, idx) != LUA_TSTRING)
    return 0;
  s = lua_tolstring(L, idx, &n);
  return lmg_plain_bytes(s, n);
}

int lmg_plain_address(lua_State *L)
{
  lua_pushboolean(L, lmg_is_plain(L, 1));
  return 1;
}

static int lmg_is_flat(lua_State *L, int idx)
{
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    int ok = lua_type(L, -2) == LUA_TSTRING;
    switch(lua_type(L, -1)) {
    case LUA_TSTRING:
    case LUA_TBOOLEAN:
      break;
    case LUA_TNUMBER: {
      double d = (double)lua_tonumber(L, -1);
      ok = ok && !isnan(d) && !isinf(d);
      break;
    }
    default:
      ok = 0;
    }
    lua_pop(L, 1);
    if(!ok) {
      lua_pop(L, 1);
      return 0;
    }
  }
  return 1;
}

int lmg_plain_entry(lua_State *L)
{
  int t = lua_type(L, 2);
  lua_pushboolean(L, lmg_is_plain(L, 1)
                  && (t <= LUA_TNIL || (t == LUA_TTABLE && lmg_is_flat(L, 2))));
  return 1;
}

int lmg_has_control(lua_State *L)
{
  size_t n, i;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  for(i = 0; i < n; i++)
    if(lmg_is_control(s[i])) {
      lua_pushboolean(L, 1);
      return 1;
    }
  lua_pushboolean(L, 0);
  return 1;
}

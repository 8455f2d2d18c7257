/*
 * options.c: the options table of core.session and core.multi, copied
 * into C memory (struct lmg_options).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

/* Numbers from Lua are doubles: converting one that does not fit (or NaN)
   to an integer type is undefined behaviour, so every conversion clamps
   first. */
long lmg_to_long(lua_State *L, lua_Number v, const char *what)
{
  if(!(v >= 0))   /* also NaN */
    luaL_error(L, "bad option '%s' (must not be negative)", what);
  if(v >= (lua_Number)LONG_MAX)
    return LONG_MAX;
  return (long)v;
}

static size_t lmg_to_size(lua_State *L, lua_Number v, const char *what)
{
  if(!(v >= 0))
    luaL_error(L, "bad option '%s' (must not be negative)", what);
  /* 2^53 and above: no cap anyone can reach */
  if(v >= 9007199254740992.0 || v >= (lua_Number)SIZE_MAX)
    return SIZE_MAX;
  return (size_t)v;
}

static char *lmg_opt_string(lua_State *L, int idx, const char *key)
{
  const char *s;
  size_t n;
  char *copy;
  lua_getfield(L, idx, key);
  if(lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  if(lua_type(L, -1) != LUA_TSTRING) {
    luaL_error(L, "bad option '%s' (string expected, got %s)", key,
               luaL_typename(L, -1));
    return NULL;
  }
  s = lua_tolstring(L, -1, &n);
  copy = lmg_strndup(s, n);
  if(!copy) {
    luaL_error(L, "out of memory");
    return NULL;
  }
  lua_pop(L, 1);
  return copy;
}

static lua_Number lmg_opt_number(lua_State *L, int idx, const char *key,
                                 lua_Number dflt)
{
  lua_Number v;
  lua_getfield(L, idx, key);
  if(lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return dflt;
  }
  if(lua_type(L, -1) != LUA_TNUMBER)
    luaL_error(L, "bad option '%s' (number expected, got %s)", key,
               luaL_typename(L, -1));
  v = lua_tonumber(L, -1);
  if(!(v >= 0))   /* also NaN */
    luaL_error(L, "bad option '%s' (must not be negative)", key);
  lua_pop(L, 1);
  return v;
}

static int lmg_opt_boolean(lua_State *L, int idx, const char *key, int dflt)
{
  int v;
  lua_getfield(L, idx, key);
  if(lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return dflt;
  }
  if(lua_type(L, -1) != LUA_TBOOLEAN)
    luaL_error(L, "bad option '%s' (boolean expected, got %s)", key,
               luaL_typename(L, -1));
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* Reads the options table at idx (or none) into o, which its owner frees
   with lmg_options_free even when this raises half-way. */
void lmg_options_read(lua_State *L, int idx, struct lmg_options *o)
{
  o->verify = 1;
  o->http2 = 1;
  if(lua_isnoneornil(L, idx))
    return;
  luaL_checktype(L, idx, LUA_TTABLE);
  o->timeout_ms = lmg_to_long(L, lmg_opt_number(L, idx, "timeout", 0),
                              "timeout");
  o->connect_timeout_ms = lmg_to_long(L, lmg_opt_number(L, idx,
                                      "connect_timeout", 0),
                                      "connect_timeout");
  o->max_body = lmg_to_size(L, lmg_opt_number(L, idx, "max_body", 0),
                            "max_body");
  o->verify = lmg_opt_boolean(L, idx, "verify", 1);
  o->http2 = lmg_opt_boolean(L, idx, "http2", 1);
  o->cafile = lmg_opt_string(L, idx, "cafile");
  o->capath = lmg_opt_string(L, idx, "capath");
  o->proxy = lmg_opt_string(L, idx, "proxy");
  o->user_agent = lmg_opt_string(L, idx, "user_agent");
}

void lmg_options_free(struct lmg_options *o)
{
  free(o->cafile);
  free(o->capath);
  free(o->proxy);
  free(o->user_agent);
  o->cafile = o->capath = o->proxy = o->user_agent = NULL;
}


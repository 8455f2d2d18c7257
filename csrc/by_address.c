/*
 * by_address.c: core.json_by_address(entries, i, j), the hot path of batch
 * sending (one call of up to 1,000 recipients, each with its variables).
 *
 * entries[i..j] are tables {address = "a@x", vars = {name = scalar, ...}};
 * or, with a fourth argument, core.json_by_address(keys, i, j, vars):
 * keys[k] the address and vars[k] its variables (false or nil: none), two
 * lists and no table per recipient (a batch's own storage);
 * the result is the JSON object {"a@x": {...vars}, ...} (Mailgun's
 * recipient-variables), built in one buffer instead of a Lua table of
 * tables walked by the JSON encoder.  Only flat variables are handled here
 * (string keys; string, number and boolean values): for anything else
 * (nested tables, NaN or infinite numbers) it returns nil and the caller
 * uses the general JSON encoder.  Strings are escaped as lua-cjson escapes
 * them, so the text is the same whichever path built it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* 1 for the bytes lua-cjson escapes: controls, DEL, " \ and / */
static const unsigned char lmg_rv_escaped[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* " and / */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* \ */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1  /* DEL */
};

void lmg_json_string(luaL_Buffer *B, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t i, start = 0;
  luaL_addchar(B, '"');
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];
    if(!lmg_rv_escaped[c])
      continue;
    switch(c) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '/': esc = "\\/"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    default:
      u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
      u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
      esc = u;
    }
    luaL_addlstring(B, s + start, i - start);
    luaL_addstring(B, esc);
    start = i + 1;
  }
  luaL_addlstring(B, s + start, n - start);
  luaL_addchar(B, '"');
}

/* Stack slots below the buffer (a luaL_Buffer may keep a box on top of
   the stack: between two buffer calls the stack must be as the first
   left it, so what is being encoded sits in fixed slots under it). */
#define LMG_RV_LIST 4      /* the vars list of the second form, or nil */
#define LMG_RV_ADDRESS 5
#define LMG_RV_VARS 6
#define LMG_RV_KEY 7
#define LMG_RV_VALUE 8

/* the value in slot LMG_RV_VALUE; 0 when it needs the general encoder */
static int lmg_rv_scalar(lua_State *L, luaL_Buffer *B)
{
  char num[64];
  size_t n;
  const char *s;
  switch(lua_type(L, LMG_RV_VALUE)) {
  case LUA_TSTRING:
    s = lua_tolstring(L, LMG_RV_VALUE, &n);
    lmg_json_string(B, s, n);
    return 1;
  case LUA_TBOOLEAN:
    luaL_addstring(B, lua_toboolean(L, LMG_RV_VALUE) ? "true" : "false");
    return 1;
  case LUA_TNUMBER:
#if LUA_VERSION_NUM >= 503
    if(lua_isinteger(L, LMG_RV_VALUE)) {
      /* by hand: snprintf costs more than the rest of a recipient */
      lua_Integer v = lua_tointeger(L, LMG_RV_VALUE);
      lua_Unsigned u = v < 0 ? 0u - (lua_Unsigned)v : (lua_Unsigned)v;
      char *end = num + sizeof(num), *w = end;
      do {
        *--w = (char)('0' + (int)(u % 10));
        u /= 10;
      } while(u);
      if(v < 0)
        *--w = '-';
      luaL_addlstring(B, w, (size_t)(end - w));
      return 1;
    }
#endif
    {
      double d = (double)lua_tonumber(L, LMG_RV_VALUE);
      if(isnan(d) || isinf(d))
        return 0;
      snprintf(num, sizeof(num), "%.14g", d);   /* lua-cjson's default */
      luaL_addstring(B, num);
    }
    return 1;
  default:
    return 0;
  }
}

/* the vars table in slot LMG_RV_VARS; 0 when it needs the general encoder */
static int lmg_rv_vars(lua_State *L, luaL_Buffer *B)
{
  int first = 1;
  luaL_addchar(B, '{');
  lua_pushnil(L);
  lua_replace(L, LMG_RV_KEY);
  for(;;) {
    size_t n;
    const char *k;
    lua_pushvalue(L, LMG_RV_KEY);
    if(!lua_next(L, LMG_RV_VARS))
      break;
    lua_replace(L, LMG_RV_VALUE);
    lua_replace(L, LMG_RV_KEY);
    if(lua_type(L, LMG_RV_KEY) != LUA_TSTRING)
      return 0;
    if(!first)
      luaL_addchar(B, ',');
    first = 0;
    k = lua_tolstring(L, LMG_RV_KEY, &n);
    lmg_json_string(B, k, n);
    luaL_addchar(B, ':');
    if(!lmg_rv_scalar(L, B))
      return 0;
  }
  luaL_addchar(B, '}');
  return 1;
}

int lmg_json_by_address(lua_State *L)
{
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_checkinteger(L, 3), k;
  luaL_Buffer B;
  int list;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, LMG_RV_LIST);
  list = !lua_isnil(L, LMG_RV_LIST);
  if(list)
    luaL_checktype(L, LMG_RV_LIST, LUA_TTABLE);
  lua_settop(L, LMG_RV_VALUE);   /* slots 5 to 8: nil */
  luaL_checkstack(L, 8, "json_by_address");
  luaL_buffinit(L, &B);
  luaL_addchar(&B, '{');
  for(k = i; k <= j; k++) {
    size_t n;
    const char *address;
    if(list) {   /* keys[k] and vars[k] (false: none) */
      lua_rawgeti(L, 1, (int)k);
      lua_replace(L, LMG_RV_ADDRESS);
      lua_rawgeti(L, LMG_RV_LIST, (int)k);
      if(lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
      }
      lua_replace(L, LMG_RV_VARS);
    }
    else {
      lua_rawgeti(L, 1, (int)k);
      if(!lua_istable(L, -1))
        return luaL_error(L, "json_by_address: entry %d is not a table",
                          (int)k);
      lua_getfield(L, -1, "address");
      lua_replace(L, LMG_RV_ADDRESS);
      lua_getfield(L, -1, "vars");
      lua_replace(L, LMG_RV_VARS);
      lua_pop(L, 1);
    }
    if(lua_type(L, LMG_RV_ADDRESS) != LUA_TSTRING)
      return luaL_error(L, "json_by_address: entry %d has no address",
                        (int)k);
    if(k > i)
      luaL_addchar(&B, ',');
    address = lua_tolstring(L, LMG_RV_ADDRESS, &n);
    lmg_json_string(&B, address, n);
    luaL_addchar(&B, ':');
    if(lua_isnil(L, LMG_RV_VARS))
      luaL_addstring(&B, "{}");
    else if(!lua_istable(L, LMG_RV_VARS) || !lmg_rv_vars(L, &B)) {
      luaL_pushresult(&B);   /* closes the buffer; the text is dropped */
      lua_pushnil(L);
      return 1;
    }
  }
  luaL_addchar(&B, '}');
  luaL_pushresult(&B);
  return 1;
}

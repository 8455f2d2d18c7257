/*
 * by_address.c: core.json_by_address(entries, i, j), the hot path of batch
 * sending (one call of up to 1,000 recipients, each with its variables).
 *
 * entries[i..j] are tables {address = "a@x", vars = {name = scalar, ...}};
 * or, with a fourth argument, core.json_by_address(keys, i, j, vars):
 * keys[k] the address and vars[k] its variables (false or nil: none), two
 * lists and no table per recipient (a batch's own storage);
 * the result is the JSON object {"a@x": {...vars}, ...} (Mailgun's
 * recipient-variables), built in one C buffer instead of a Lua table of
 * tables walked by the JSON encoder.  Only flat variables are handled here
 * (string keys; string, number and boolean values): for anything else
 * (nested tables, NaN or infinite numbers) it returns nil and the caller
 * uses the general JSON encoder.  Strings are escaped as lua-cjson escapes
 * them, so the text is the same whichever path built it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

void lmg_out_put(struct lmg_out *o, const char *s, size_t n)
{
  if(o->oom)
    return;
  if(n > o->cap - o->n) {
    size_t cap = o->cap ? o->cap : 256;
    char *p;
    while(cap - o->n < n) {
      if(cap > ((size_t)-1) / 2) {
        o->oom = 1;
        return;
      }
      cap *= 2;
    }
    p = realloc(o->p, cap);
    if(!p) {
      o->oom = 1;
      return;
    }
    o->p = p;
    o->cap = cap;
  }
  if(n)
    memcpy(o->p + o->n, s, n);
  o->n += n;
}

static void lmg_out_str(struct lmg_out *o, const char *s)
{
  lmg_out_put(o, s, strlen(s));
}

void lmg_out_char(struct lmg_out *o, char c)
{
  if(o->n < o->cap)
    o->p[o->n++] = c;
  else
    lmg_out_put(o, &c, 1);
}

void lmg_json_string(struct lmg_out *B, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t i, start = 0;
  lmg_out_char(B, '"');
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
    lmg_out_put(B, s + start, i - start);
    lmg_out_str(B, esc);
    start = i + 1;
  }
  lmg_out_put(B, s + start, n - start);
  lmg_out_char(B, '"');
}

/* Stack slots of what is being encoded (the buffer's userdata above). */
#define LMG_RV_LIST 4      /* the vars list of the second form, or nil */
#define LMG_RV_ADDRESS 5
#define LMG_RV_VARS 6

/* the value on top of the stack; 0 when it needs the general encoder */
static int lmg_rv_scalar(lua_State *L, struct lmg_out *B)
{
  char num[64];
  size_t n;
  const char *s;
  switch(lua_type(L, -1)) {
  case LUA_TSTRING:
    s = lua_tolstring(L, -1, &n);
    lmg_json_string(B, s, n);
    return 1;
  case LUA_TBOOLEAN:
    lmg_out_str(B, lua_toboolean(L, -1) ? "true" : "false");
    return 1;
  case LUA_TNUMBER:
#if LUA_VERSION_NUM >= 503
    if(lua_isinteger(L, -1)) {
      /* by hand: snprintf costs more than the rest of a recipient */
      lua_Integer v = lua_tointeger(L, -1);
      lua_Unsigned u = v < 0 ? 0u - (lua_Unsigned)v : (lua_Unsigned)v;
      char *end = num + sizeof(num), *w = end;
      do {
        *--w = (char)('0' + (int)(u % 10));
        u /= 10;
      } while(u);
      if(v < 0)
        *--w = '-';
      lmg_out_put(B, w, (size_t)(end - w));
      return 1;
    }
#endif
    {
      double d = (double)lua_tonumber(L, -1);
      if(isnan(d) || isinf(d))
        return 0;
      snprintf(num, sizeof(num), "%.14g", d);   /* lua-cjson's default */
      lmg_out_str(B, num);
    }
    return 1;
  default:
    return 0;
  }
}

/* the vars table in slot LMG_RV_VARS; 0 when it needs the general encoder */
static int lmg_rv_vars(lua_State *L, struct lmg_out *B)
{
  int first = 1;
  lmg_out_char(B, '{');
  lua_pushnil(L);
  while(lua_next(L, LMG_RV_VARS)) {   /* key at -2, value at -1 */
    size_t n;
    const char *k;
    if(lua_type(L, -2) != LUA_TSTRING)
      return 0;
    if(!first)
      lmg_out_char(B, ',');
    first = 0;
    k = lua_tolstring(L, -2, &n);
    lmg_json_string(B, k, n);
    lmg_out_char(B, ':');
    if(!lmg_rv_scalar(L, B))
      return 0;
    lua_pop(L, 1);
  }
  lmg_out_char(B, '}');
  return 1;
}

/* the buffer's finaliser: a raise half-way (a bad entry, no memory) frees
   what was built */
static int lmg_out_gc(lua_State *L)
{
  struct lmg_out *o = lua_touserdata(L, 1);
  free(o->p);
  o->p = NULL;
  return 0;
}

/* A C buffer of cap bytes, owned by a userdata pushed on the stack: the
   text grows in C memory, not as Lua garbage (a call's 1,000 recipients
   are tens of kilobytes), and one string is made at the end. */
static struct lmg_out *lmg_out_guarded(lua_State *L, size_t cap)
{
  struct lmg_out *o = lua_newuserdatauv(L, sizeof(*o), 0);
  memset(o, 0, sizeof(*o));
  if(luaL_newmetatable(L, "mailgun.core.out")) {
    lua_pushcfunction(L, lmg_out_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  o->p = malloc(cap);
  if(o->p)
    o->cap = cap;
  else
    o->oom = 1;
  return o;
}

int lmg_json_by_address(lua_State *L)
{
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_checkinteger(L, 3), k;
  struct lmg_out *B;
  int list;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, LMG_RV_LIST);
  list = !lua_isnil(L, LMG_RV_LIST);
  if(list)
    luaL_checktype(L, LMG_RV_LIST, LUA_TTABLE);
  lua_settop(L, LMG_RV_VARS);   /* slots 5 and 6: nil */
  luaL_checkstack(L, 8, "json_by_address");
  /* about 64 bytes a recipient with a few variables */
  B = lmg_out_guarded(L, j >= i && j - i < 100000 ? (size_t)(j - i + 1) * 64 + 2 : 4096);
  lmg_out_char(B, '{');
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
      lmg_out_char(B, ',');
    address = lua_tolstring(L, LMG_RV_ADDRESS, &n);
    lmg_json_string(B, address, n);
    lmg_out_char(B, ':');
    if(lua_isnil(L, LMG_RV_VARS))
      lmg_out_str(B, "{}");
    else if(!lua_istable(L, LMG_RV_VARS) || !lmg_rv_vars(L, B)) {
      lua_pushnil(L);   /* the buffer is freed by its finaliser */
      return 1;
    }
  }
  lmg_out_char(B, '}');
  if(B->oom)
    return luaL_error(L, "json_by_address: out of memory");
  lua_pushlstring(L, B->p, B->n);
  free(B->p);
  B->p = NULL;
  return 1;
}

/*
 * parser_lua.c: core.multipart_parser, the Lua face of parser.c (the
 * inverse of core.form()).
 *
 *   p = core.multipart_parser{boundary=, max_size=, max_parts=,
 *                             max_header_size=, max_part_size=}
 *   p:feed(chunk) -> p | nil, word, detail
 *   p:finish() -> p                        (no more input)
 *   p:next() -> "part", headers | "data", bytes | "end", info | "done"
 *             | nil (feed more) | nil, word, detail
 *   p:sink("caller" | "memory" | "discard" | "file", path
 *          | "spill", threshold, path) -> true | nil, "file", detail
 *   p:close()
 *
 * C never calls Lua: the caller pulls events, so a Lua error can never
 * unwind through parser state, and everything the parser owns (buffers,
 * the open file of the current part) is freed by close/__gc, which also
 * removes a part file left incomplete.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "parser.h"

#define LMG_PARSER_MT "mailgun.core.multipart_parser"

enum { LMG_SINK_CALLER, LMG_SINK_MEMORY, LMG_SINK_DISCARD, LMG_SINK_FILE,
       LMG_SINK_SPILL };

struct lmg_pstate {
  struct lmg_mpp mpp;
  int in_part;          /* between "part" and "end" */
  int sink;
  size_t size;          /* body bytes of the current part */
  size_t spill_at;      /* spill: memory up to this many bytes */
  char *mem;            /* owned: memory sink, spill before the threshold */
  size_t mem_len;
  size_t mem_cap;
  FILE *fp;             /* owned: file of the current part */
  char *path;           /* owned: its path, NULL when none */
  int created;          /* we created that file: remove it if incomplete */
};

struct lmg_parser_ud {
  struct lmg_pstate *s;  /* NULL when closed */
};

/* ends the current part's sink; remove: delete its file (incomplete) */
static void lmg_sink_reset(struct lmg_pstate *s, int remove_file)
{
  if(s->fp) {
    fclose(s->fp);
    s->fp = NULL;
  }
  if(s->path && s->created && remove_file)
    remove(s->path);
  s->created = 0;
  free(s->path);
  s->path = NULL;
  free(s->mem);
  s->mem = NULL;
  s->mem_len = s->mem_cap = 0;
  s->sink = LMG_SINK_CALLER;
  s->spill_at = 0;
  s->size = 0;
}

static void lmg_pstate_free(struct lmg_pstate *s)
{
  lmg_sink_reset(s, s->in_part);
  lmg_mpp_free(&s->mpp);
  free(s);
}

static struct lmg_pstate *lmg_parser_check(lua_State *L)
{
  struct lmg_parser_ud *u = luaL_checkudata(L, 1, LMG_PARSER_MT);
  if(!u->s)
    luaL_argerror(L, 1, "parser is closed");
  return u->s;
}

static void lmg_push_size(lua_State *L, size_t n)
{
#if LUA_VERSION_NUM >= 503
  lua_pushinteger(L, (lua_Integer)n);
#else
  lua_pushnumber(L, (lua_Number)n);
#endif
}

static int lmg_file_error(struct lmg_pstate *s, const char *what)
{
  char detail[100];
  snprintf(detail, sizeof(detail), "cannot %s the part file: %s", what,
           strerror(errno));
  lmg_sink_reset(s, 1);
  return lmg_mpp_fail(&s->mpp, "file", detail);
}

static int lmg_mem_append(struct lmg_pstate *s, const char *p, size_t n)
{
  if(n > s->mem_cap - s->mem_len) {
    size_t cap = s->mem_cap ? s->mem_cap : 4096;
    char *mem;
    while(cap - s->mem_len < n) {
      if(cap > ((size_t)-1) / 2)
        return -1;
      cap *= 2;
    }
    mem = realloc(s->mem, cap);
    if(!mem)
      return -1;
    s->mem = mem;
    s->mem_cap = cap;
  }
  memcpy(s->mem + s->mem_len, p, n);
  s->mem_len += n;
  return 0;
}

/* body bytes into a C sink; LMG_MPP_ERROR when that failed */
static int lmg_sink_write(struct lmg_pstate *s, const char *p, size_t n)
{
  s->size += n;
  switch(s->sink) {
  case LMG_SINK_DISCARD:
    return 0;
  case LMG_SINK_SPILL:
    if(!s->fp && s->mem_len + n <= s->spill_at)
      break;
    if(!s->fp) {
      s->fp = fopen(s->path, "wb");
      if(!s->fp)
        return lmg_file_error(s, "create");
      s->created = 1;
      if(s->mem_len && fwrite(s->mem, 1, s->mem_len, s->fp) != s->mem_len)
        return lmg_file_error(s, "write");
      free(s->mem);
      s->mem = NULL;
      s->mem_len = s->mem_cap = 0;
    }
    /* fall through */
  case LMG_SINK_FILE:
    if(fwrite(p, 1, n, s->fp) != n)
      return lmg_file_error(s, "write");
    return 0;
  default:
    break;
  }
  if(lmg_mem_append(s, p, n)) {
    lmg_sink_reset(s, 1);
    return lmg_mpp_fail(&s->mpp, "no_memory", "out of memory");
  }
  return 0;
}

/* {name = value}: lowercase names, the first of repeated headers wins */
static void lmg_push_headers(lua_State *L, struct lmg_mpp *p)
{
  size_t i, j;
  lua_createtable(L, 0, (int)p->nfields);
  for(i = 0; i < p->nfields; i++) {
    const struct lmg_mpp_field *f = &p->fields[i];
    char name[64];
    luaL_Buffer B;
    if(f->name_len < sizeof(name)) {
      for(j = 0; j < f->name_len; j++)
        name[j] = (char)tolower((unsigned char)p->hdr[f->name + j]);
      lua_pushlstring(L, name, f->name_len);
    }
    else {
      luaL_buffinit(L, &B);
      for(j = 0; j < f->name_len; j++)
        luaL_addchar(&B, (char)tolower((unsigned char)p->hdr[f->name + j]));
      luaL_pushresult(&B);
    }
    lua_pushvalue(L, -1);
    lua_rawget(L, -3);
    if(!lua_isnil(L, -1)) {
      lua_pop(L, 2);
      continue;
    }
    lua_pop(L, 1);
    lua_pushlstring(L, p->hdr + f->value, f->value_len);
    lua_rawset(L, -3);
  }
}

/* {size=, data= | path=}: the part is complete */
static int lmg_push_end(lua_State *L, struct lmg_pstate *s)
{
  lua_createtable(L, 0, 2);
  lmg_push_size(L, s->size);
  lua_setfield(L, -2, "size");
  if(s->fp) {
    FILE *fp = s->fp;
    s->fp = NULL;
    if(fclose(fp) != 0) {
      lua_pop(L, 1);
      lmg_file_error(s, "close");
      return 0;
    }
    lua_pushstring(L, s->path);
    lua_setfield(L, -2, "path");
  }
  else if(s->sink == LMG_SINK_MEMORY || s->sink == LMG_SINK_SPILL) {
    lua_pushlstring(L, s->mem ? s->mem : "", s->mem_len);
    lua_setfield(L, -2, "data");
  }
  s->in_part = 0;
  lmg_sink_reset(s, 0);
  return 1;
}

static int lmg_parser_next(lua_State *L)
{
  struct lmg_pstate *s = lmg_parser_check(L);
  for(;;) {
    int ev = lmg_mpp_next(&s->mpp);
    switch(ev) {
    case LMG_MPP_NEED:
      lua_pushnil(L);
      return 1;
    case LMG_MPP_PART:
      lmg_sink_reset(s, 0);
      s->in_part = 1;
      lua_pushliteral(L, "part");
      lmg_push_headers(L, &s->mpp);
      return 2;
    case LMG_MPP_DATA:
      if(s->sink == LMG_SINK_CALLER) {
        s->size += s->mpp.len;
        lua_pushliteral(L, "data");
        lua_pushlstring(L, s->mpp.data, s->mpp.len);
        return 2;
      }
      lmg_sink_write(s, s->mpp.data, s->mpp.len);
      break;
    case LMG_MPP_PART_END:
      lua_pushliteral(L, "end");
      if(lmg_push_end(L, s))
        return 2;
      lua_pop(L, 1);
      break;
    case LMG_MPP_DONE:
      lua_pushliteral(L, "done");
      return 1;
    default:
      if(s->in_part) {
        lmg_sink_reset(s, 1);
        s->in_part = 0;
      }
      luaL_pushfail(L);
      lua_pushstring(L, s->mpp.error);
      lua_pushstring(L, s->mpp.detail);
      return 3;
    }
  }
}

static int lmg_parser_feed(lua_State *L)
{
  struct lmg_pstate *s = lmg_parser_check(L);
  size_t n;
  const char *chunk = luaL_checklstring(L, 2, &n);
  if(lmg_mpp_feed(&s->mpp, chunk, n)) {
    if(s->in_part) {
      lmg_sink_reset(s, 1);
      s->in_part = 0;
    }
    luaL_pushfail(L);
    lua_pushstring(L, s->mpp.error);
    lua_pushstring(L, s->mpp.detail);
    return 3;
  }
  lua_settop(L, 1);
  return 1;
}

static int lmg_parser_finish(lua_State *L)
{
  lmg_mpp_finish(&lmg_parser_check(L)->mpp);
  lua_settop(L, 1);
  return 1;
}

static int lmg_parser_sink(lua_State *L)
{
  static const char *const kinds[] = {"caller", "memory", "discard", "file",
                                      "spill", NULL};
  struct lmg_pstate *s = lmg_parser_check(L);
  int kind = luaL_checkoption(L, 2, NULL, kinds);
  const char *path = NULL;
  size_t path_len = 0;
  lua_Number spill_at = 0;
  if(!s->in_part || s->size || s->sink != LMG_SINK_CALLER)
    return luaL_error(L, "sink: choose it once, right after \"part\"");
  if(kind == LMG_SINK_SPILL) {
    spill_at = luaL_checknumber(L, 3);
    luaL_argcheck(L, spill_at >= 0, 3, "must be a byte count");
    path = luaL_checklstring(L, 4, &path_len);
    luaL_argcheck(L, strlen(path) == path_len, 4, "path with a NUL byte");
  }
  else if(kind == LMG_SINK_FILE) {
    path = luaL_checklstring(L, 3, &path_len);
    luaL_argcheck(L, strlen(path) == path_len, 3, "path with a NUL byte");
  }
  if(path) {
    s->path = malloc(path_len + 1);
    if(!s->path)
      return luaL_error(L, "sink: out of memory");
    memcpy(s->path, path, path_len + 1);
  }
  if(kind == LMG_SINK_FILE) {
    s->fp = fopen(path, "wb");
    if(!s->fp) {
      int err = errno;
      free(s->path);
      s->path = NULL;
      luaL_pushfail(L);
      lua_pushliteral(L, "file");
      lua_pushfstring(L, "cannot create %s: %s", path, strerror(err));
      return 3;
    }
    s->created = 1;
  }
  s->sink = kind;
  s->spill_at = spill_at > 1e15 ? (size_t)1e15 : (size_t)spill_at;
  lua_pushboolean(L, 1);
  return 1;
}

static int lmg_parser_close(lua_State *L)
{
  struct lmg_parser_ud *u = luaL_checkudata(L, 1, LMG_PARSER_MT);
  if(u->s) {
    lmg_pstate_free(u->s);
    u->s = NULL;
  }
  return 0;
}

static int lmg_parser_tostring(lua_State *L)
{
  struct lmg_parser_ud *u = luaL_checkudata(L, 1, LMG_PARSER_MT);
  return lmg_push_name(L, LMG_PARSER_MT, u->s);
}

/* a size limit option: nil (the default), or a non-negative number */
static size_t lmg_limit(lua_State *L, const char *name, size_t dflt)
{
  size_t v = dflt;
  lua_getfield(L, 1, name);
  if(!lua_isnil(L, -1)) {
    lua_Number n;
    if(lua_type(L, -1) != LUA_TNUMBER)
      luaL_error(L, "bad option '%s' to 'multipart_parser' (a byte count "
                 "expected)", name);
    n = lua_tonumber(L, -1);
    if(!(n >= 0))
      luaL_error(L, "bad option '%s' to 'multipart_parser' (a byte count "
                 "expected)", name);
    v = n > 1e15 ? (size_t)1e15 : (size_t)n;
  }
  lua_pop(L, 1);
  return v;
}

static int lmg_parser_new(lua_State *L)
{
  static const char *const known[] = {"boundary", "max_size", "max_parts",
                                      "max_header_size", "max_part_size",
                                      NULL};
  struct lmg_mpp_limits lim;
  struct lmg_parser_ud *u;
  struct lmg_pstate *s;
  const char *boundary;
  size_t blen;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushnil(L);
  while(lua_next(L, 1)) {
    int i, ok = 0;
    lua_pop(L, 1);
    for(i = 0; lua_type(L, -1) == LUA_TSTRING && known[i]; i++)
      ok = ok || !strcmp(known[i], lua_tostring(L, -1));
    if(!ok)
      return luaL_error(L, "bad option '%s' to 'multipart_parser' (unknown "
                        "option)", lua_type(L, -1) == LUA_TSTRING ?
                        lua_tostring(L, -1) : luaL_typename(L, -1));
  }
  lim.max_size = lmg_limit(L, "max_size", 0);
  lim.max_parts = lmg_limit(L, "max_parts", 1000);
  lim.max_header = lmg_limit(L, "max_header_size", 16384);
  lim.max_part = lmg_limit(L, "max_part_size", 0);
  lua_getfield(L, 1, "boundary");
  if(lua_type(L, -1) != LUA_TSTRING)
    return luaL_error(L, "bad option 'boundary' to 'multipart_parser' "
                      "(string expected)");
  boundary = lua_tolstring(L, -1, &blen);
  u = lua_newuserdatauv(L, sizeof(*u), 0);
  u->s = NULL;
  luaL_setmetatable(L, LMG_PARSER_MT);
  s = calloc(1, sizeof(*s));
  if(!s)
    return luaL_error(L, "multipart_parser: out of memory");
  if(lmg_mpp_init(&s->mpp, boundary, blen, &lim)) {
    free(s);
    luaL_pushfail(L);
    lua_pushliteral(L, "bad_boundary");
    lua_pushliteral(L, "the boundary is not 1 to 70 RFC 2046 characters");
    return 3;
  }
  u->s = s;
  return 1;
}

/* registers the metatable and core.multipart_parser in the module table
   on top of the stack */
void lmg_parser_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"feed", lmg_parser_feed},
    {"finish", lmg_parser_finish},
    {"next", lmg_parser_next},
    {"sink", lmg_parser_sink},
    {NULL, NULL}
  };
  lmg_new_metatable(L, LMG_PARSER_MT, methods, lmg_parser_close,
                    lmg_parser_tostring);
  lua_pushcfunction(L, lmg_parser_new);
  lua_setfield(L, -2, "multipart_parser");
}

/*
 * simple.c: the common message in one C pass.  A message made only of a
 * few string fields, its addresses bare ("a@x.org") or "Name <a@x.org>"
 * with nothing to unquote or split, is checked and encoded here: a
 * multipart form (Mailgun) or a JSON text (MailerSend).  Anything else
 * gives nil, and the Lua layer, where the rules live, takes the message:
 * this is only a shortcut to the answer the Lua path gives (the specs hold
 * both to the same bytes).
 *
 *   core.simple_encoder(format, fields) -> encode
 *     format: "form" or "json";
 *     fields: a list of {name =, wire =, kind =, max =, refuse =}:
 *       name   the message field, wire its name on the wire;
 *       kind   "recipient": one address, no comma (a comma would make a
 *                list: the Lua path splits it), counted;
 *              "address": one address;
 *              "line": text without CR or LF;  "text": any text;
 *       max    at most that many bytes (optional);
 *       refuse bytes a recipient's name must not hold (optional).
 *   encode(msg) -> form | json, recipients | nil
 *     nil unless every key of msg is one of the names with a string value
 *     that passes its kind, and at least one recipient is given.  A form
 *     has its fields in the order of the wire names (the Lua path sorts
 *     them); JSON: "address" {"email":..,"name":..}, "recipient" a list of
 *     one such object, the others strings, escaped as lua-cjson does.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "form.h"

#define LMG_SIMPLE_MAX 16
#define LMG_SIMPLE_NAME 32

enum lmg_simple_kind {
  LMG_SIMPLE_RECIPIENT, LMG_SIMPLE_ADDRESS, LMG_SIMPLE_LINE, LMG_SIMPLE_TEXT
};

struct lmg_simple_field {
  char name[LMG_SIMPLE_NAME];
  char wire[LMG_SIMPLE_NAME];
  size_t name_len, wire_len;
  enum lmg_simple_kind kind;
  size_t max;                     /* 0: no limit */
  char refuse[LMG_SIMPLE_NAME];   /* "": none */
};

struct lmg_simple {
  int json;
  int n;
  struct lmg_simple_field f[LMG_SIMPLE_MAX];
};

/* one value of a message, as the checks read it */
struct lmg_simple_value {
  const char *s;                  /* NULL: not given */
  size_t n;
  const char *email, *name;       /* addresses; name NULL: bare */
  size_t email_len, name_len;
};

static int lmg_has_control_bytes(const char *s, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c < 32 || c == 127)
      return 1;
  }
  return 0;
}

/* A bare address, or 'Name <address>' with nothing to trim, unquote or
   split: engine/address.lua's two fast paths (is_plain, named_plain),
   byte for byte; 0 for anything else. */
static int lmg_simple_address(struct lmg_simple_value *v)
{
  const char *s = v->s, *lt;
  size_t n = v->n, last;
  if(lmg_plain_bytes(s, n)) {
    v->email = s;
    v->email_len = n;
    v->name = NULL;
    return 1;
  }
  if(lmg_has_control_bytes(s, n))
    return 0;
  lt = memchr(s, '<', n);
  if(!lt || lt == s || s[n - 1] != '>' || s[0] == ' ')
    return 0;
  v->email = lt + 1;
  v->email_len = n - (size_t)(lt - s) - 2;
  if(!lmg_plain_bytes(v->email, v->email_len))
    return 0;
  last = (size_t)(lt - s) - 1;
  while(s[last] == ' ')   /* stops at s[0], not a space */
    last--;
  v->name = s;
  v->name_len = last + 1;
  return !memchr(s, '>', v->name_len) && !memchr(s, '"', v->name_len);
}

static int lmg_simple_check(const struct lmg_simple_field *f,
                            struct lmg_simple_value *v)
{
  size_t i;
  if(f->max && v->n > f->max)
    return 0;
  switch(f->kind) {
  case LMG_SIMPLE_RECIPIENT:
    if(memchr(v->s, ',', v->n) || !lmg_simple_address(v))
      return 0;
    for(i = 0; v->name && f->refuse[i]; i++)
      if(memchr(v->name, f->refuse[i], v->name_len))
        return 0;
    return 1;
  case LMG_SIMPLE_ADDRESS:
    return lmg_simple_address(v);
  case LMG_SIMPLE_LINE:
    return !memchr(v->s, '\r', v->n) && !memchr(v->s, '\n', v->n);
  default:
    return 1;
  }
}

#define LMG_PUT_LIT(o, lit) lmg_out_put((o), (lit), sizeof(lit) - 1)

static void lmg_simple_json_address(struct lmg_out *B,
                                    const struct lmg_simple_value *v)
{
  LMG_PUT_LIT(B, "{\"email\":");
  lmg_json_string(B, v->email, v->email_len);
  if(v->name) {
    LMG_PUT_LIT(B, ",\"name\":");
    lmg_json_string(B, v->name, v->name_len);
  }
  lmg_out_char(B, '}');
}

static int lmg_simple_json(lua_State *L, const struct lmg_simple *e,
                           const struct lmg_simple_value *v)
{
  struct lmg_out B;
  int i, first = 1;
  size_t size = 64;
  for(i = 0; i < e->n; i++)
    size += v[i].s ? v[i].n + 48 : 0;
  memset(&B, 0, sizeof(B));
  B.p = malloc(size);   /* nothing raises until it is freed */
  B.cap = B.p ? size : 0;
  lmg_out_char(&B, '{');
  for(i = 0; i < e->n; i++) {
    const struct lmg_simple_field *f = &e->f[i];
    if(!v[i].s)
      continue;
    if(!first)
      lmg_out_char(&B, ',');
    first = 0;
    lmg_json_string(&B, f->wire, f->wire_len);
    lmg_out_char(&B, ':');
    if(f->kind == LMG_SIMPLE_RECIPIENT) {
      lmg_out_char(&B, '[');
      lmg_simple_json_address(&B, &v[i]);
      lmg_out_char(&B, ']');
    }
    else if(f->kind == LMG_SIMPLE_ADDRESS)
      lmg_simple_json_address(&B, &v[i]);
    else
      lmg_json_string(&B, v[i].s, v[i].n);
  }
  lmg_out_char(&B, '}');
  if(B.oom) {
    free(B.p);
    return luaL_error(L, "simple_encoder: out of memory");
  }
  lua_pushlstring(L, B.p, B.n);   /* (only a memory error raises here) */
  free(B.p);
  return 1;
}

static int lmg_simple_form(lua_State *L, const struct lmg_simple *e,
                           const struct lmg_simple_value *v)
{
  struct lmg_form *form;
  int i;
  lmg_form_new(L);
  form = lmg_form_check(L, -1);
  for(i = 0; i < e->n; i++)
    if(v[i].s)
      lmg_form_add_field(L, form, e->f[i].wire, e->f[i].wire_len, v[i].s,
                         v[i].n);
  return 1;
}

static int lmg_simple_encode(lua_State *L)
{
  const struct lmg_simple *e = lua_touserdata(L, lua_upvalueindex(1));
  struct lmg_simple_value v[LMG_SIMPLE_MAX];
  int i, recipients = 0;
  memset(v, 0, sizeof(v));
  /* a metatable may change what pairs() sees: the Lua path reads it */
  if(lua_type(L, 1) != LUA_TTABLE || lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  lua_settop(L, 1);
  lua_pushnil(L);
  while(lua_next(L, 1)) {
    size_t kn;
    const char *k;
    if(lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
      lua_pushnil(L);
      return 1;
    }
    k = lua_tolstring(L, -2, &kn);
    for(i = 0; i < e->n; i++)
      if(e->f[i].name_len == kn && !memcmp(e->f[i].name, k, kn))
        break;
    if(i == e->n) {
      lua_pushnil(L);
      return 1;
    }
    /* the string stays alive in msg, which is not changed here */
    v[i].s = lua_tolstring(L, -1, &v[i].n);
    lua_pop(L, 1);
  }
  for(i = 0; i < e->n; i++) {
    if(!v[i].s)
      continue;
    if(!lmg_simple_check(&e->f[i], &v[i])) {
      lua_pushnil(L);
      return 1;
    }
    recipients += e->f[i].kind == LMG_SIMPLE_RECIPIENT;
  }
  if(!recipients) {
    lua_pushnil(L);
    return 1;
  }
  if(e->json)
    lmg_simple_json(L, e, v);
  else
    lmg_simple_form(L, e, v);
  lua_pushinteger(L, recipients);
  return 2;
}

static void lmg_simple_string(lua_State *L, int idx, const char *key,
                              char *dst, size_t *len, int required)
{
  size_t n = 0;
  const char *s;
  lua_getfield(L, idx, key);
  if(lua_isnil(L, -1) && !required) {
    dst[0] = '\0';
    if(len)
      *len = 0;
    lua_pop(L, 1);
    return;
  }
  s = lua_tolstring(L, -1, &n);
  if(lua_type(L, -1) != LUA_TSTRING || n == 0 || n >= LMG_SIMPLE_NAME ||
     strlen(s) != n)
    luaL_error(L, "bad argument #2 to 'simple_encoder' (%s: a string of 1 to "
               "%d bytes expected)", key, LMG_SIMPLE_NAME - 1);
  memcpy(dst, s, n + 1);
  if(len)
    *len = n;
  lua_pop(L, 1);
}

static int lmg_simple_by_wire(const void *a, const void *b)
{
  return strcmp(((const struct lmg_simple_field *)a)->wire,
                ((const struct lmg_simple_field *)b)->wire);
}

int lmg_simple_encoder(lua_State *L)
{
  static const char *const formats[] = {"form", "json", NULL};
  static const char *const kinds[] = {"recipient", "address", "line", "text",
                                      NULL};
  int json = luaL_checkoption(L, 1, NULL, formats);
  struct lmg_simple *e;
  int i, n;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = (int)lua_rawlen(L, 2);
  luaL_argcheck(L, n > 0 && n <= LMG_SIMPLE_MAX, 2,
                "1 to 16 fields expected");
  e = lua_newuserdatauv(L, sizeof(*e), 0);
  memset(e, 0, sizeof(*e));
  e->json = json;
  e->n = n;
  for(i = 0; i < n; i++) {
    struct lmg_simple_field *f = &e->f[i];
    lua_rawgeti(L, 2, i + 1);
    luaL_argcheck(L, lua_istable(L, -1), 2, "a list of field tables expected");
    lmg_simple_string(L, -1, "name", f->name, &f->name_len, 1);
    lmg_simple_string(L, -1, "wire", f->wire, &f->wire_len, 1);
    lua_getfield(L, -1, "kind");
    f->kind = (enum lmg_simple_kind)luaL_checkoption(L, -1, NULL, kinds);
    lua_pop(L, 1);
    lua_getfield(L, -1, "max");
    f->max = lua_isnil(L, -1) ? 0 : (size_t)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    lmg_simple_string(L, -1, "refuse", f->refuse, NULL, 0);
    lua_pop(L, 1);
  }
  if(!json)   /* a form's fields go in the order of their names */
    qsort(e->f, (size_t)n, sizeof(e->f[0]), lmg_simple_by_wire);
  lua_pushcclosure(L, lmg_simple_encode, 1);
  return 1;
}

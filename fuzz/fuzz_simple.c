/*
 * fuzz_simple.c: core.simple_encoder (csrc/simple.c) on messages made
 * from the input: which fields are given and their bytes.  The harness
 * holds its own reading of the rules (engine/address.lua's is_plain and
 * named_plain, the line and size rules, the refused name bytes) and of
 * the JSON it must write (lua-cjson's escapes): the encoder takes exactly
 * the messages the rules take, its JSON is byte for byte the harness's,
 * and a form holds form:length() bytes with each value in it.
 */
#include "fuzz.h"

enum kind { RECIPIENT, ADDRESS, LINE, TEXT };
static const struct field {
  const char *name, *kind_name;
  enum kind kind;
  size_t max;
} FIELDS[] = {
  {"from", "address", ADDRESS, 0},
  {"to", "recipient", RECIPIENT, 0},
  {"cc", "recipient", RECIPIENT, 0},
  {"subject", "line", LINE, 12},
  {"text", "text", TEXT, 0},
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))
#define REFUSE ";,"

static int plain(const char *s, size_t n)
{
  size_t i, ats = 0, at = 0;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c == '@') {
      ats++;
      at = i;
    }
    else if(c < 33 || c == 127 || (c < 128 && strchr("\"<>,()\\", c)))
      return 0;
  }
  return ats == 1 && at > 0 && at + 1 < n;
}

/* the bare email and the name (NULL: none); 0 when not taken */
static int address(const char *s, size_t n, const char **email, size_t *elen,
                   const char **name, size_t *nlen)
{
  size_t i, lt = n, last;
  if(plain(s, n)) {
    *email = s;
    *elen = n;
    *name = NULL;
    return 1;
  }
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c < 32 || c == 127)
      return 0;
    if(c == '<' && lt == n)
      lt = i;
  }
  if(lt == n || lt == 0 || s[n - 1] != '>' || s[0] == ' ')
    return 0;
  *email = s + lt + 1;
  *elen = n - lt - 2;
  if(!plain(*email, *elen))
    return 0;
  for(last = lt; last > 0 && s[last - 1] == ' '; last--)
    ;
  *name = s;
  *nlen = last;
  for(i = 0; i < last; i++)
    if(s[i] == '>' || s[i] == '"')
      return 0;
  return 1;
}

static int contains(const char *hay, size_t n, const char *needle, size_t k)
{
  size_t i;
  for(i = 0; i + k <= n; i++)
    if(memcmp(hay + i, needle, k) == 0)
      return 1;
  return 0;
}

struct buf {
  char *p;
  size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
  if(b->n + n > b->cap) {
    b->cap = 2 * (b->n + n) + 64;
    b->p = realloc(b->p, b->cap);
    CHECK(b->p);
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void put_json(struct buf *b, const char *s, size_t n)
{
  size_t i;
  put(b, "\"", 1);
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char u[8];
    switch(c) {
    case '"': put(b, "\\\"", 2); break;
    case '\\': put(b, "\\\\", 2); break;
    case '/': put(b, "\\/", 2); break;
    case '\b': put(b, "\\b", 2); break;
    case '\f': put(b, "\\f", 2); break;
    case '\n': put(b, "\\n", 2); break;
    case '\r': put(b, "\\r", 2); break;
    case '\t': put(b, "\\t", 2); break;
    default:
      if(c < 32 || c == 127) {
        snprintf(u, sizeof(u), "\\u%04x", c);
        put(b, u, 6);
      }
      else
        put(b, (const char *)&c, 1);
    }
  }
  put(b, "\"", 1);
}

static void put_address(struct buf *b, const char *email, size_t elen,
                        const char *name, size_t nlen)
{
  put(b, "{\"email\":", 9);
  put_json(b, email, elen);
  if(name) {
    put(b, ",\"name\":", 8);
    put_json(b, name, nlen);
  }
  put(b, "}", 1);
}

/* encoder(fields) on the stack, for format "form" or "json" */
static void make_encoder(lua_State *L, const char *format)
{
  size_t i;
  lua_pushstring(L, format);
  lua_createtable(L, (int)NFIELDS, 0);
  for(i = 0; i < NFIELDS; i++) {
    lua_createtable(L, 0, 5);
    lua_pushstring(L, FIELDS[i].name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, FIELDS[i].name);
    lua_setfield(L, -2, "wire");
    lua_pushstring(L, FIELDS[i].kind_name);
    lua_setfield(L, -2, "kind");
    if(FIELDS[i].max) {
      lua_pushinteger(L, (lua_Integer)FIELDS[i].max);
      lua_setfield(L, -2, "max");
    }
    if(FIELDS[i].kind == RECIPIENT) {
      lua_pushstring(L, REFUSE);
      lua_setfield(L, -2, "refuse");
    }
    lua_rawseti(L, -2, (int)i + 1);
  }
  CHECK(fz_call(L, 0, "simple_encoder", 2, 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fz_lua();
  struct fz_in in = {data, size};
  const char *value[NFIELDS];
  size_t len[NFIELDS], i;
  int json = fz_byte(&in) & 1, taken = 1, recipients = 0, first = 1;
  struct buf want = {NULL, 0, 0};
  make_encoder(L, json ? "json" : "form");            /* 1: encode */
  lua_createtable(L, 0, (int)NFIELDS);                /* 2: msg */
  for(i = 0; i < NFIELDS; i++) {
    unsigned b = fz_byte(&in);
    value[i] = NULL;
    if(!(b & 1))
      continue;
    value[i] = fz_take(&in, b >> 3, &len[i]);
    lua_pushlstring(L, value[i], len[i]);
    lua_setfield(L, 2, FIELDS[i].name);
  }
  put(&want, "{", 1);
  for(i = 0; i < NFIELDS; i++) {
    const char *email = NULL, *name = NULL;
    size_t elen = 0, nlen = 0;
    const struct field *f = &FIELDS[i];
    if(!value[i])
      continue;
    if(f->max && len[i] > f->max)
      taken = 0;
    if(f->kind == RECIPIENT || f->kind == ADDRESS) {
      if(!address(value[i], len[i], &email, &elen, &name, &nlen))
        taken = 0;
      else if(f->kind == RECIPIENT &&
              (memchr(value[i], ',', len[i]) ||
               (name && (memchr(name, ';', nlen) || memchr(name, ',', nlen)))))
        taken = 0;
      recipients += f->kind == RECIPIENT;
    }
    if(f->kind == LINE && (memchr(value[i], '\r', len[i]) ||
                           memchr(value[i], '\n', len[i])))
      taken = 0;
    if(!taken)
      continue;
    if(!first)
      put(&want, ",", 1);
    first = 0;
    put_json(&want, f->name, strlen(f->name));
    put(&want, ":", 1);
    if(f->kind == RECIPIENT)
      put(&want, "[", 1);
    if(f->kind == RECIPIENT || f->kind == ADDRESS)
      put_address(&want, email, elen, name, nlen);
    else
      put_json(&want, value[i], len[i]);
    if(f->kind == RECIPIENT)
      put(&want, "]", 1);
  }
  put(&want, "}", 1);
  taken = taken && recipients > 0;
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  CHECK(lua_pcall(L, 1, 2, 0) == 0);
  CHECK(taken == !lua_isnil(L, -2));
  if(taken) {
    CHECK(lua_tointeger(L, -1) == recipients);
    if(json) {
      size_t n;
      const char *got = lua_tolstring(L, -2, &n);
      CHECK(n == want.n && memcmp(got, want.p, n) == 0);
    }
    else {
      int form = lua_gettop(L) - 1;
      size_t n;
      const char *bytes;
      lua_Integer length;
      CHECK(fz_call(L, form, "length", 0, 1) == 0);
      length = lua_tointeger(L, -1);
      lua_pushinteger(L, length + 1);
      CHECK(fz_call(L, form, "read", 1, 1) == 0);
      bytes = lua_tolstring(L, -1, &n);
      CHECK(bytes && (lua_Integer)n == length);
      for(i = 0; i < NFIELDS; i++)
        CHECK(!value[i] || contains(bytes, n, value[i], len[i]));
      CHECK(fz_call(L, form, "close", 0, 0) == 0);
    }
  }
  free(want.p);
  return 0;
}

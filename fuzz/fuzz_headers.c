/*
 * fuzz_headers.c: response head lines as libcurl's header callback hands
 * them over (each in its own buffer of exactly its length, not
 * NUL-terminated), then the Lua headers table built from what was kept.
 * Checks the Content-Length cap against a reference parse that cannot
 * overflow, and the table's shape: lower-case names without ':' and
 * values that are strings or lists of strings.
 */
#include <ctype.h>

#include "fuzz.h"
#include "transfer.h"

/* the declared length, saturated at 2^63 - 1; -1 when not such a line */
static long long ref_length(const char *p, size_t n)
{
  static const char name[] = "content-length:";
  unsigned long long v = 0;
  size_t i;
  for(i = 0; i < sizeof(name) - 1; i++)
    if(i >= n || tolower((unsigned char)p[i]) != name[i])
      return -1;
  while(i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  for(; i < n && isdigit((unsigned char)p[i]); i++) {
    v = v * 10 + (unsigned)(p[i] - '0');
    if(v > 0x7fffffffffffffffULL)
      return 0x7fffffffffffffffLL;
  }
  return (long long)v;
}

static void check_table(lua_State *L, int t)
{
  lua_pushnil(L);
  while(lua_next(L, t)) {
    size_t n, i;
    const char *k = lua_tolstring(L, -2, &n);
    CHECK(lua_type(L, -2) == LUA_TSTRING && n > 0);
    for(i = 0; i < n; i++)
      CHECK(k[i] != ':' && tolower((unsigned char)k[i]) == (unsigned char)k[i]);
    if(lua_istable(L, -1)) {
      CHECK(lua_rawlen(L, -1) >= 2);
      for(i = 1; i <= lua_rawlen(L, -1); i++) {
        lua_rawgeti(L, -1, (int)i);
        CHECK(lua_type(L, -1) == LUA_TSTRING);
        lua_pop(L, 1);
      }
    }
    else
      CHECK(lua_type(L, -1) == LUA_TSTRING);
    lua_pop(L, 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fz_lua();
  struct fz_in in = { data, size };
  struct lmg_xfer x;
  int expect_stop = 0;
  memset(&x, 0, sizeof(x));
  x.max_body = fz_byte(&in) * 256 + fz_byte(&in);
  x.head_only = fz_byte(&in) & 1;
  while(in.n && !expect_stop) {
    const char *nl = memchr(in.p, '\n', in.n);
    size_t len, kept;
    const char *s = fz_take(&in, nl ? (size_t)(nl - (const char *)in.p) + 1
                            : in.n, &len);
    char *line = malloc(len ? len : 1);
    long long cl = ref_length(s, len);
    int status = len >= 5 && memcmp(s, "HTTP/", 5) == 0;
    CHECK(line);
    if(len)
      memcpy(line, s, len);
    expect_stop = !status && x.max_body && !x.head_only &&
                  cl > (long long)x.max_body;
    kept = lmg_on_header(line, 1, len, &x);
    CHECK(kept == (expect_stop ? 0 : len));
    CHECK(x.too_large == expect_stop);
    free(line);
  }
  lua_newtable(L);
  lmg_push_headers(L, x.head.data, x.head.len);
  CHECK(lua_gettop(L) == 1);
  check_table(L, 1);
  lmg_buf_free(&x.head);
  lmg_buf_free(&x.body);
  return 0;
}

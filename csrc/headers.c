/*
 * headers.c: the response head as libcurl hands it over, line by line
 * (CURLOPT_HEADERFUNCTION), and as Lua receives it (a table of lower-cased
 * names).  No pointer arithmetic or mem* call ever sees a NULL buffer.
 */
#include <ctype.h>
#include <string.h>

#include "transfer.h"

#define LMG_STATUS_PREFIX "HTTP/"
#define LMG_CONTENT_LENGTH "content-length:"
/* curl_off_t is a signed 64-bit integer wherever libcurl 7.x builds */
#define LMG_OFF_MAX CURL_OFF_T_C(0x7FFFFFFFFFFFFFFF)

static int lmg_prefix(const char *p, size_t n, const char *lower)
{
  size_t i;
  for(i = 0; lower[i]; i++)
    if(i >= n || tolower((unsigned char)p[i]) != lower[i])
      return 0;
  return 1;
}

curl_off_t lmg_content_length(const char *p, size_t n)
{
  curl_off_t len = 0;
  size_t i = LMG_LITLEN(LMG_CONTENT_LENGTH);
  if(!lmg_prefix(p, n, LMG_CONTENT_LENGTH))
    return -1;
  while(i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  for(; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
    int digit = p[i] - '0';
    /* len * 10 + digit would overflow: signed overflow is undefined */
    if(len > (LMG_OFF_MAX - digit) / 10)
      return -2;
    len = len * 10 + digit;
  }
  return len;
}

size_t lmg_on_header(char *p, size_t size, size_t nmemb, void *ud)
{
  struct lmg_xfer *x = ud;
  size_t n = size * nmemb;
  /* a new status line: an interim (1xx) or earlier response is over */
  if(n >= LMG_LITLEN(LMG_STATUS_PREFIX) &&
     memcmp(p, LMG_STATUS_PREFIX, LMG_LITLEN(LMG_STATUS_PREFIX)) == 0) {
    x->head.len = 0;
    x->body.len = 0;
  }
  else if(x->max_body && !x->head_only) {
    curl_off_t len = lmg_content_length(p, n);
    unsigned long long cap = x->max_body;
    if(len == -2 || (len > 0 && (unsigned long long)len > cap)) {
      x->too_large = 1;
      return 0;
    }
  }
  if(lmg_buf_append(&x->head, p, n)) {
    x->oom = 1;
    return 0;
  }
  return n;
}

static void lmg_push_lower(lua_State *L, const char *p, size_t n)
{
  char small[64];
  char *buf = n <= sizeof(small) ? small : NULL;
  size_t i;
  luaL_Buffer B;
  if(buf) {
    for(i = 0; i < n; i++)
      buf[i] = (char)tolower((unsigned char)p[i]);
    lua_pushlstring(L, buf, n);
    return;
  }
  luaL_buffinit(L, &B);
  for(i = 0; i < n; i++)
    luaL_addchar(&B, (char)tolower((unsigned char)p[i]));
  luaL_pushresult(&B);
}

/* Parses the header lines into the table on top of the stack: names
   lower-cased, values trimmed, repeated names become a list. */
void lmg_push_headers(lua_State *L, const char *p, size_t n)
{
  const char *end, *line;
  int t = lua_gettop(L);
  if(!p || !n)
    return;   /* no head (the buffer is NULL until the first line) */
  luaL_checkstack(L, 4, "headers");
  end = p + n;
  /* skip the status line */
  line = memchr(p, '\n', n);
  line = line ? line + 1 : end;
  while(line < end) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    const char *stop = eol ? eol : end;
    const char *colon = memchr(line, ':', (size_t)(stop - line));
    const char *v;
    const char *vend = stop;
    if(colon && colon > line && *line != ' ' && *line != '\t') {
      v = colon + 1;
      while(v < vend && (*v == ' ' || *v == '\t'))
        v++;
      while(vend > v && (vend[-1] == '\r' || vend[-1] == ' ' ||
                         vend[-1] == '\t'))
        vend--;
      lmg_push_lower(L, line, (size_t)(colon - line));
      lua_pushvalue(L, -1);
      lua_rawget(L, t);
      if(lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushlstring(L, v, (size_t)(vend - v));
        lua_rawset(L, t);
      }
      else if(lua_istable(L, -1)) {
        lua_pushlstring(L, v, (size_t)(vend - v));
        lua_rawseti(L, -2, (int)lua_rawlen(L, -2) + 1);
        lua_pop(L, 2);
      }
      else {
        lua_createtable(L, 2, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
        lua_pushlstring(L, v, (size_t)(vend - v));
        lua_rawseti(L, -2, 2);
        lua_rawset(L, t);
      }
    }
    line = eol ? eol + 1 : end;
  }
}

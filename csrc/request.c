/*
 * request.c: the request table of session:request{} and multi:add{},
 * checked (programmer errors raise before anything is allocated) and
 * copied into a struct lmg_req.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "request.h"

/* RFC 7230 tchar: visible ASCII but the separators */
static int lmg_is_tchar(unsigned char c)
{
  if(c <= 32 || c >= 127)
    return 0;
  switch(c) {
  case '"': case '(': case ')': case ',': case '/': case ':': case ';':
  case '<': case '=': case '>': case '?': case '@': case '[': case '\\':
  case ']': case '{': case '}':
    return 0;
  default:
    return 1;
  }
}

static int lmg_is_token(const char *s, size_t n)
{
  size_t i;
  if(!n)
    return 0;
  for(i = 0; i < n; i++)
    if(!lmg_is_tchar((unsigned char)s[i]))
      return 0;
  return 1;
}

static int lmg_has_ctl(const char *s, size_t n)
{
  if(!n)
    return 0;
  return memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n);
}

/* Checks a header value at the top of the stack: a string or number. */
static void lmg_check_header_value(lua_State *L, int idx, const char *name)
{
  size_t n;
  const char *v;
  int t = lua_type(L, -1);
  if(t != LUA_TSTRING && t != LUA_TNUMBER)
    luaL_error(L, "bad argument #%d (header '%s': string expected, got %s)",
               idx, name, luaL_typename(L, -1));
  v = lua_tolstring(L, -1, &n);
  if(lmg_has_ctl(v, n))
    luaL_error(L, "bad argument #%d (header '%s' contains CR, LF or NUL)",
               idx, name);
}

/* The request's fields, read once into stack slots base + LMG_R_*. */
enum { LMG_R_URL = 1, LMG_R_METHOD, LMG_R_HEADERS, LMG_R_BODY, LMG_R_FORM,
       LMG_R_TIMEOUT, LMG_R_ONCE };
static const char *const lmg_req_fields[] = {
  "url", "method", "headers", "body", "form", "timeout", "once"
};

/* headers the caller gave, of those added unless given */
#define LMG_GIVEN_TYPE 1
#define LMG_GIVEN_EXPECT 2

static int lmg_same_lower(const char *s, size_t n, const char *lower)
{
  size_t i;
  for(i = 0; i < n; i++)
    if(!lower[i] || tolower((unsigned char)s[i]) != lower[i])
      return 0;
  return !lower[n];
}

/* First pass: every programmer error raises here, before anything is
   allocated; returns the LMG_GIVEN_* flags. */
static int lmg_req_check(lua_State *L, int idx, int base)
{
  size_t n;
  const char *s;
  int has_body, has_form, given = 0;
  if(lua_type(L, base + LMG_R_URL) != LUA_TSTRING)
    luaL_error(L, "bad argument #%d (url: string expected, got %s)", idx,
               luaL_typename(L, base + LMG_R_URL));
  s = lua_tolstring(L, base + LMG_R_URL, &n);
  if(lmg_has_ctl(s, n))
    luaL_error(L, "bad argument #%d (url contains CR, LF or NUL)", idx);
  if(!lua_isnil(L, base + LMG_R_METHOD)) {
    if(lua_type(L, base + LMG_R_METHOD) != LUA_TSTRING)
      luaL_error(L, "bad argument #%d (method: string expected, got %s)",
                 idx, luaL_typename(L, base + LMG_R_METHOD));
    s = lua_tolstring(L, base + LMG_R_METHOD, &n);
    if(!lmg_is_token(s, n))
      luaL_error(L, "bad argument #%d (method is not an HTTP token)", idx);
  }
  if(!lua_isnil(L, base + LMG_R_HEADERS)) {
    int h = base + LMG_R_HEADERS;
    if(!lua_istable(L, h))
      luaL_error(L, "bad argument #%d (headers: table expected, got %s)",
                 idx, luaL_typename(L, h));
    lua_pushnil(L);
    while(lua_next(L, h)) {
      const char *name;
      if(lua_type(L, -2) != LUA_TSTRING)
        luaL_error(L, "bad argument #%d (header names must be strings)",
                   idx);
      name = lua_tolstring(L, -2, &n);
      if(!lmg_is_token(name, n))
        luaL_error(L, "bad argument #%d (header name '%s' is not a token)",
                   idx, name);
      if(n == 12 && lmg_same_lower(name, n, "content-type"))
        given |= LMG_GIVEN_TYPE;
      else if(n == 6 && lmg_same_lower(name, n, "expect"))
        given |= LMG_GIVEN_EXPECT;
      if(lua_istable(L, -1)) {
        size_t i, len = lua_rawlen(L, -1);
        for(i = 1; i <= len; i++) {
          lua_rawgeti(L, -1, (int)i);
          lmg_check_header_value(L, idx, name);
          lua_pop(L, 1);
        }
      }
      else
        lmg_check_header_value(L, idx, name);
      lua_pop(L, 1);
    }
  }
  has_body = !lua_isnil(L, base + LMG_R_BODY);
  if(has_body && lua_type(L, base + LMG_R_BODY) != LUA_TSTRING)
    luaL_error(L, "bad argument #%d (body: string expected, got %s)", idx,
               luaL_typename(L, base + LMG_R_BODY));
  has_form = !lua_isnil(L, base + LMG_R_FORM);
  if(has_form) {
    if(!luaL_testudata(L, base + LMG_R_FORM, LMG_FORM_MT))
      luaL_error(L, "bad argument #%d (form: core.form expected, got %s)",
                 idx, luaL_typename(L, base + LMG_R_FORM));
    lmg_form_check(L, base + LMG_R_FORM);
  }
  if(has_body && has_form)
    luaL_error(L, "bad argument #%d (give at most one of body and form)",
               idx);
  if(!lua_isnil(L, base + LMG_R_TIMEOUT) &&
     (lua_type(L, base + LMG_R_TIMEOUT) != LUA_TNUMBER ||
      !(lua_tonumber(L, base + LMG_R_TIMEOUT) >= 0)))
    luaL_error(L, "bad argument #%d (timeout: milliseconds expected)", idx);
  if(!lua_isnil(L, base + LMG_R_ONCE) &&
     lua_type(L, base + LMG_R_ONCE) != LUA_TBOOLEAN)
    luaL_error(L, "bad argument #%d (once: boolean expected, got %s)", idx,
               luaL_typename(L, base + LMG_R_ONCE));
  return given;
}

/* Appends "Name: value" (or "Name;" for an empty value, which libcurl
   sends as an empty header) to the list. */
static int lmg_add_header(struct curl_slist **list, const char *name,
                         size_t nlen, const char *value, size_t vlen)
{
  struct curl_slist *next;
  char small[256];
  char *line = nlen + vlen + 3 <= sizeof(small) ? small :
               malloc(nlen + vlen + 3);
  if(!line)
    return -1;
  memcpy(line, name, nlen);
  if(vlen) {
    line[nlen] = ':';
    line[nlen + 1] = ' ';
    memcpy(line + nlen + 2, value, vlen);
    line[nlen + 2 + vlen] = '\0';
  }
  else {
    line[nlen] = ';';
    line[nlen + 1] = '\0';
  }
  next = curl_slist_append(*list, line);
  if(line != small)
    free(line);
  if(!next)
    return -1;
  *list = next;
  return 0;
}

/* Reads the request table at idx into r (zeroed, or freed by
   lmg_req_free).  Raises for programmer errors before allocating. */
void lmg_req_read(lua_State *L, int idx, struct lmg_req *r)
{
  const char *s;
  size_t n, f;
  int h, given, oom = 0, base = lua_gettop(L);
  luaL_checktype(L, idx, LUA_TTABLE);
  for(f = 0; f < sizeof(lmg_req_fields) / sizeof(lmg_req_fields[0]); f++)
    lua_getfield(L, idx, lmg_req_fields[f]);
  given = lmg_req_check(L, idx, base);
  r->body_ref = LUA_NOREF;
  r->timeout_ms = -1;
  s = lua_tolstring(L, base + LMG_R_URL, &n);
  r->url = lmg_strndup(s, n);
  if(lua_isnil(L, base + LMG_R_METHOD))
    r->method = lmg_strndup("GET", 3);
  else {
    s = lua_tolstring(L, base + LMG_R_METHOD, &n);
    r->method = lmg_strndup(s, n);
  }
  oom = !r->url || !r->method;
  h = base + LMG_R_HEADERS;
  if(!lua_isnil(L, h)) {
    lua_pushnil(L);
    while(!oom && lua_next(L, h)) {
      size_t nlen, vlen;
      const char *name = lua_tolstring(L, -2, &nlen);
      if(lua_istable(L, -1)) {
        size_t i, len = lua_rawlen(L, -1);
        for(i = 1; !oom && i <= len; i++) {
          lua_rawgeti(L, -1, (int)i);
          s = lua_tolstring(L, -1, &vlen);
          oom = lmg_add_header(&r->headers, name, nlen, s, vlen);
          lua_pop(L, 1);
        }
      }
      else {
        lua_pushvalue(L, -1);   /* numbers convert on a copy */
        s = lua_tolstring(L, -1, &vlen);
        oom = lmg_add_header(&r->headers, name, nlen, s, vlen);
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    lua_settop(L, base + LMG_R_ONCE);
  }
  if(!lua_isnil(L, base + LMG_R_FORM)) {
    r->form = lmg_form_check(L, base + LMG_R_FORM);
    lmg_form_retain(r->form);
    if(!oom && !(given & LMG_GIVEN_TYPE)) {
      const char *ct = lmg_form_content_type(r->form);
      oom = lmg_add_header(&r->headers, "Content-Type", 12, ct, strlen(ct));
    }
  }
  else if(!oom && !(given & LMG_GIVEN_TYPE)) {
    /* a raw body goes without a Content-Type unless one is given (libcurl
       would claim application/x-www-form-urlencoded) */
    struct curl_slist *next = curl_slist_append(r->headers, "Content-Type:");
    if(next)
      r->headers = next;
    else
      oom = 1;
  }
  /* no "Expect: 100-continue" round trip unless asked for */
  if(!oom && !(given & LMG_GIVEN_EXPECT)) {
    struct curl_slist *next = curl_slist_append(r->headers, "Expect:");
    if(next)
      r->headers = next;
    else
      oom = 1;
  }
  if(!lua_isnil(L, base + LMG_R_BODY)) {
    r->body = lua_tolstring(L, base + LMG_R_BODY, &r->body_len);
    lua_pushvalue(L, base + LMG_R_BODY);
    r->body_ref = luaL_ref(L, LUA_REGISTRYINDEX);  /* pins the string */
  }
  if(!lua_isnil(L, base + LMG_R_TIMEOUT))
    r->timeout_ms = lmg_to_long(L, lua_tonumber(L, base + LMG_R_TIMEOUT),
                                "timeout");
  r->once = lua_toboolean(L, base + LMG_R_ONCE);
  lua_settop(L, base);
  if(oom)
    luaL_error(L, "out of memory");
}

void lmg_req_free(lua_State *L, struct lmg_req *r)
{
  free(r->url);
  free(r->method);
  curl_slist_free_all(r->headers);
  if(r->body_ref != LUA_NOREF && r->body_ref != LUA_REFNIL)
    luaL_unref(L, LUA_REGISTRYINDEX, r->body_ref);
  lmg_form_release(r->form);
  memset(r, 0, sizeof(*r));
  r->body_ref = LUA_NOREF;
}


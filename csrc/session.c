/*
 * session.c: core.session, plus what session and multi share: reading
 * options and requests from Lua, applying them to an easy handle, and
 * turning a finished transfer into Lua values.
 *
 * libcurl callbacks here only append to C buffers; Lua values are built
 * after curl_easy_perform (or the multi's perform) has returned.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* response buffers larger than this are freed after each request, so a
   session does not keep the memory of one big download */
#define MG_KEEP_BUFFER (256 * 1024)

struct mg_session {
  CURL *easy;               /* NULL when closed */
  struct mg_options opts;
  struct mg_xfer x;
};

/* ---- options ---- */

static char *mg_opt_string(lua_State *L, int idx, const char *key)
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
  copy = malloc(n + 1);
  if(!copy) {
    luaL_error(L, "out of memory");
    return NULL;
  }
  memcpy(copy, s, n + 1);
  lua_pop(L, 1);
  return copy;
}

static lua_Number mg_opt_number(lua_State *L, int idx, const char *key,
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
  if(v < 0)
    luaL_error(L, "bad option '%s' (must not be negative)", key);
  lua_pop(L, 1);
  return v;
}

static int mg_opt_boolean(lua_State *L, int idx, const char *key, int dflt)
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
   with mg_options_free even when this raises half-way. */
void mg_options_read(lua_State *L, int idx, struct mg_options *o)
{
  o->verify = 1;
  o->http2 = 1;
  if(lua_isnoneornil(L, idx))
    return;
  luaL_checktype(L, idx, LUA_TTABLE);
  o->timeout_ms = (long)mg_opt_number(L, idx, "timeout", 0);
  o->connect_timeout_ms = (long)mg_opt_number(L, idx, "connect_timeout", 0);
  o->max_body = (size_t)mg_opt_number(L, idx, "max_body", 0);
  o->verify = mg_opt_boolean(L, idx, "verify", 1);
  o->http2 = mg_opt_boolean(L, idx, "http2", 1);
  o->cafile = mg_opt_string(L, idx, "cafile");
  o->capath = mg_opt_string(L, idx, "capath");
  o->proxy = mg_opt_string(L, idx, "proxy");
  o->user_agent = mg_opt_string(L, idx, "user_agent");
}

void mg_options_free(struct mg_options *o)
{
  free(o->cafile);
  free(o->capath);
  free(o->proxy);
  free(o->user_agent);
  o->cafile = o->capath = o->proxy = o->user_agent = NULL;
}

/* ---- requests ---- */

static int mg_is_token(const char *s, size_t n)
{
  size_t i;
  if(!n)
    return 0;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c <= 32 || c >= 127 || strchr("\"(),/:;<=>?@[\\]{}", c))
      return 0;
  }
  return 1;
}

static int mg_has_ctl(const char *s, size_t n)
{
  return memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n);
}

/* Checks a header value at the top of the stack: a string or number. */
static void mg_check_header_value(lua_State *L, int idx, const char *name)
{
  size_t n;
  const char *v;
  int t = lua_type(L, -1);
  if(t != LUA_TSTRING && t != LUA_TNUMBER)
    luaL_error(L, "bad argument #%d (header '%s': string expected, got %s)",
               idx, name, luaL_typename(L, -1));
  v = lua_tolstring(L, -1, &n);
  if(mg_has_ctl(v, n))
    luaL_error(L, "bad argument #%d (header '%s' contains CR, LF or NUL)",
               idx, name);
}

/* First pass: every programmer error raises here, before anything is
   allocated. */
static void mg_req_check(lua_State *L, int idx)
{
  size_t n;
  const char *s;
  int has_body, has_form;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "url");
  if(lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "bad argument #%d (url: string expected, got %s)", idx,
               luaL_typename(L, -1));
  s = lua_tolstring(L, -1, &n);
  if(mg_has_ctl(s, n))
    luaL_error(L, "bad argument #%d (url contains CR, LF or NUL)", idx);
  lua_getfield(L, idx, "method");
  if(!lua_isnil(L, -1)) {
    if(lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "bad argument #%d (method: string expected, got %s)",
                 idx, luaL_typename(L, -1));
    s = lua_tolstring(L, -1, &n);
    if(!mg_is_token(s, n))
      luaL_error(L, "bad argument #%d (method is not an HTTP token)", idx);
  }
  lua_getfield(L, idx, "headers");
  if(!lua_isnil(L, -1)) {
    int h = lua_gettop(L);
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
      if(!mg_is_token(name, n))
        luaL_error(L, "bad argument #%d (header name '%s' is not a token)",
                   idx, name);
      if(lua_istable(L, -1)) {
        size_t i, len = lua_rawlen(L, -1);
        for(i = 1; i <= len; i++) {
          lua_rawgeti(L, -1, (int)i);
          mg_check_header_value(L, idx, name);
          lua_pop(L, 1);
        }
      }
      else
        mg_check_header_value(L, idx, name);
      lua_pop(L, 1);
    }
  }
  lua_getfield(L, idx, "body");
  has_body = !lua_isnil(L, -1);
  if(has_body && lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "bad argument #%d (body: string expected, got %s)", idx,
               luaL_typename(L, -1));
  lua_getfield(L, idx, "form");
  has_form = !lua_isnil(L, -1);
  if(has_form) {
    if(!luaL_testudata(L, -1, MG_FORM_MT))
      luaL_error(L, "bad argument #%d (form: core.form expected, got %s)",
                 idx, luaL_typename(L, -1));
    mg_form_check(L, lua_gettop(L));
  }
  if(has_body && has_form)
    luaL_error(L, "bad argument #%d (give at most one of body and form)",
               idx);
  lua_getfield(L, idx, "timeout");
  if(!lua_isnil(L, -1) &&
     (lua_type(L, -1) != LUA_TNUMBER || lua_tonumber(L, -1) < 0))
    luaL_error(L, "bad argument #%d (timeout: milliseconds expected)", idx);
  lua_pop(L, 6);
}

static char *mg_strdup(const char *s, size_t n)
{
  char *copy = malloc(n + 1);
  if(copy) {
    memcpy(copy, s, n);
    copy[n] = '\0';
  }
  return copy;
}

/* Appends "Name: value" (or "Name;" for an empty value, which libcurl
   sends as an empty header) to the list. */
static int mg_add_header(struct curl_slist **list, const char *name,
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

static int mg_has_header(lua_State *L, int h, const char *want)
{
  int found = 0;
  lua_pushnil(L);
  while(!found && lua_next(L, h)) {
    const char *name = lua_tostring(L, -2);
    size_t i;
    for(i = 0; name[i] && want[i]; i++)
      if(tolower((unsigned char)name[i]) != want[i])
        break;
    found = !name[i] && !want[i];
    lua_pop(L, 1);
  }
  if(found)
    lua_pop(L, 1);
  return found;
}

/* Reads the request table at idx into r (zeroed, or freed by
   mg_req_free).  Raises for programmer errors before allocating. */
void mg_req_read(lua_State *L, int idx, struct mg_req *r)
{
  const char *s;
  size_t n;
  int h, oom = 0;
  mg_req_check(L, idx);
  r->body_ref = LUA_NOREF;
  r->timeout_ms = -1;
  lua_getfield(L, idx, "url");
  s = lua_tolstring(L, -1, &n);
  r->url = mg_strdup(s, n);
  lua_getfield(L, idx, "method");
  if(lua_isnil(L, -1))
    r->method = mg_strdup("GET", 3);
  else {
    s = lua_tolstring(L, -1, &n);
    r->method = mg_strdup(s, n);
  }
  lua_pop(L, 2);
  oom = !r->url || !r->method;
  lua_getfield(L, idx, "headers");
  h = lua_gettop(L);
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
          oom = mg_add_header(&r->headers, name, nlen, s, vlen);
          lua_pop(L, 1);
        }
      }
      else {
        lua_pushvalue(L, -1);   /* numbers convert on a copy */
        s = lua_tolstring(L, -1, &vlen);
        oom = mg_add_header(&r->headers, name, nlen, s, vlen);
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    if(oom)
      lua_settop(L, h);
  }
  lua_getfield(L, idx, "form");
  if(!lua_isnil(L, -1)) {
    r->form = mg_form_check(L, lua_gettop(L));
    mg_form_retain(r->form);
    if(!oom && (lua_isnil(L, h) || !mg_has_header(L, h, "content-type"))) {
      const char *ct = mg_form_content_type(r->form);
      oom = mg_add_header(&r->headers, "Content-Type", 12, ct, strlen(ct));
    }
  }
  else if(!oom && (lua_isnil(L, h) || !mg_has_header(L, h, "content-type"))) {
    /* a raw body goes without a Content-Type unless one is given (libcurl
       would claim application/x-www-form-urlencoded) */
    struct curl_slist *next = curl_slist_append(r->headers, "Content-Type:");
    if(next)
      r->headers = next;
    else
      oom = 1;
  }
  lua_pop(L, 1);
  /* no "Expect: 100-continue" round trip unless asked for */
  if(!oom && (lua_isnil(L, h) || !mg_has_header(L, h, "expect"))) {
    struct curl_slist *next = curl_slist_append(r->headers, "Expect:");
    if(next)
      r->headers = next;
    else
      oom = 1;
  }
  lua_pop(L, 1);
  lua_getfield(L, idx, "body");
  if(!lua_isnil(L, -1)) {
    r->body = lua_tolstring(L, -1, &r->body_len);
    r->body_ref = luaL_ref(L, LUA_REGISTRYINDEX);  /* pins the string */
  }
  else
    lua_pop(L, 1);
  lua_getfield(L, idx, "timeout");
  if(!lua_isnil(L, -1))
    r->timeout_ms = (long)lua_tonumber(L, -1);
  lua_pop(L, 1);
  if(oom)
    luaL_error(L, "out of memory");
}

void mg_req_free(lua_State *L, struct mg_req *r)
{
  free(r->url);
  free(r->method);
  curl_slist_free_all(r->headers);
  if(r->body_ref != LUA_NOREF && r->body_ref != LUA_REFNIL)
    luaL_unref(L, LUA_REGISTRYINDEX, r->body_ref);
  mg_form_release(r->form);
  memset(r, 0, sizeof(*r));
  r->body_ref = LUA_NOREF;
}

/* ---- transfers ---- */

static size_t mg_on_body(char *p, size_t size, size_t nmemb, void *ud)
{
  struct mg_xfer *x = ud;
  size_t n = size * nmemb;
  if(x->max_body && n > x->max_body - x->body.len) {
    x->too_large = 1;
    return 0;
  }
  if(mg_buf_append(&x->body, p, n)) {
    x->oom = 1;
    return 0;
  }
  return n;
}

static int mg_prefix(const char *p, size_t n, const char *lower)
{
  size_t i;
  for(i = 0; lower[i]; i++)
    if(i >= n || tolower((unsigned char)p[i]) != lower[i])
      return 0;
  return 1;
}

static size_t mg_on_header(char *p, size_t size, size_t nmemb, void *ud)
{
  struct mg_xfer *x = ud;
  size_t n = size * nmemb;
  /* a new status line: an interim (1xx) or earlier response is over */
  if(n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
    x->head.len = 0;
    x->body.len = 0;
  }
  else if(x->max_body && !x->head_only &&
          mg_prefix(p, n, "content-length:")) {
    curl_off_t len = 0;
    size_t i = 15;
    while(i < n && (p[i] == ' ' || p[i] == '\t'))
      i++;
    for(; i < n && p[i] >= '0' && p[i] <= '9'; i++)
      len = len * 10 + (p[i] - '0');
    if(len > (curl_off_t)x->max_body) {
      x->too_large = 1;
      return 0;
    }
  }
  if(mg_buf_append(&x->head, p, n)) {
    x->oom = 1;
    return 0;
  }
  return n;
}

#define MG_SET(opt, val) \
  do { if(!rc) rc = curl_easy_setopt(e, opt, val); } while(0)

/* Resets the easy handle (connections and caches stay) and sets every
   option of this request. */
CURLcode mg_xfer_apply(struct mg_xfer *x, const struct mg_options *o)
{
  CURL *e = x->easy;
  struct mg_req *r = &x->req;
  CURLcode rc = CURLE_OK;
  long timeout = r->timeout_ms >= 0 ? r->timeout_ms : o->timeout_ms;
  curl_easy_reset(e);
  x->body.len = 0;
  x->head.len = 0;
  x->too_large = 0;
  x->oom = 0;
  x->cursor.failed = 0;
  x->errbuf[0] = '\0';
  x->max_body = o->max_body;
  x->head_only = strcmp(r->method, "HEAD") == 0;
  MG_SET(CURLOPT_ERRORBUFFER, x->errbuf);
  MG_SET(CURLOPT_NOSIGNAL, 1L);
  MG_SET(CURLOPT_URL, r->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  MG_SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  MG_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  MG_SET(CURLOPT_WRITEFUNCTION, mg_on_body);
  MG_SET(CURLOPT_WRITEDATA, x);
  MG_SET(CURLOPT_HEADERFUNCTION, mg_on_header);
  MG_SET(CURLOPT_HEADERDATA, x);
  MG_SET(CURLOPT_HTTPHEADER, r->headers);
  if(timeout)
    MG_SET(CURLOPT_TIMEOUT_MS, timeout);
  if(o->connect_timeout_ms)
    MG_SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
  if(!o->verify) {
    MG_SET(CURLOPT_SSL_VERIFYPEER, 0L);
    MG_SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if(o->cafile)
    MG_SET(CURLOPT_CAINFO, o->cafile);
  if(o->capath)
    MG_SET(CURLOPT_CAPATH, o->capath);
  if(o->proxy)
    MG_SET(CURLOPT_PROXY, o->proxy);
  if(o->user_agent)
    MG_SET(CURLOPT_USERAGENT, o->user_agent);
  MG_SET(CURLOPT_HTTP_VERSION, o->http2 ? (long)CURL_HTTP_VERSION_2TLS :
         (long)CURL_HTTP_VERSION_1_1);
  if(x->head_only)
    MG_SET(CURLOPT_NOBODY, 1L);
  else if(r->form) {
    x->cursor.form = r->form;
    mg_cursor_start(&x->cursor);
    MG_SET(CURLOPT_POST, 1L);
    MG_SET(CURLOPT_READFUNCTION, mg_form_curl_read);
    MG_SET(CURLOPT_READDATA, &x->cursor);
    MG_SET(CURLOPT_SEEKFUNCTION, mg_form_curl_seek);
    MG_SET(CURLOPT_SEEKDATA, &x->cursor);
    MG_SET(CURLOPT_POSTFIELDSIZE_LARGE, mg_form_length(r->form));
  }
  else if(r->body || strcmp(r->method, "POST") == 0 ||
          strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0) {
    /* the body stays pinned by body_ref; libcurl does not copy it */
    MG_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    MG_SET(CURLOPT_POSTFIELDS, r->body ? r->body : "");
  }
  if(strcmp(r->method, "GET") == 0 && !r->body)
    MG_SET(CURLOPT_HTTPGET, 1L);
  else if(strcmp(r->method, "POST") != 0 && strcmp(r->method, "HEAD") != 0)
    MG_SET(CURLOPT_CUSTOMREQUEST, r->method);
  return rc;
}

static const char *mg_error_word(const struct mg_xfer *x, CURLcode rc)
{
  if(x->too_large)
    return "too_large";
  if(x->cursor.failed)
    return "file";
  switch(rc) {
  case CURLE_OPERATION_TIMEDOUT:
    return "timeout";
  case CURLE_COULDNT_CONNECT:
    return "connect";
  case CURLE_COULDNT_RESOLVE_HOST:
    return "resolve";
  case CURLE_COULDNT_RESOLVE_PROXY:
#if LIBCURL_VERSION_NUM >= 0x074900
  case CURLE_PROXY:
#endif
    return "proxy";
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_USE_SSL_FAILED:
    return "tls";
  case CURLE_SEND_ERROR:
  case CURLE_UPLOAD_FAILED:
  case CURLE_SEND_FAIL_REWIND:
    return "send";
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_BAD_CONTENT_ENCODING:
    return "recv";
  case CURLE_GOT_NOTHING:
    return "closed";
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return "url";
  default:
    return "error";
  }
}

/* Pushes the lower-cased header name n bytes long. */
static void mg_push_lower(lua_State *L, const char *p, size_t n)
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
static void mg_push_headers(lua_State *L, const char *p, size_t n)
{
  const char *end = p + n;
  int t = lua_gettop(L);
  /* skip the status line */
  const char *line = memchr(p, '\n', n);
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
      mg_push_lower(L, line, (size_t)(colon - line));
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

/* Pushes res, or nil, word, code, detail; returns how many values. */
int mg_xfer_push_result(lua_State *L, struct mg_xfer *x, CURLcode rc)
{
  long status = 0;
  if(rc != CURLE_OK) {
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if(x->cursor.failed)
      detail = x->cursor.error;
    else if(x->too_large)
      detail = "response body larger than max_body";
    else if(x->oom)
      detail = "out of memory";
    luaL_pushfail(L);
    lua_pushstring(L, mg_error_word(x, rc));
    lua_pushinteger(L, (lua_Integer)rc);
    lua_pushstring(L, detail);
    return 4;
  }
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)status);
  lua_setfield(L, -2, "status");
  lua_newtable(L);
  mg_push_headers(L, x->head.data, x->head.len);
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, x->body.data ? x->body.data : "", x->body.len);
  lua_setfield(L, -2, "body");
  return 1;
}

/* Ends a transfer: closes its file, drops its request, trims buffers. */
void mg_xfer_release(lua_State *L, struct mg_xfer *x)
{
  mg_cursor_stop(&x->cursor);
  x->cursor.form = NULL;
  mg_req_free(L, &x->req);
  if(x->body.cap > MG_KEEP_BUFFER)
    mg_buf_free(&x->body);
  if(x->head.cap > MG_KEEP_BUFFER)
    mg_buf_free(&x->head);
}

/* ---- the session object ---- */

static struct mg_session *mg_session_check(lua_State *L)
{
  struct mg_session *s = luaL_checkudata(L, 1, MG_SESSION_MT);
  if(!s->easy)
    luaL_argerror(L, 1, "session is closed");
  return s;
}

static int mg_session_request(lua_State *L)
{
  struct mg_session *s = mg_session_check(L);
  CURLcode rc;
  int n;
  luaL_checktype(L, 2, LUA_TTABLE);
  /* a request that raised half-way left its parts here */
  mg_xfer_release(L, &s->x);
  mg_req_read(L, 2, &s->x.req);
  rc = mg_xfer_apply(&s->x, &s->opts);
  if(!rc)
    rc = curl_easy_perform(s->easy);
  n = mg_xfer_push_result(L, &s->x, rc);
  mg_xfer_release(L, &s->x);
  return n;
}

static int mg_session_close(lua_State *L)
{
  struct mg_session *s = luaL_checkudata(L, 1, MG_SESSION_MT);
  mg_xfer_release(L, &s->x);
  mg_buf_free(&s->x.body);
  mg_buf_free(&s->x.head);
  mg_options_free(&s->opts);
  if(s->easy) {
    curl_easy_cleanup(s->easy);
    s->easy = NULL;
  }
  return 0;
}

static int mg_session_tostring(lua_State *L)
{
  struct mg_session *s = luaL_checkudata(L, 1, MG_SESSION_MT);
  return mg_push_name(L, MG_SESSION_MT, s->easy);
}

int mg_session_new(lua_State *L)
{
  struct mg_session *s;
  lua_settop(L, 1);   /* the options, or nil */
  s = lua_newuserdatauv(L, sizeof(*s), 0);
  memset(s, 0, sizeof(*s));
  s->x.req.body_ref = LUA_NOREF;
  luaL_setmetatable(L, MG_SESSION_MT);
  mg_options_read(L, 1, &s->opts);
  s->easy = curl_easy_init();
  if(!s->easy)
    return luaL_error(L, "session: curl_easy_init failed");
  s->x.easy = s->easy;
  return 1;
}

void mg_session_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"request", mg_session_request},
    {NULL, NULL}
  };
  mg_new_metatable(L, MG_SESSION_MT, methods, mg_session_close,
                   mg_session_tostring);
}

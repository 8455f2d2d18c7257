/*
 * smtp.c: core.smtp{...}, an SMTP submission session on libcurl.
 *
 *   core.smtp{url = "smtp://host:587" | "smtps://host:465", username =,
 *             password =, allow_insecure = false, verify = true, cafile =,
 *             capath =, timeout = ms, connect_timeout = ms}  -> smtp
 *   smtp:send{from = address, to = {addresses}, message = core.mime}
 *     -> true | nil, word, code, detail, reply, sent
 *        word: "auth" | "tls" | "rejected" | "connect" | "resolve" |
 *              "timeout" | "send" | "recv" | "closed" | "file" | "error"
 *        reply: the server's last SMTP reply code (0 when none)
 *        sent: false when no byte of the message went out
 *   smtp:close()                  -- idempotent; __gc and __close too
 *
 * One easy handle per session, so libcurl keeps the connection open
 * between messages.  smtp:// requires STARTTLS (CURLUSESSL_ALL): nothing,
 * credentials least of all, goes out in clear unless allow_insecure.
 * The read callback only touches the C message.
 */
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "compat.h"
#include "smtp.h"

struct smtp_session {
  CURL *easy;                   /* owned; NULL when closed */
  char errbuf[CURL_ERROR_SIZE];
};

static struct smtp_session *session_ud(lua_State *L, int idx)
{
  return (struct smtp_session *)luaL_checkudata(L, idx, SMTP_SESSION_MT);
}

static const char *opt_string(lua_State *L, int idx, const char *key)
{
  const char *s;
  lua_getfield(L, idx, key);
  if(lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  if(lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "bad option '%s' (string expected, got %s)", key,
               luaL_typename(L, -1));
  s = lua_tostring(L, -1);
  lua_pop(L, 1);                /* still referenced by the options table */
  return s;
}

static int opt_boolean(lua_State *L, int idx, const char *key, int dflt)
{
  int v = dflt;
  lua_getfield(L, idx, key);
  if(lua_type(L, -1) == LUA_TBOOLEAN)
    v = lua_toboolean(L, -1);
  else if(!lua_isnil(L, -1))
    luaL_error(L, "bad option '%s' (boolean expected, got %s)", key,
               luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

static long opt_ms(lua_State *L, int idx, const char *key)
{
  lua_Number v = 0;
  lua_getfield(L, idx, key);
  if(lua_type(L, -1) == LUA_TNUMBER)
    v = lua_tonumber(L, -1);
  else if(!lua_isnil(L, -1))
    luaL_error(L, "bad option '%s' (number expected, got %s)", key,
               luaL_typename(L, -1));
  if(v < 0 || v > 1e9)
    luaL_error(L, "bad option '%s' (0 to 1e9 ms)", key);
  lua_pop(L, 1);
  return (long)v;
}

static void check_keys(lua_State *L, int idx, const char *const *known)
{
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    size_t i;
    int ok = 0;
    if(lua_type(L, -2) == LUA_TSTRING)
      for(i = 0; known[i] && !ok; i++)
        ok = strcmp(lua_tostring(L, -2), known[i]) == 0;
    if(!ok)
      luaL_error(L, "unknown option '%s'", lua_type(L, -2) == LUA_TSTRING
                 ? lua_tostring(L, -2) : luaL_typename(L, -2));
    lua_pop(L, 1);
  }
}

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
  struct smtp_mime *m = (struct smtp_mime *)ud;
  size_t got = smtp_mime_read(m, buf, size * nitems);
  if(got == 0 && smtp_mime_error(m))
    return CURL_READFUNC_ABORT;
  return got;
}

static int smtp_new(lua_State *L)
{
  static const char *const known[] = {
    "url", "username", "password", "allow_insecure", "verify", "cafile",
    "capath", "timeout", "connect_timeout", NULL
  };
  struct smtp_session *s;
  const char *url, *user, *password, *cafile, *capath;
  int insecure, verify;
  long timeout, connect_timeout;
  CURLcode rc = CURLE_OK;
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(L, 1, known);
  url = opt_string(L, 1, "url");
  if(!url || (strncmp(url, "smtp://", 7) != 0 &&
              strncmp(url, "smtps://", 8) != 0))
    return luaL_error(L, "bad option 'url' (smtp://host:port or "
                      "smtps://host:port expected)");
  user = opt_string(L, 1, "username");
  password = opt_string(L, 1, "password");
  cafile = opt_string(L, 1, "cafile");
  capath = opt_string(L, 1, "capath");
  insecure = opt_boolean(L, 1, "allow_insecure", 0);
  verify = opt_boolean(L, 1, "verify", 1);
  timeout = opt_ms(L, 1, "timeout");
  connect_timeout = opt_ms(L, 1, "connect_timeout");
  s = (struct smtp_session *)lua_newuserdatauv(L, sizeof(*s), 0);
  s->easy = NULL;
  luaL_setmetatable(L, SMTP_SESSION_MT);
  s->easy = curl_easy_init();
  if(!s->easy)
    return luaL_error(L, "curl_easy_init failed");
  s->errbuf[0] = '\0';
#if LIBCURL_VERSION_NUM >= 0x075500
  rc |= curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
  rc |= curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS,
                         (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
  rc |= curl_easy_setopt(s->easy, CURLOPT_URL, url);
  rc |= curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
  rc |= curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
  rc |= curl_easy_setopt(s->easy, CURLOPT_USE_SSL,
                         insecure ? (long)CURLUSESSL_TRY
                         : (long)CURLUSESSL_ALL);
  rc |= curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  rc |= curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  rc |= curl_easy_setopt(s->easy, CURLOPT_UPLOAD, 1L);
  rc |= curl_easy_setopt(s->easy, CURLOPT_READFUNCTION, read_cb);
  if(user)
    rc |= curl_easy_setopt(s->easy, CURLOPT_USERNAME, user);
  if(password)
    rc |= curl_easy_setopt(s->easy, CURLOPT_PASSWORD, password);
  if(cafile)
    rc |= curl_easy_setopt(s->easy, CURLOPT_CAINFO, cafile);
  if(capath)
    rc |= curl_easy_setopt(s->easy, CURLOPT_CAPATH, capath);
  if(timeout)
    rc |= curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, timeout);
  if(connect_timeout)
    rc |= curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
                           connect_timeout);
  if(rc != CURLE_OK)
    return luaL_error(L, "bad smtp option (libcurl refused it)");
  return 1;
}

/* a refused command: libcurl reports these codes when the server answers
   with an error reply (>= 400) */
static int refused(CURLcode rc)
{
  return rc == CURLE_SEND_ERROR || rc == CURLE_UPLOAD_FAILED ||
    rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_RECV_ERROR;
}

static const char *error_word(CURLcode rc)
{
  switch(rc) {
  case CURLE_LOGIN_DENIED:
    return "auth";
  case CURLE_OPERATION_TIMEDOUT:
    return "timeout";
  case CURLE_COULDNT_CONNECT:
    return "connect";
  case CURLE_COULDNT_RESOLVE_HOST:
    return "resolve";
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
    return "tls";
  case CURLE_ABORTED_BY_CALLBACK:
    return "file";
  case CURLE_GOT_NOTHING:
    return "closed";
  case CURLE_SEND_ERROR:
  case CURLE_UPLOAD_FAILED:
    return "send";
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_RECV_ERROR:
    return "recv";
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return "url";
  default:
    return "error";
  }
}

/* the table at idx: {from =, to = {...}, message = mime} */
static int smtp_send(lua_State *L)
{
  struct smtp_session *s = session_ud(L, 1);
  struct smtp_mime *m;
  struct curl_slist *rcpt = NULL;
  const char *from;
  size_t i, count;
  CURLcode rc = CURLE_OK;
  long reply = 0;
  curl_off_t uploaded = 0;
  if(!s->easy)
    return luaL_argerror(L, 1, "the smtp session is closed");
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_getfield(L, 2, "message");
  m = smtp_mime_check(L, 3);
  from = opt_string(L, 2, "from");
  if(!from || strpbrk(from, "\r\n<>"))
    return luaL_error(L, "bad field 'from' (an address without CR, LF or "
                      "<> expected)");
  lua_getfield(L, 2, "to");
  luaL_argcheck(L, lua_istable(L, 4), 2, "'to' must be a list of addresses");
  count = lua_rawlen(L, 4);
  luaL_argcheck(L, count > 0, 2, "'to' is empty");
  /* check every entry before allocating, so raising leaks nothing */
  for(i = 1; i <= count; i++) {
    const char *a;
    lua_rawgeti(L, 4, (lua_Integer)i);
    a = lua_tostring(L, -1);
    if(lua_type(L, -1) != LUA_TSTRING || strpbrk(a, "\r\n<>") || !*a)
      return luaL_error(L, "bad recipient #%d (an address without CR, LF "
                        "or <> expected)", (int)i);
    lua_pop(L, 1);
  }
  for(i = 1; i <= count; i++) {
    struct curl_slist *next;
    lua_rawgeti(L, 4, (lua_Integer)i);
    next = curl_slist_append(rcpt, lua_tostring(L, -1));
    lua_pop(L, 1);
    if(!next) {
      curl_slist_free_all(rcpt);
      return luaL_error(L, "out of memory");
    }
    rcpt = next;
  }
  smtp_mime_start(m);
  s->errbuf[0] = '\0';
  rc |= curl_easy_setopt(s->easy, CURLOPT_MAIL_FROM, from);
  rc |= curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, rcpt);
  rc |= curl_easy_setopt(s->easy, CURLOPT_READDATA, m);
  if(rc == CURLE_OK)
    rc = curl_easy_perform(s->easy);
  curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &reply);
  curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
  curl_easy_setopt(s->easy, CURLOPT_READDATA, (void *)NULL);
  curl_slist_free_all(rcpt);
  smtp_mime_stop(m);
  if(rc == CURLE_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  luaL_pushfail(L);
  lua_pushstring(L, reply >= 400 && refused(rc) ? "rejected"
                  : error_word(rc));
  lua_pushinteger(L, (lua_Integer)rc);
  if(rc == CURLE_ABORTED_BY_CALLBACK && smtp_mime_error(m))
    lua_pushstring(L, smtp_mime_error(m));
  else
    lua_pushstring(L, s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
  lua_pushinteger(L, (lua_Integer)reply);
  lua_pushboolean(L, uploaded > 0);
  return 6;
}

static int smtp_close(lua_State *L)
{
  struct smtp_session *s = session_ud(L, 1);
  if(s->easy) {
    curl_easy_cleanup(s->easy);
    s->easy = NULL;
  }
  return 0;
}

static int smtp_tostring(lua_State *L)
{
  struct smtp_session *s = session_ud(L, 1);
  if(s->easy)
    lua_pushfstring(L, "%s (%p)", SMTP_SESSION_MT, (void *)s);
  else
    lua_pushfstring(L, "%s (closed)", SMTP_SESSION_MT);
  return 1;
}

SMTP_INTERNAL void smtp_metatable(lua_State *L, const char *name,
                                  const luaL_Reg *methods,
                                  lua_CFunction close,
                                  lua_CFunction tostring)
{
  luaL_newmetatable(L, name);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushcfunction(L, close);
  lua_setfield(L, -2, "close");
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, close);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}

SMTP_INTERNAL void smtp_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"send", smtp_send},
    {NULL, NULL}
  };
  smtp_mime_open_lib(L);
  smtp_metatable(L, SMTP_SESSION_MT, methods, smtp_close, smtp_tostring);
  lua_pushcfunction(L, smtp_new);
  lua_setfield(L, -2, "smtp");
  lua_pushcfunction(L, smtp_mime_new);
  lua_setfield(L, -2, "mime");
}

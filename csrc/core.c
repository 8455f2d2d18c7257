/*
 * core.c: luaopen_mailgun_core and what every file shares.
 *
 * mailgun.core knows nothing of Mailgun or MailerSend: it is an HTTP
 * session and multi on libcurl, a multipart encoder, and a few crypto
 * helpers.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

#define MG_VERSION "0.1.0"

static int mg_curl_ready = 0;

int mg_buf_append(struct mg_buf *b, const char *p, size_t n)
{
  if(n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 1024;
    char *data;
    while(cap - b->len < n) {
      if(cap > ((size_t)-1) / 2)
        return -1;
      cap *= 2;
    }
    data = realloc(b->data, cap);
    if(!data)
      return -1;
    b->data = data;
    b->cap = cap;
  }
  if(n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

void mg_buf_free(struct mg_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

/* "name (address)" for an open object, "name (closed)" otherwise */
int mg_push_name(lua_State *L, const char *name, const void *handle)
{
  if(handle)
    lua_pushfstring(L, "%s (%p)", name, handle);
  else
    lua_pushfstring(L, "%s (closed)", name);
  return 1;
}

/* A named metatable whose __index is the method table; `close` serves as
   __gc, __close and :close(). */
void mg_new_metatable(lua_State *L, const char *name, const luaL_Reg *methods,
                      lua_CFunction close, lua_CFunction tostring)
{
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, close);      /* one function object for all three */
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "close");
  lua_setfield(L, -3, "__index");
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__gc");
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
}

/* core.now() -> wall-clock seconds since the epoch, as a float (what
   os.time() gives, with sub-second precision) */
static int mg_now(lua_State *L)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

/* core.sleep(seconds): blocks the thread (not for use inside nginx) */
static int mg_sleep(lua_State *L)
{
  lua_Number seconds = luaL_checknumber(L, 1);
  struct timespec ts;
  if(seconds > 0) {
    if(seconds > 1e9)
      seconds = 1e9;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (lua_Number)ts.tv_sec) * 1e9);
    while(nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
  }
  return 0;
}

int luaopen_mailgun_core(lua_State *L)
{
  static const luaL_Reg functions[] = {
    {"session", mg_session_new},
    {"multi", mg_multi_new},
    {"form", mg_form_new},
    {"now", mg_now},
    {"sleep", mg_sleep},
    {"json_by_address", mg_json_by_address},
    {NULL, NULL}
  };
  if(!mg_curl_ready) {
    if(curl_global_init(CURL_GLOBAL_DEFAULT))
      return luaL_error(L, "mailgun.core: curl_global_init failed");
    mg_curl_ready = 1;
  }
  mg_session_open_lib(L);
  mg_multi_open_lib(L);
  mg_form_open_lib(L);
  luaL_newlib(L, functions);
  mg_crypto_open_lib(L);
  lua_pushliteral(L, "mailgun.core");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, MG_VERSION);
  lua_setfield(L, -2, "_VERSION");
  /* curl_version() would initialise LDAP and SASL, which never free */
  lua_pushfstring(L, "libcurl/%s",
                  curl_version_info(CURLVERSION_NOW)->version);
  lua_setfield(L, -2, "curl_version");
  return 1;
}

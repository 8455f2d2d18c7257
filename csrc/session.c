/*
 * session.c: core.session, one easy handle that runs one request at a
 * time and keeps its connections alive between them.
 */
#include <string.h>

#include "core.h"
#include "transfer.h"

struct lmg_session {
  CURL *easy;               /* NULL when closed */
  struct lmg_options opts;
  struct lmg_xfer x;
};


static struct lmg_session *lmg_session_check(lua_State *L)
{
  struct lmg_session *s = luaL_checkudata(L, 1, LMG_SESSION_MT);
  if(!s->easy)
    luaL_argerror(L, 1, "session is closed");
  return s;
}

static int lmg_session_request(lua_State *L)
{
  struct lmg_session *s = lmg_session_check(L);
  CURLcode rc;
  int n;
  luaL_checktype(L, 2, LUA_TTABLE);
  /* a request that raised half-way left its parts here */
  lmg_xfer_release(L, &s->x);
  lmg_req_read(L, 2, &s->x.req);
  rc = lmg_xfer_apply(&s->x, &s->opts);
  if(!rc)
    rc = curl_easy_perform(s->easy);
  n = lmg_xfer_push_result(L, &s->x, rc);
  lmg_xfer_release(L, &s->x);
  return n;
}

static int lmg_session_close(lua_State *L)
{
  struct lmg_session *s = luaL_checkudata(L, 1, LMG_SESSION_MT);
  lmg_xfer_release(L, &s->x);
  lmg_buf_free(&s->x.body);
  lmg_buf_free(&s->x.head);
  lmg_buf_free(&s->x.upload);
  lmg_options_free(&s->opts);
  if(s->easy) {
    curl_easy_cleanup(s->easy);
    s->easy = NULL;
  }
  return 0;
}

static int lmg_session_tostring(lua_State *L)
{
  struct lmg_session *s = luaL_checkudata(L, 1, LMG_SESSION_MT);
  return lmg_push_name(L, LMG_SESSION_MT, s->easy);
}

int lmg_session_new(lua_State *L)
{
  struct lmg_session *s;
  lua_settop(L, 1);   /* the options, or nil */
  s = lua_newuserdatauv(L, sizeof(*s), 0);
  memset(s, 0, sizeof(*s));
  s->x.req.body_ref = LUA_NOREF;
  luaL_setmetatable(L, LMG_SESSION_MT);
  lmg_options_read(L, 1, &s->opts);
  s->easy = curl_easy_init();
  if(!s->easy)
    return luaL_error(L, "session: curl_easy_init failed");
  s->x.easy = s->easy;
  return 1;
}

void lmg_session_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"request", lmg_session_request},
    {NULL, NULL}
  };
  lmg_new_metatable(L, LMG_SESSION_MT, methods, lmg_session_close,
                   lmg_session_tostring);
}


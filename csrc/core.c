/*
 * core.c: opens mailgun.core; nothing else.
 *
 * mailgun.core knows nothing of Mailgun or MailerSend: it is an HTTP
 * session and multi on libcurl (session.c, multi.c, transfer.c), a
 * multipart encoder (form.c), a few crypto helpers (crypto.c) and a clock
 * (clock.c).
 */
#include "core.h"
#include "crypto.h"
#include "form.h"
#include "smtp.h"

#include <curl/curl.h>

#ifndef LMG_VERSION /* set by the Makefile from lua/mailgun/engine/version.lua */
#define LMG_VERSION "unknown"
#endif

static int lmg_curl_ready = 0;

int luaopen_mailgun_core(lua_State *L)
{
  static const luaL_Reg functions[] = {
    {"session", lmg_session_new},
    {"multi", lmg_multi_new},
    {"form", lmg_form_new},
    {"now", lmg_now},
    {"sleep", lmg_sleep},
    {"json_by_address", lmg_json_by_address},
    {"monotonic", lmg_monotonic},
    {"plain_address", lmg_plain_address},
    {"has_control", lmg_has_control},
    {"plain_entry", lmg_plain_entry},
    {"simple_encoder", lmg_simple_encoder},
    {NULL, NULL}
  };
  if(!lmg_curl_ready) {
    if(curl_global_init(CURL_GLOBAL_DEFAULT))
      return luaL_error(L, "mailgun.core: curl_global_init failed");
    lmg_curl_ready = 1;
  }
  lmg_session_open_lib(L);
  lmg_multi_open_lib(L);
  lmg_form_open_lib(L);
  luaL_newlib(L, functions);
  lmg_crypto_open_lib(L);
  lmg_fs_open_lib(L);
  smtp_open_lib(L);
  lmg_parser_open_lib(L);
  lua_pushliteral(L, "mailgun.core");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, LMG_VERSION);
  lua_setfield(L, -2, "_VERSION");
  /* curl_version() would initialise LDAP and SASL, which never free */
  lua_pushfstring(L, "libcurl/%s",
                  curl_version_info(CURLVERSION_NOW)->version);
  lua_setfield(L, -2, "curl_version");
  return 1;
}

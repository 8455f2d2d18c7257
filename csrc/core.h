/*
 * core.h: the objects core.c registers in mailgun.core (session.c,
 * multi.c, form.h, crypto.h, fs.c, parser_lua.c).  Not a public header.
 */
#ifndef LMG_CORE_H
#define LMG_CORE_H

#include "util.h"

LMG_FUNC int lmg_session_new(lua_State *L);
LMG_FUNC void lmg_session_open_lib(lua_State *L);
LMG_FUNC int lmg_multi_new(lua_State *L);
LMG_FUNC void lmg_multi_open_lib(lua_State *L);
LMG_FUNC int lmg_now(lua_State *L);
LMG_FUNC int lmg_sleep(lua_State *L);
LMG_FUNC int lmg_json_by_address(lua_State *L);
LMG_FUNC int lmg_monotonic(lua_State *L);
LMG_FUNC int lmg_plain_address(lua_State *L);
LMG_FUNC int lmg_has_control(lua_State *L);
LMG_FUNC int lmg_plain_entry(lua_State *L);
LMG_FUNC int lmg_plain_bytes(const char *s, size_t n); /* scan.c */
/* by_address.c: a growing byte buffer in C memory (oom: a put failed;
   p is the caller's to free), and s written into it as a JSON string,
   escaped as lua-cjson escapes it */
struct lmg_out {
  char *p;
  size_t n, cap;
  int oom;
};
LMG_FUNC void lmg_out_put(struct lmg_out *o, const char *s, size_t n);
LMG_FUNC void lmg_out_char(struct lmg_out *o, char c);
LMG_FUNC void lmg_json_string(struct lmg_out *o, const char *s, size_t n);
LMG_FUNC int lmg_simple_encoder(lua_State *L); /* simple.c */
LMG_FUNC void lmg_fs_open_lib(lua_State *L); /* fs.c: file_kind */
LMG_FUNC void lmg_parser_open_lib(lua_State *L); /* parser_lua.c */

/* the module's only exported symbol */
LMG_API int luaopen_mailgun_core(lua_State *L);

#endif /* LMG_CORE_H */

/*
 * util.h: what every file of mailgun.core shares: symbol visibility,
 * metatable names, a growable buffer and the metatable helpers.
 * Not a public header.
 *
 * Ownership in one paragraph: a session or multi userdata owns its libcurl
 * handles and every struct lmg_xfer it runs; an lmg_xfer owns its request
 * (struct lmg_req: url, method, header list, a registry reference pinning
 * the body string, a retained form) and its response buffers; a form is a
 * reference-counted C object shared by its userdata and by the transfers
 * sending it, so closing or collecting the userdata never frees a form that
 * libcurl still reads.  libcurl callbacks only touch C memory.
 */
#ifndef LMG_UTIL_H
#define LMG_UTIL_H

#include <stddef.h>
#include "compat.h"

/* Only luaopen_mailgun_core leaves the shared object (LMG_API); every
   other extern symbol is hidden (LMG_FUNC), also when the build forgets
   -fvisibility=hidden.  The same idea as Lua's LUAMOD_API / LUAI_FUNC. */
#if defined(__GNUC__) || defined(__clang__)
#define LMG_API __attribute__((visibility("default"))) extern
#define LMG_FUNC __attribute__((visibility("hidden"))) extern
#else
#define LMG_API extern
#define LMG_FUNC extern
#endif

#define LMG_SESSION_MT "mailgun.core.session"
#define LMG_MULTI_MT   "mailgun.core.multi"
#define LMG_FORM_MT    "mailgun.core.form"

/* the length of a string literal, without its NUL */
#define LMG_LITLEN(lit) (sizeof(lit) - 1)

/* a growable byte buffer; `data` is owned (malloc), NULL while empty */
struct lmg_buf {
  char *data;
  size_t len;
  size_t cap;
};

LMG_FUNC int lmg_buf_append(struct lmg_buf *b, const char *p, size_t n);
LMG_FUNC void lmg_buf_free(struct lmg_buf *b);

/* a NUL-terminated malloc copy of n bytes, NULL when out of memory */
LMG_FUNC char *lmg_strndup(const char *s, size_t n);

/* "name (address)" for an open object, "name (closed)" otherwise */
LMG_FUNC int lmg_push_name(lua_State *L, const char *name,
                           const void *handle);

/* A named metatable whose __index is the method table; `close` serves as
   __gc, __close and :close(). */
LMG_FUNC void lmg_new_metatable(lua_State *L, const char *name,
                                const luaL_Reg *methods,
                                lua_CFunction close, lua_CFunction tostring);

#endif /* LMG_UTIL_H */

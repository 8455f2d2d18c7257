/*
 * smtp.h: the MIME builder (mime.c) and the SMTP session (smtp.c) of
 * mailgun.core.  Not a public header; these files use nothing of core.h,
 * so the rest of the core can change without them.
 */
#ifndef MG_SMTP_H
#define MG_SMTP_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>

/* internal to core.so: hidden once the build uses -fvisibility=hidden */
#if defined(__GNUC__)
#define SMTP_INTERNAL __attribute__((visibility("hidden")))
#else
#define SMTP_INTERNAL
#endif

#define SMTP_MIME_MT    "mailgun.core.mime"
#define SMTP_SESSION_MT "mailgun.core.smtp"

struct smtp_mime;

/* mime.c: the message as a stream; one reader at a time (start rewinds) */
SMTP_INTERNAL struct smtp_mime *smtp_mime_check(lua_State *L, int idx);
SMTP_INTERNAL void smtp_mime_start(struct smtp_mime *m);
SMTP_INTERNAL size_t smtp_mime_read(struct smtp_mime *m, char *dst,
                                    size_t n);
/* after a read: nonzero and a message when a file could not be read */
SMTP_INTERNAL const char *smtp_mime_error(const struct smtp_mime *m);
SMTP_INTERNAL void smtp_mime_stop(struct smtp_mime *m);
SMTP_INTERNAL int smtp_mime_new(lua_State *L);
SMTP_INTERNAL void smtp_mime_open_lib(lua_State *L);

/* smtp.c: a named metatable whose __index is `methods` plus close;
   `close` is also __gc and __close */
SMTP_INTERNAL void smtp_metatable(lua_State *L, const char *name,
                                  const luaL_Reg *methods,
                                  lua_CFunction close,
                                  lua_CFunction tostring);
/* smtp.c: sets core.smtp and core.mime on the table at the top */
SMTP_INTERNAL void smtp_open_lib(lua_State *L);

#endif /* MG_SMTP_H */

/*
 * request.h: session options (options.c) and the request table
 * (request.c), read from Lua into C memory before a transfer starts.
 * Not a public header.
 */
#ifndef LMG_REQUEST_H
#define LMG_REQUEST_H

#include <curl/curl.h>
#include "util.h"

struct lmg_form;

struct lmg_options {
  long timeout_ms;          /* 0 = none */
  long connect_timeout_ms;  /* 0 = libcurl's default */
  int verify;
  int http2;
  size_t max_body;          /* 0 = no cap */
  char *cafile;             /* owned, NULL when unset */
  char *capath;
  char *proxy;
  char *user_agent;
};

/* A request read from Lua, ready to be applied to an easy handle.

   once: the request may go out on the wire at most once.  libcurl
   otherwise sends it again, silently, when a reused keep-alive connection
   turns out dead after the request was written ("Connection died,
   retrying a fresh connect"), and the server may have acted on the first
   copy.  With once, the transfer fails instead (word "send"), and the
   result's `sent` says whether any request byte had been written. */
struct lmg_req {
  char *url;                    /* owned */
  char *method;                 /* owned */
  struct curl_slist *headers;   /* owned */
  const char *body;             /* inside the pinned Lua string */
  size_t body_len;
  int body_ref;                 /* registry reference, LUA_NOREF when none */
  struct lmg_form *form;        /* retained, NULL when none */
  long timeout_ms;              /* -1: the session's */
  int once;
};

LMG_FUNC void lmg_options_read(lua_State *L, int idx, struct lmg_options *o);
LMG_FUNC void lmg_options_free(struct lmg_options *o);
/* a non-negative number option or argument as a long, clamped; raises on
   NaN and negative values */
LMG_FUNC long lmg_to_long(lua_State *L, lua_Number v, const char *what);
LMG_FUNC void lmg_req_read(lua_State *L, int idx, struct lmg_req *r);
LMG_FUNC void lmg_req_free(lua_State *L, struct lmg_req *r);

#endif /* LMG_REQUEST_H */

/*
 * core.h: what the files of mailgun.core share.  Not a public header.
 *
 * Ownership in one paragraph: a session or multi userdata owns its libcurl
 * handles and every struct mg_xfer it runs; an mg_xfer owns its request
 * (struct mg_req: url, method, header list, a registry reference pinning the
 * body string, a retained form) and its response buffers; a form is a
 * reference-counted C object shared by its userdata and by the transfers
 * sending it, so closing or collecting the userdata never frees a form that
 * libcurl still reads.  libcurl callbacks only touch C memory.
 */
#ifndef MG_CORE_H
#define MG_CORE_H

#include <stddef.h>
#include <stdio.h>
#include <curl/curl.h>
#include "compat.h"

#define MG_SESSION_MT "mailgun.core.session"
#define MG_MULTI_MT   "mailgun.core.multi"
#define MG_FORM_MT    "mailgun.core.form"

/* a growable byte buffer; `data` is owned (malloc) */
struct mg_buf {
  char *data;
  size_t len;
  size_t cap;
};

int mg_buf_append(struct mg_buf *b, const char *p, size_t n);
void mg_buf_free(struct mg_buf *b);

/* ---- form.c ---- */
struct mg_form;

/* a read position in a form; each transfer and form:read() have their own */
struct mg_cursor {
  struct mg_form *form;   /* retained while the cursor is in use */
  size_t part;            /* index of the current part */
  int stage;              /* 0 part head, 1 part body, 2 CRLF, 3 closing */
  curl_off_t offset;      /* within the current stage */
  FILE *fp;               /* open file of the current file part */
  int failed;             /* a file could not be read: message in `error` */
  char error[160];
};

struct mg_form *mg_form_check(lua_State *L, int idx);
void mg_form_retain(struct mg_form *f);
void mg_form_release(struct mg_form *f);
curl_off_t mg_form_length(const struct mg_form *f);
const char *mg_form_content_type(const struct mg_form *f);
void mg_cursor_start(struct mg_cursor *c);
size_t mg_cursor_read(struct mg_cursor *c, char *dst, size_t n);
void mg_cursor_stop(struct mg_cursor *c);
size_t mg_form_curl_read(char *buf, size_t size, size_t nitems, void *ud);
int mg_form_curl_seek(void *ud, curl_off_t offset, int origin);
int mg_form_new(lua_State *L);
void mg_form_open_lib(lua_State *L);

/* ---- session.c: options, requests, transfers ---- */
struct mg_options {
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

/* a request read from Lua, ready to be applied to an easy handle */
struct mg_req {
  char *url;                    /* owned */
  char *method;                 /* owned */
  struct curl_slist *headers;   /* owned */
  const char *body;             /* inside the pinned Lua string */
  size_t body_len;
  int body_ref;                 /* registry reference, LUA_NOREF when none */
  struct mg_form *form;         /* retained, NULL when none */
  long timeout_ms;              /* -1: the session's */
};

/* one transfer: a request, its easy handle and its response */
struct mg_xfer {
  CURL *easy;                   /* owned by the session or multi */
  struct mg_req req;
  struct mg_cursor cursor;      /* when req.form */
  struct mg_buf body;           /* response body */
  struct mg_buf head;           /* raw header lines of the last response */
  size_t max_body;
  int too_large;
  int oom;
  int head_only;                /* HEAD: no body will follow */
  char errbuf[CURL_ERROR_SIZE];
  CURLcode result;              /* multi bookkeeping */
  lua_Integer id;
  struct mg_xfer *next;
  struct mg_xfer *prev;
};

void mg_options_read(lua_State *L, int idx, struct mg_options *o);
void mg_options_free(struct mg_options *o);
void mg_req_read(lua_State *L, int idx, struct mg_req *r);
void mg_req_free(lua_State *L, struct mg_req *r);
CURLcode mg_xfer_apply(struct mg_xfer *x, const struct mg_options *o);
int mg_xfer_push_result(lua_State *L, struct mg_xfer *x, CURLcode rc);
void mg_xfer_release(lua_State *L, struct mg_xfer *x);
int mg_session_new(lua_State *L);
void mg_session_open_lib(lua_State *L);

/* ---- multi.c ---- */
int mg_multi_new(lua_State *L);
void mg_multi_open_lib(lua_State *L);

/* ---- crypto.c ---- */
void mg_crypto_open_lib(lua_State *L);
int mg_random_bytes(unsigned char *dst, size_t n);

/* ---- by_address.c ---- */
int mg_json_by_address(lua_State *L);

/* ---- core.c ---- */
int luaopen_mailgun_core(lua_State *L);
void mg_new_metatable(lua_State *L, const char *name, const luaL_Reg *methods,
                      lua_CFunction close, lua_CFunction tostring);
int mg_push_name(lua_State *L, const char *name, const void *handle);

#endif /* MG_CORE_H */

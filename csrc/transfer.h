/*
 * transfer.h: one HTTP transfer on a libcurl easy handle, shared by the
 * session (session.c) and the multi (multi.c): applying a request
 * (transfer.c), collecting the response (headers.c) and turning it into
 * Lua values.  Not a public header.
 */
#ifndef LMG_TRANSFER_H
#define LMG_TRANSFER_H

#include <curl/curl.h>
#include "form.h"
#include "request.h"

/* one transfer: a request, its easy handle and its response */
struct lmg_xfer {
  CURL *easy;                   /* owned by the session or multi */
  struct lmg_req req;
  struct lmg_cursor cursor;     /* when req.form */
  size_t body_offset;           /* next byte of req.body to hand out */
  curl_off_t body_handed;       /* req.body bytes handed to libcurl */
  int attempts;                 /* times libcurl started the request */
  int resend_refused;           /* once: a second attempt was stopped */
  struct lmg_buf body;          /* response body */
  struct lmg_buf head;          /* raw header lines of the last response */
  struct lmg_buf upload;        /* a small form, whole (LMG_INLINE_FORM) */
  size_t max_body;
  int too_large;
  int oom;
  int head_only;                /* HEAD: no body will follow */
  int shape;                    /* of the last request applied, 0: none */
  char errbuf[CURL_ERROR_SIZE];
  CURLcode result;              /* multi bookkeeping */
  lua_Integer id;
  struct lmg_xfer *next;
  struct lmg_xfer *prev;
};

LMG_FUNC CURLcode lmg_xfer_apply(struct lmg_xfer *x,
                                 const struct lmg_options *o);
LMG_FUNC int lmg_xfer_sent(const struct lmg_xfer *x);
LMG_FUNC int lmg_xfer_push_result(lua_State *L, struct lmg_xfer *x,
                                  CURLcode rc);
LMG_FUNC void lmg_xfer_release(lua_State *L, struct lmg_xfer *x);

/* ---- headers.c ---- */

/* CURLOPT_HEADERFUNCTION: keeps the header lines of the last response and
   enforces max_body from Content-Length before the body arrives */
LMG_FUNC size_t lmg_on_header(char *p, size_t size, size_t nmemb, void *ud);
/* The decimal value of a Content-Length header line n bytes long;
   -1 when the line is no Content-Length, -2 when the value does not fit
   a curl_off_t (it is larger than any cap). */
LMG_FUNC curl_off_t lmg_content_length(const char *p, size_t n);
/* Parses the raw header lines into the table on top of the stack. */
LMG_FUNC void lmg_push_headers(lua_State *L, const char *p, size_t n);

#endif /* LMG_TRANSFER_H */

/*
 * form.h: the multipart/form-data encoder (form.c) as the transfers and
 * the fuzz harnesses see it.  Not a public header.
 */
#ifndef LMG_FORM_H
#define LMG_FORM_H

#include <stdio.h>
#include <curl/curl.h>
#include "util.h"

struct lmg_form;

/* where a cursor is inside the current part, or past the last part */
enum lmg_stage {
  LMG_STAGE_HEAD,       /* "--boundary", the part's header lines, CRLF */
  LMG_STAGE_BODY,       /* the part's bytes or file */
  LMG_STAGE_CRLF,       /* the CRLF that ends the part */
  LMG_STAGE_CLOSING     /* after the last part: "--boundary--" CRLF */
};

/* a read position in a form; each transfer and form:read() have their own */
struct lmg_cursor {
  struct lmg_form *form;  /* retained while the cursor is in use */
  size_t part;            /* index of the current part */
  enum lmg_stage stage;
  curl_off_t offset;      /* within the current stage */
  curl_off_t handed;      /* bytes handed out since the last start */
  FILE *fp;               /* open file of the current file part */
  int failed;             /* a file could not be read: message in `error` */
  int once;               /* the request goes out at most once: no rewind
                             after bytes were handed to libcurl */
  char error[160];
};

LMG_FUNC struct lmg_form *lmg_form_check(lua_State *L, int idx);
LMG_FUNC void lmg_form_retain(struct lmg_form *f);
LMG_FUNC void lmg_form_release(struct lmg_form *f);
LMG_FUNC curl_off_t lmg_form_length(const struct lmg_form *f);
LMG_FUNC const char *lmg_form_content_type(const struct lmg_form *f);
LMG_FUNC void lmg_cursor_start(struct lmg_cursor *c);
LMG_FUNC size_t lmg_cursor_read(struct lmg_cursor *c, char *dst, size_t n);
LMG_FUNC void lmg_cursor_stop(struct lmg_cursor *c);
/* the whole form in buf when it has no file part and is at most max
   bytes: 1; else 0 (stream it) */
LMG_FUNC int lmg_form_render(struct lmg_form *f, struct lmg_buf *buf,
                             size_t max);
LMG_FUNC size_t lmg_form_curl_read(char *buf, size_t size, size_t nitems,
                                   void *ud);
LMG_FUNC int lmg_form_curl_seek(void *ud, curl_off_t offset, int origin);
LMG_FUNC int lmg_form_new(lua_State *L);
LMG_FUNC void lmg_form_add_field(lua_State *L, struct lmg_form *f,
                                 const char *name, size_t name_len,
                                 const char *value, size_t value_len);
LMG_FUNC void lmg_form_open_lib(lua_State *L);

#endif /* LMG_FORM_H */

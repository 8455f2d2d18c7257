/*
 * transfer.c: one transfer on an easy handle, shared by session.c and
 * multi.c: applying a request, the body callbacks, the "at most once"
 * guard, and the result as Lua values.
 *
 * libcurl callbacks here only touch C memory; Lua values are built after
 * curl_easy_perform (or the multi's perform) has returned.
 */
#include <string.h>

#include "transfer.h"

/* response buffers larger than this are freed after each request, so a
   session does not keep the memory of one big download */
#define LMG_KEEP_BUFFER ((size_t)256 * 1024)

/* a form without file parts up to this size goes whole, as
   CURLOPT_POSTFIELDS: libcurl then sends it with the request head in one
   write (a streamed body is a second one), and that one send is most of
   what a small message costs the kernel on both sides */
#define LMG_INLINE_FORM ((size_t)64 * 1024)

static size_t lmg_on_body(char *p, size_t size, size_t nmemb, void *ud)
{
  struct lmg_xfer *x = ud;
  size_t n = size * nmemb;
  if(x->max_body && n > x->max_body - x->body.len) {
    x->too_large = 1;
    return 0;
  }
  if(lmg_buf_append(&x->body, p, n)) {
    x->oom = 1;
    return 0;
  }
  return n;
}

/* ---- the "at most once" guard ----

   A `once` request must never reach the wire twice, whatever libcurl
   decides (it resends on a fresh connection when a reused one died).
   libcurl calls the pre-request callback before every attempt on a
   connection: lmg_prereq stops any second attempt, whatever the body.
   A form's seek refuses to rewind once a byte was handed out as well
   (lmg_form_curl_seek).  Before libcurl 7.80 there is no pre-request
   callback: a plain body of a `once` request then goes through the read
   callback below, whose seek refuses to rewind (libcurl fails with
   CURLE_SEND_FAIL_REWIND instead of resending). */

#if LIBCURL_VERSION_NUM < 0x075000
static size_t lmg_body_read(char *buf, size_t size, size_t nitems, void *ud)
{
  struct lmg_xfer *x = ud;
  size_t left = x->req.body_len - x->body_offset;
  size_t n = size * nitems < left ? size * nitems : left;
  if(n) {
    memcpy(buf, x->req.body + x->body_offset, n);
    x->body_offset += n;
    x->body_handed += (curl_off_t)n;
  }
  return n;
}

static int lmg_body_seek(void *ud, curl_off_t offset, int origin)
{
  struct lmg_xfer *x = ud;
  if(origin != SEEK_SET || offset != 0)
    return CURL_SEEKFUNC_CANTSEEK;
  if(x->req.once && x->body_handed > 0)
    return CURL_SEEKFUNC_FAIL;
  x->body_offset = 0;
  return CURL_SEEKFUNC_OK;
}
#endif

#if LIBCURL_VERSION_NUM >= 0x075000
/* The parameters are libcurl's curl_prereq_callback, in libcurl's order:
   nothing here chooses them, so swapping is not a risk we can remove. */
/* NOLINTBEGIN(bugprone-easily-swappable-parameters) */
static int lmg_prereq(void *ud, char *remote_ip, char *local_ip,
                      int remote_port, int local_port)
/* NOLINTEND(bugprone-easily-swappable-parameters) */
{
  struct lmg_xfer *x = ud;
  (void)remote_ip;
  (void)local_ip;
  (void)remote_port;
  (void)local_port;
  x->attempts++;
  if(x->req.once && x->attempts > 1) {
    x->resend_refused = 1;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}
#endif

/* May any byte of this request have reached the server?  False only when
   libcurl never started writing it: no request bytes counted, no body
   bytes uploaded, and no earlier attempt (a retry means the first attempt
   was at least started on a connection). */
int lmg_xfer_sent(const struct lmg_xfer *x)
{
  long request_size = 0;
  curl_off_t uploaded = 0;
  if(x->attempts > 1)
    return 1;
  if(curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &request_size))
    return 1;   /* unknown: uncertain is the safe answer */
  if(curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded))
    return 1;
  return request_size > 0 || uploaded > 0;
}

#define LMG_SET(opt, val) \
  do { if(!rc) rc = curl_easy_setopt(e, opt, val); } while(0)

/* How a request's body goes to libcurl. */
enum { LMG_BODY_NONE = 1, LMG_BODY_HEAD, LMG_BODY_FORM, LMG_BODY_READ,
       LMG_BODY_FIELDS };

static int lmg_has_body(const struct lmg_req *r)
{
  return r->body || strcmp(r->method, "POST") == 0 ||
         strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0;
}

/* A small form without file parts, rendered whole into x->upload; only
   where lmg_prereq guards a `once` request (a body sent whole cannot
   refuse to rewind). */
static int lmg_form_inline(struct lmg_xfer *x)
{
#if LIBCURL_VERSION_NUM >= 0x075000
  return lmg_form_render(x->req.form, &x->upload, LMG_INLINE_FORM);
#else
  (void)x;
  return 0;
#endif
}

/* The options a request sets beyond its URL, headers, timeout and body
   pointers depend only on this shape (and on the session's options,
   fixed when it was made).  A small form is rendered into x->upload here
   (a `once` form then relies on lmg_prereq alone, as a string body does). */
static int lmg_shape(struct lmg_xfer *x)
{
  const struct lmg_req *r = &x->req;
  int body, verb;
  if(x->head_only)
    body = LMG_BODY_HEAD;
  else if(r->form)
    body = lmg_form_inline(x) ? LMG_BODY_FIELDS : LMG_BODY_FORM;
#if LIBCURL_VERSION_NUM < 0x075000
  /* no pre-request callback to stop a second attempt: the body goes
     through lmg_body_read, whose seek refuses to rewind */
  else if(r->once && lmg_has_body(r))
    body = LMG_BODY_READ;
#endif
  else
    body = lmg_has_body(r) ? LMG_BODY_FIELDS : LMG_BODY_NONE;
  if(strcmp(r->method, "GET") == 0 && !r->body)
    verb = 0;   /* CURLOPT_HTTPGET */
  else if(strcmp(r->method, "POST") != 0 && strcmp(r->method, "HEAD") != 0)
    verb = 1;   /* CURLOPT_CUSTOMREQUEST */
  else
    verb = 2;
  return body * 3 + verb;
}

/* The options that stay the same for every request of one shape. */
static CURLcode lmg_xfer_base(struct lmg_xfer *x, const struct lmg_options *o)
{
  CURL *e = x->easy;
  CURLcode rc = CURLE_OK;
  curl_easy_reset(e);
  LMG_SET(CURLOPT_ERRORBUFFER, x->errbuf);
  LMG_SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  LMG_SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  LMG_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  LMG_SET(CURLOPT_WRITEFUNCTION, lmg_on_body);
  LMG_SET(CURLOPT_WRITEDATA, x);
  LMG_SET(CURLOPT_HEADERFUNCTION, lmg_on_header);
  LMG_SET(CURLOPT_HEADERDATA, x);
#if LIBCURL_VERSION_NUM >= 0x075000
  LMG_SET(CURLOPT_PREREQFUNCTION, lmg_prereq);
  LMG_SET(CURLOPT_PREREQDATA, x);
#endif
  if(o->connect_timeout_ms)
    LMG_SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
  if(!o->verify) {
    LMG_SET(CURLOPT_SSL_VERIFYPEER, 0L);
    LMG_SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if(o->cafile)
    LMG_SET(CURLOPT_CAINFO, o->cafile);
  if(o->capath)
    LMG_SET(CURLOPT_CAPATH, o->capath);
  if(o->proxy)
    LMG_SET(CURLOPT_PROXY, o->proxy);
  if(o->user_agent)
    LMG_SET(CURLOPT_USERAGENT, o->user_agent);
  LMG_SET(CURLOPT_HTTP_VERSION, o->http2 ? (long)CURL_HTTP_VERSION_2TLS :
         (long)CURL_HTTP_VERSION_1_1);
  return rc;
}

/* Sets every option of this request.  The handle is reset (connections
   and caches stay) only when the request's shape differs from the last
   one's: a request of the same shape sets the same options again, so
   nothing of the last one is left over, and the reset and the fixed
   options (a third of libcurl's work on a small send) are not redone.
   After a retry inside libcurl the handle is reset all the same: only a
   reset clears libcurl's count of those retries. */
CURLcode lmg_xfer_apply(struct lmg_xfer *x, const struct lmg_options *o)
{
  CURL *e = x->easy;
  struct lmg_req *r = &x->req;
  CURLcode rc = CURLE_OK;
  long timeout = r->timeout_ms >= 0 ? r->timeout_ms : o->timeout_ms;
  int shape;
  x->head_only = strcmp(r->method, "HEAD") == 0;
  shape = lmg_shape(x);
#if LIBCURL_VERSION_NUM >= 0x075000
  if(shape != x->shape || x->attempts > 1)
#endif
    rc = lmg_xfer_base(x, o);
  x->shape = 0;   /* set again once every option below is in */
  x->body.len = 0;
  x->head.len = 0;
  x->too_large = 0;
  x->oom = 0;
  x->cursor.failed = 0;
  x->body_offset = 0;
  x->body_handed = 0;
  x->attempts = 0;
  x->resend_refused = 0;
  x->errbuf[0] = '\0';
  x->max_body = o->max_body;
  LMG_SET(CURLOPT_URL, r->url);
  LMG_SET(CURLOPT_HTTPHEADER, r->headers);
  LMG_SET(CURLOPT_TIMEOUT_MS, timeout);
  switch(shape / 3) {
  case LMG_BODY_HEAD:
    LMG_SET(CURLOPT_NOBODY, 1L);
    break;
  case LMG_BODY_FORM:
    x->cursor.form = r->form;
    lmg_cursor_start(&x->cursor);
    x->cursor.once = r->once;
    LMG_SET(CURLOPT_POST, 1L);
    LMG_SET(CURLOPT_READFUNCTION, lmg_form_curl_read);
    LMG_SET(CURLOPT_READDATA, &x->cursor);
    LMG_SET(CURLOPT_SEEKFUNCTION, lmg_form_curl_seek);
    LMG_SET(CURLOPT_SEEKDATA, &x->cursor);
    LMG_SET(CURLOPT_POSTFIELDSIZE_LARGE, lmg_form_length(r->form));
    break;
#if LIBCURL_VERSION_NUM < 0x075000
  case LMG_BODY_READ:
    LMG_SET(CURLOPT_POST, 1L);
    LMG_SET(CURLOPT_READFUNCTION, lmg_body_read);
    LMG_SET(CURLOPT_READDATA, x);
    LMG_SET(CURLOPT_SEEKFUNCTION, lmg_body_seek);
    LMG_SET(CURLOPT_SEEKDATA, x);
    LMG_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    break;
#endif
  case LMG_BODY_FIELDS:
    /* the body stays pinned by body_ref (a form's copy is x->upload);
       libcurl does not copy it.  A `once` body goes this way too:
       lmg_prereq stops a second attempt, so libcurl's own resend never
       reaches the wire */
    if(r->form) {
      LMG_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->upload.len);
      LMG_SET(CURLOPT_POSTFIELDS, x->upload.data);
    }
    else {
      LMG_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
      LMG_SET(CURLOPT_POSTFIELDS, r->body ? r->body : "");
    }
    break;
  default:
    break;
  }
  if(shape % 3 == 0)
    LMG_SET(CURLOPT_HTTPGET, 1L);
  else if(shape % 3 == 1)
    LMG_SET(CURLOPT_CUSTOMREQUEST, r->method);
  if(!rc)
    x->shape = shape;
  return rc;
}

static const char *lmg_error_word(const struct lmg_xfer *x, CURLcode rc)
{
  if(x->too_large)
    return "too_large";
  if(x->cursor.failed)
    return "file";
  if(x->resend_refused)
    return "send";
  switch(rc) {
  case CURLE_OPERATION_TIMEDOUT:
    return "timeout";
  case CURLE_COULDNT_CONNECT:
    return "connect";
  case CURLE_COULDNT_RESOLVE_HOST:
    return "resolve";
  case CURLE_COULDNT_RESOLVE_PROXY:
#if LIBCURL_VERSION_NUM >= 0x074900
  case CURLE_PROXY:
#endif
    return "proxy";
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_USE_SSL_FAILED:
    return "tls";
  case CURLE_SEND_ERROR:
  case CURLE_UPLOAD_FAILED:
  case CURLE_SEND_FAIL_REWIND:
    return "send";
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_BAD_CONTENT_ENCODING:
    return "recv";
  case CURLE_GOT_NOTHING:
    return "closed";
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return "url";
  default:
    return "error";
  }
}

/* Pushes the lower-cased header name n bytes long. */
int lmg_xfer_push_result(lua_State *L, struct lmg_xfer *x, CURLcode rc)
{
  long status = 0;
  if(rc != CURLE_OK) {
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if(x->cursor.failed)
      detail = x->cursor.error;
    else if(x->too_large)
      detail = "response body larger than max_body";
    else if(x->oom)
      detail = "out of memory";
    else if(x->resend_refused)
      detail = "the connection closed after the request was sent; "
               "not sent again (once)";
    luaL_pushfail(L);
    lua_pushstring(L, lmg_error_word(x, rc));
    lua_pushinteger(L, (lua_Integer)rc);
    lua_pushstring(L, detail);
    lua_pushboolean(L, lmg_xfer_sent(x));
    return 5;
  }
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)status);
  lua_setfield(L, -2, "status");
  lua_createtable(L, 0, 8);   /* room for a usual answer's headers */
  lmg_push_headers(L, x->head.data, x->head.len);
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, x->body.data ? x->body.data : "", x->body.len);
  lua_setfield(L, -2, "body");
  return 1;
}

/* Ends a transfer: closes its file, drops its request, trims buffers. */
void lmg_xfer_release(lua_State *L, struct lmg_xfer *x)
{
  lmg_cursor_stop(&x->cursor);
  x->cursor.form = NULL;
  lmg_req_free(L, &x->req);
  if(x->body.cap > LMG_KEEP_BUFFER)
    lmg_buf_free(&x->body);
  if(x->head.cap > LMG_KEEP_BUFFER)
    lmg_buf_free(&x->head);
}


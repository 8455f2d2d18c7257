/*
 * form.c: the multipart/form-data encoder.
 *
 * A form is a list of parts, each a precomputed head ("--boundary", the
 * Content-Disposition and Content-Type lines), a body (bytes copied into
 * the part, or a file read from disk in chunks while it is sent) and a
 * CRLF; a closing delimiter ends it.  The exact length is known before
 * sending.  libcurl reads it through lmg_form_curl_read (CURLOPT_READFUNCTION)
 * and Lua through form:read(n): both walk the same bytes with a cursor of
 * their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "form.h"

#define LMG_BOUNDARY_MAX 64
#define LMG_READ_CHUNK ((size_t)64 * 1024)
/* form:read() joins its pieces every this many strings on the stack */
#define LMG_READ_PIECES 32

/* the fixed bytes of the framing (RFC 7578, RFC 2046 section 5.1.1) */
#define LMG_DASHES "--"
#define LMG_CRLF "\r\n"
#define LMG_DISPOSITION "\r\nContent-Disposition: "
#define LMG_FORM_DATA "form-data"
#define LMG_NAME_OPEN "; name=\""
#define LMG_FILENAME_OPEN "; filename=\""
#define LMG_QUOTE "\""
#define LMG_CONTENT_TYPE "\r\nContent-Type: "
#define LMG_HEAD_END "\r\n\r\n"
#define LMG_CLOSING_END "--\r\n"
/* "--" boundary "--" CRLF, minus the boundary */
#define LMG_CLOSING_EXTRA (LMG_LITLEN(LMG_DASHES) + LMG_LITLEN(LMG_CLOSING_END))

struct lmg_part {
  char *head;             /* inside this allocation */
  size_t head_len;
  const char *data;       /* bytes part: inside this allocation */
  char *path;             /* file part: inside this allocation, else NULL */
  curl_off_t size;        /* body length */
};

/* Reference-counted: the userdata holds one reference while open, each
   running transfer one more. */
struct lmg_form {
  int refs;
  struct lmg_part **parts;   /* owned, each part one malloc block */
  size_t nparts;
  size_t cap;
  curl_off_t length;        /* parts only; the closing is added on top */
  char boundary[LMG_BOUNDARY_MAX];
  size_t boundary_len;
  char content_type[LMG_BOUNDARY_MAX + 40];
  struct lmg_cursor reader;  /* the position of form:read() */
  char *scratch;            /* form:read()'s buffer, owned */
};

struct lmg_form_ud {
  struct lmg_form *form;     /* NULL when closed */
};

static void lmg_form_free(struct lmg_form *f)
{
  size_t i;
  lmg_cursor_stop(&f->reader);
  free(f->scratch);
  for(i = 0; i < f->nparts; i++)
    free(f->parts[i]);
  free(f->parts);
  free(f);
}

void lmg_form_retain(struct lmg_form *f)
{
  f->refs++;
}

void lmg_form_release(struct lmg_form *f)
{
  if(f && --f->refs == 0)
    lmg_form_free(f);
}

curl_off_t lmg_form_length(const struct lmg_form *f)
{
  return f->length + (curl_off_t)(f->boundary_len + LMG_CLOSING_EXTRA);
}

const char *lmg_form_content_type(const struct lmg_form *f)
{
  return f->content_type;
}

struct lmg_form *lmg_form_check(lua_State *L, int idx)
{
  struct lmg_form_ud *u = luaL_checkudata(L, idx, LMG_FORM_MT);
  if(!u->form)
    luaL_argerror(L, idx, "form is closed");
  return u->form;
}

/* ---- the cursor ---- */

void lmg_cursor_stop(struct lmg_cursor *c)
{
  if(c->fp) {
    fclose(c->fp);
    c->fp = NULL;
  }
}

void lmg_cursor_start(struct lmg_cursor *c)
{
  lmg_cursor_stop(c);
  c->part = 0;
  c->stage = LMG_STAGE_HEAD;
  c->offset = 0;
  c->handed = 0;
  c->failed = 0;
  c->error[0] = '\0';
}

static void lmg_cursor_fail(struct lmg_cursor *c, const char *what,
                           const char *path, int err)
{
  lmg_cursor_stop(c);
  c->failed = 1;
  snprintf(c->error, sizeof(c->error), "%s %s: %s", what, path,
           err ? strerror(err) : "file is shorter than when it was added");
}

/* Copies up to n bytes of a segment, from offset on. */
static size_t lmg_copy_segment(struct lmg_cursor *c, const char *seg,
                              curl_off_t seg_len, char *dst, size_t n)
{
  curl_off_t left = seg_len - c->offset;
  size_t take = (curl_off_t)n < left ? n : (size_t)left;
  if(take)
    memcpy(dst, seg + c->offset, take);
  c->offset += (curl_off_t)take;
  return take;
}

/* The closing delimiter, "--" boundary "--" CRLF. */
static size_t lmg_copy_closing(struct lmg_cursor *c, char *dst, size_t n)
{
  const struct lmg_form *f = c->form;
  char closing[LMG_BOUNDARY_MAX + LMG_CLOSING_EXTRA];
  size_t len = f->boundary_len + LMG_CLOSING_EXTRA;
  if(c->offset >= (curl_off_t)len)
    return 0;
  memcpy(closing, LMG_DASHES, LMG_LITLEN(LMG_DASHES));
  memcpy(closing + LMG_LITLEN(LMG_DASHES), f->boundary, f->boundary_len);
  memcpy(closing + LMG_LITLEN(LMG_DASHES) + f->boundary_len,
         LMG_CLOSING_END, LMG_LITLEN(LMG_CLOSING_END));
  return lmg_copy_segment(c, closing, (curl_off_t)len, dst, n);
}

/* The next bytes of a file part; 0 with c->failed set on an error. */
static size_t lmg_copy_file(struct lmg_cursor *c, const struct lmg_part *p,
                            char *dst, size_t n)
{
  curl_off_t left = p->size - c->offset;
  size_t want = (curl_off_t)n < left ? n : (size_t)left;
  size_t got;
  if(!c->fp) {
    c->fp = fopen(p->path, "rb");
    if(!c->fp) {
      lmg_cursor_fail(c, "cannot open", p->path, errno);
      return 0;
    }
  }
  got = fread(dst, 1, want, c->fp);
  if(got == 0) {
    lmg_cursor_fail(c, "cannot read", p->path, ferror(c->fp) ? errno : 0);
    return 0;
  }
  c->offset += (curl_off_t)got;
  return got;
}

static void lmg_cursor_next(struct lmg_cursor *c, enum lmg_stage stage)
{
  c->stage = stage;
  c->offset = 0;
}

/* Fills dst with up to n bytes (fewer only at the end); returns 0 at the
   end, or with c->failed set when a file could not be read. */
size_t lmg_cursor_read(struct lmg_cursor *c, char *dst, size_t n)
{
  struct lmg_form *f = c->form;
  size_t done = 0;
  while(done < n && !c->failed) {
    const struct lmg_part *p = c->part < f->nparts ? f->parts[c->part] :
                               NULL;
    size_t got = 0;
    if(!p)
      c->stage = LMG_STAGE_CLOSING;
    switch(c->stage) {
    case LMG_STAGE_HEAD:
      got = lmg_copy_segment(c, p->head, (curl_off_t)p->head_len,
                             dst + done, n - done);
      if(c->offset == (curl_off_t)p->head_len)
        lmg_cursor_next(c, LMG_STAGE_BODY);
      break;
    case LMG_STAGE_BODY:
      if(c->offset == p->size) {
        lmg_cursor_stop(c);
        lmg_cursor_next(c, LMG_STAGE_CRLF);
      }
      else if(!p->path)
        got = lmg_copy_segment(c, p->data, p->size, dst + done, n - done);
      else
        got = lmg_copy_file(c, p, dst + done, n - done);
      break;
    case LMG_STAGE_CRLF:
      got = lmg_copy_segment(c, LMG_CRLF, LMG_LITLEN(LMG_CRLF), dst + done,
                             n - done);
      if(c->offset == (curl_off_t)LMG_LITLEN(LMG_CRLF)) {
        c->part++;
        lmg_cursor_next(c, LMG_STAGE_HEAD);
      }
      break;
    case LMG_STAGE_CLOSING:
      got = lmg_copy_closing(c, dst + done, n - done);
      if(!got)
        return done;
      break;
    }
    done += got;
  }
  return done;
}

/* The whole form, when it has no file part and is at most max bytes, in
   buf (made to fit); 1 when it is there, 0 otherwise (a file part, too
   large, or no memory: the caller streams it instead). */
int lmg_form_render(struct lmg_form *f, struct lmg_buf *buf, size_t max)
{
  struct lmg_cursor c;
  curl_off_t len = lmg_form_length(f);
  size_t i, got;
  if(len < 0 || (unsigned long long)len > (unsigned long long)max)
    return 0;
  for(i = 0; i < f->nparts; i++)
    if(f->parts[i]->path)
      return 0;
  if(buf->cap < (size_t)len) {
    char *p = realloc(buf->data, (size_t)len);
    if(!p)
      return 0;
    buf->data = p;
    buf->cap = (size_t)len;
  }
  memset(&c, 0, sizeof(c));
  c.form = f;
  lmg_cursor_start(&c);
  got = lmg_cursor_read(&c, buf->data, (size_t)len);
  lmg_cursor_stop(&c);
  buf->len = got;
  return got == (size_t)len;
}

size_t lmg_form_curl_read(char *buf, size_t size, size_t nitems, void *ud)
{
  struct lmg_cursor *c = ud;
  size_t got = lmg_cursor_read(c, buf, size * nitems);
  if(c->failed)
    return CURL_READFUNC_ABORT;
  c->handed += (curl_off_t)got;
  return got;
}

/* libcurl rewinds to send the body again: after a redirect or an auth
   round, or to resend on a fresh connection when a reused one died.  A
   request marked once refuses as soon as any byte went to libcurl, so
   libcurl fails with CURLE_SEND_FAIL_REWIND instead of resending. */
int lmg_form_curl_seek(void *ud, curl_off_t offset, int origin)
{
  struct lmg_cursor *c = ud;
  if(origin != SEEK_SET || offset != 0)
    return CURL_SEEKFUNC_CANTSEEK;
  if(c->once && c->handed > 0)
    return CURL_SEEKFUNC_FAIL;
  lmg_cursor_start(c);
  return CURL_SEEKFUNC_OK;
}

/* ---- building parts ---- */

/* Length of a name or filename once quotes, CR and LF become %22, %0D,
   %0A (what browsers do), so they never break the framing. */
static size_t lmg_escaped_len(const char *s, size_t n)
{
  size_t i, len = n;
  for(i = 0; i < n; i++)
    if(s[i] == '"' || s[i] == '\r' || s[i] == '\n')
      len += 2;
  return len;
}

static char *lmg_put_escaped(char *dst, const char *s, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++) {
    const char *esc = s[i] == '"' ? "%22" : s[i] == '\r' ? "%0D" :
                      s[i] == '\n' ? "%0A" : NULL;
    if(esc) {
      memcpy(dst, esc, 3);
      dst += 3;
    }
    else
      *dst++ = s[i];
  }
  return dst;
}

static char *lmg_put(char *dst, const char *s, size_t n)
{
  if(n)
    memcpy(dst, s, n);
  return dst + n;
}

struct lmg_part_spec {
  const char *name;
  size_t name_len;
  const char *filename;   /* NULL: none */
  size_t filename_len;
  const char *ctype;      /* NULL: none */
  size_t ctype_len;
  int is_inline;
  const char *data;       /* bytes to copy */
  size_t data_len;
  const char *path;       /* file */
  size_t path_len;
  curl_off_t size;
};

/* The length of a part's head: "--" boundary, the Content-Disposition
   line, an optional Content-Type line, the empty line. */
static size_t lmg_head_len(const struct lmg_form *f,
                           const struct lmg_part_spec *s)
{
  size_t len = LMG_LITLEN(LMG_DASHES) + f->boundary_len +
               LMG_LITLEN(LMG_DISPOSITION) +
               LMG_LITLEN(LMG_FORM_DATA) +
               LMG_LITLEN(LMG_NAME_OPEN) +
               lmg_escaped_len(s->name, s->name_len) + LMG_LITLEN(LMG_QUOTE);
  if(s->filename)
    len += LMG_LITLEN(LMG_FILENAME_OPEN) +
           lmg_escaped_len(s->filename, s->filename_len) +
           LMG_LITLEN(LMG_QUOTE);
  if(s->ctype)
    len += LMG_LITLEN(LMG_CONTENT_TYPE) + s->ctype_len;
  return len + LMG_LITLEN(LMG_HEAD_END);
}

#define LMG_PUT_LIT(w, lit) lmg_put((w), (lit), LMG_LITLEN(lit))

static int lmg_form_add(lua_State *L, struct lmg_form *f,
                        const struct lmg_part_spec *s)
{
  size_t head_len = lmg_head_len(f, s);
  size_t extra = s->path ? s->path_len + 1 : s->data_len;
  struct lmg_part *p;
  char *w;
  if(f->nparts == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 8;
    struct lmg_part **parts = realloc(f->parts,
                                      cap * sizeof(struct lmg_part *));
    if(!parts)
      return luaL_error(L, "form: out of memory");
    f->parts = parts;
    f->cap = cap;
  }
  p = malloc(sizeof(*p) + head_len + extra);
  if(!p)
    return luaL_error(L, "form: out of memory");
  p->head = (char *)(p + 1);
  p->head_len = head_len;
  w = LMG_PUT_LIT(p->head, LMG_DASHES);
  w = lmg_put(w, f->boundary, f->boundary_len);
  w = LMG_PUT_LIT(w, LMG_DISPOSITION);
  /* always form-data (RFC 7578 4.2): an inline part differs by its field
     name only */
  w = LMG_PUT_LIT(w, LMG_FORM_DATA);
  w = LMG_PUT_LIT(w, LMG_NAME_OPEN);
  w = lmg_put_escaped(w, s->name, s->name_len);
  w = LMG_PUT_LIT(w, LMG_QUOTE);
  if(s->filename) {
    w = LMG_PUT_LIT(w, LMG_FILENAME_OPEN);
    w = lmg_put_escaped(w, s->filename, s->filename_len);
    w = LMG_PUT_LIT(w, LMG_QUOTE);
  }
  if(s->ctype) {
    w = LMG_PUT_LIT(w, LMG_CONTENT_TYPE);
    w = lmg_put(w, s->ctype, s->ctype_len);
  }
  w = LMG_PUT_LIT(w, LMG_HEAD_END);
  if(s->path) {
    p->path = w;
    memcpy(p->path, s->path, s->path_len + 1);
    p->data = NULL;
  }
  else {
    p->path = NULL;
    if(s->data_len)
      memcpy(w, s->data, s->data_len);
    p->data = w;
  }
  p->size = s->size;
  f->parts[f->nparts++] = p;
  f->length += (curl_off_t)head_len + p->size + 2;
  return 0;
}

/* form methods check the form is open and not being sent */
static struct lmg_form *lmg_form_editable(lua_State *L)
{
  struct lmg_form *f = lmg_form_check(L, 1);
  if(f->refs > 1)
    luaL_error(L, "form is being sent: it cannot change now");
  return f;
}

static int lmg_has_crlf(const char *s, size_t n)
{
  return memchr(s, '\r', n) || memchr(s, '\n', n);
}

/* reads the opts table at idx into s: filename, content_type, inline */
static void lmg_part_opts(lua_State *L, int idx, struct lmg_part_spec *s)
{
  if(lua_isnoneornil(L, idx))
    return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "filename");
  if(!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, idx,
                  "filename must be a string");
    s->filename = lua_tolstring(L, -1, &s->filename_len);
  }
  lua_getfield(L, idx, "content_type");
  if(!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, idx,
                  "content_type must be a string");
    s->ctype = lua_tolstring(L, -1, &s->ctype_len);
    luaL_argcheck(L, !lmg_has_crlf(s->ctype, s->ctype_len), idx,
                  "content_type must not contain CR or LF");
  }
  lua_getfield(L, idx, "inline");
  s->is_inline = lua_toboolean(L, -1);
  /* the strings stay on the stack until the method returns */
}

static int lmg_form_data(lua_State *L)
{
  struct lmg_form *f = lmg_form_editable(L);
  struct lmg_part_spec s;
  memset(&s, 0, sizeof(s));
  s.name = luaL_checklstring(L, 2, &s.name_len);
  s.data = luaL_checklstring(L, 3, &s.data_len);
  s.size = (curl_off_t)s.data_len;
  lmg_part_opts(L, 4, &s);
  if(s.filename && !s.ctype) {
    s.ctype = "application/octet-stream";
    s.ctype_len = strlen(s.ctype);
  }
  lmg_form_add(L, f, &s);
  lua_settop(L, 1);
  return 1;
}

/* form:fields(name, list [, i]) adds list[i], list[i+1] ... (i: 1 by
   default) as fields of one name in one call (a batch's 1,000 "to"
   fields); it stops at the first item that is not a string and returns
   its index (the caller adds that one its own way), else nil. */
static int lmg_form_fields(lua_State *L)
{
  struct lmg_form *f = lmg_form_editable(L);
  struct lmg_part_spec s;
  lua_Integer i, n;
  memset(&s, 0, sizeof(s));
  s.name = luaL_checklstring(L, 2, &s.name_len);
  luaL_checktype(L, 3, LUA_TTABLE);
  i = luaL_optinteger(L, 4, 1);
  n = (lua_Integer)lua_rawlen(L, 3);
  for(; i <= n; i++) {
    lua_rawgeti(L, 3, (int)i);
    if(lua_type(L, -1) != LUA_TSTRING) {
      lua_pushinteger(L, i);
      return 1;
    }
    s.data = lua_tolstring(L, -1, &s.data_len);
    s.size = (curl_off_t)s.data_len;
    lmg_form_add(L, f, &s);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  return 1;
}

/* Adds a field (a bytes part without options) to an open form: for C
   callers that build a whole form in one call (simple.c). */
void lmg_form_add_field(lua_State *L, struct lmg_form *f, const char *name,
                        size_t name_len, const char *value, size_t value_len)
{
  struct lmg_part_spec s;
  memset(&s, 0, sizeof(s));
  s.name = name;
  s.name_len = name_len;
  s.data = value;
  s.data_len = value_len;
  s.size = (curl_off_t)value_len;
  lmg_form_add(L, f, &s);
}

/* a field is a bytes part without options */
static int lmg_form_field(lua_State *L)
{
  lua_settop(L, 3);
  return lmg_form_data(L);
}

static int lmg_form_file(lua_State *L)
{
  struct lmg_form *f = lmg_form_editable(L);
  struct lmg_part_spec s;
  struct stat st;
  FILE *fp;
  int stat_ok;
  memset(&s, 0, sizeof(s));
  s.name = luaL_checklstring(L, 2, &s.name_len);
  s.path = luaL_checklstring(L, 3, &s.path_len);
  luaL_argcheck(L, strlen(s.path) == s.path_len, 3,
                "path must not contain a NUL byte");
  lmg_part_opts(L, 4, &s);
  fp = fopen(s.path, "rb");
  stat_ok = fp && fstat(fileno(fp), &st) == 0;
  if(!stat_ok || !S_ISREG(st.st_mode)) {
    const char *why = stat_ok ? "not a regular file" : strerror(errno);
    if(fp)
      fclose(fp);
    luaL_pushfail(L);
    lua_pushfstring(L, "cannot open %s: %s", s.path, why);
    return 2;
  }
  fclose(fp);
  s.size = (curl_off_t)st.st_size;
  if(!s.filename) {
    const char *slash = strrchr(s.path, '/');
    s.filename = slash ? slash + 1 : s.path;
    s.filename_len = strlen(s.filename);
  }
  if(!s.ctype) {
    s.ctype = "application/octet-stream";
    s.ctype_len = strlen(s.ctype);
  }
  lmg_form_add(L, f, &s);
  lua_pushboolean(L, 1);
  return 1;
}

static int lmg_form_content_type_l(lua_State *L)
{
  lua_pushstring(L, lmg_form_check(L, 1)->content_type);
  return 1;
}

static int lmg_form_length_l(lua_State *L)
{
  curl_off_t len = lmg_form_length(lmg_form_check(L, 1));
#if LUA_VERSION_NUM >= 503
  lua_pushinteger(L, (lua_Integer)len);
#else
  lua_pushnumber(L, (lua_Number)len);
#endif
  return 1;
}

/* form:read(n): pieces of up to LMG_READ_CHUNK bytes are pushed as strings
   and joined with lua_concat (LuaJIT's luaL_addlstring goes byte by byte) */
static int lmg_form_read(lua_State *L)
{
  struct lmg_form *f = lmg_form_check(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 65536);
  struct lmg_cursor *c = &f->reader;
  size_t total = 0;
  int pieces = 0;
  luaL_argcheck(L, n > 0, 2, "must be a positive byte count");
  lua_settop(L, 2);
  /* up to LMG_READ_PIECES strings, then nil and a message */
  luaL_checkstack(L, LMG_READ_PIECES + 2, "form:read");
  if(!f->scratch) {
    f->scratch = malloc(LMG_READ_CHUNK);
    if(!f->scratch)
      return luaL_error(L, "form: out of memory");
  }
  while(total < (size_t)n) {
    size_t want = (size_t)n - total;
    size_t got;
    if(want > LMG_READ_CHUNK)
      want = LMG_READ_CHUNK;
    got = lmg_cursor_read(c, f->scratch, want);
    lua_pushlstring(L, f->scratch, got);
    total += got;
    if(++pieces == LMG_READ_PIECES) {
      lua_concat(L, pieces);
      pieces = 1;
    }
    if(got < want)
      break;
  }
  lua_concat(L, pieces);
  if(c->failed) {
    luaL_pushfail(L);
    lua_pushstring(L, c->error);
    return 2;
  }
  if(total == 0)
    luaL_pushfail(L);
  return 1;
}

static int lmg_form_rewind(lua_State *L)
{
  struct lmg_form *f = lmg_form_check(L, 1);
  lmg_cursor_start(&f->reader);
  lua_settop(L, 1);
  return 1;
}

static int lmg_form_close(lua_State *L)
{
  struct lmg_form_ud *u = luaL_checkudata(L, 1, LMG_FORM_MT);
  if(u->form) {
    lmg_cursor_stop(&u->form->reader);
    lmg_form_release(u->form);
    u->form = NULL;
  }
  return 0;
}

static int lmg_form_tostring(lua_State *L)
{
  struct lmg_form_ud *u = luaL_checkudata(L, 1, LMG_FORM_MT);
  return lmg_push_name(L, LMG_FORM_MT, u->form);
}

int lmg_form_new(lua_State *L)
{
  static const char prefix[] = "------------------------mglua";
  struct lmg_form_ud *u = lua_newuserdatauv(L, sizeof(*u), 0);
  struct lmg_form *f;
  unsigned char rnd[12];
  size_t i;
  u->form = NULL;
  luaL_setmetatable(L, LMG_FORM_MT);
  f = calloc(1, sizeof(*f));
  if(!f)
    return luaL_error(L, "form: out of memory");
  f->refs = 1;
  f->reader.form = f;
  if(lmg_random_bytes(rnd, sizeof(rnd))) {
    free(f);
    return luaL_error(L, "form: no random bytes for the boundary");
  }
  memcpy(f->boundary, prefix, sizeof(prefix) - 1);
  for(i = 0; i < sizeof(rnd); i++) {
    static const char hex[] = "0123456789abcdef";
    f->boundary[sizeof(prefix) - 1 + 2 * i] = hex[rnd[i] >> 4];
    f->boundary[sizeof(prefix) + 2 * i] = hex[rnd[i] & 15];
  }
  f->boundary_len = sizeof(prefix) - 1 + 2 * sizeof(rnd);
  f->boundary[f->boundary_len] = '\0';
  snprintf(f->content_type, sizeof(f->content_type),
           "multipart/form-data; boundary=%s", f->boundary);
  u->form = f;
  return 1;
}

void lmg_form_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"field", lmg_form_field},
    {"fields", lmg_form_fields},
    {"data", lmg_form_data},
    {"file", lmg_form_file},
    {"content_type", lmg_form_content_type_l},
    {"length", lmg_form_length_l},
    {"read", lmg_form_read},
    {"rewind", lmg_form_rewind},
    {NULL, NULL}
  };
  lmg_new_metatable(L, LMG_FORM_MT, methods, lmg_form_close, lmg_form_tostring);
}

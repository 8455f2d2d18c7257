/*
 * form.c: the multipart/form-data encoder.
 *
 * A form is a list of parts, each a precomputed head ("--boundary", the
 * Content-Disposition and Content-Type lines), a body (bytes copied into
 * the part, or a file read from disk in chunks while it is sent) and a
 * CRLF; a closing delimiter ends it.  The exact length is known before
 * sending.  libcurl reads it through mg_form_curl_read (CURLOPT_READFUNCTION)
 * and Lua through form:read(n): both walk the same bytes with a cursor of
 * their own.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

#define MG_BOUNDARY_MAX 64
#define MG_READ_CHUNK (64 * 1024)

struct mg_part {
  char *head;             /* inside this allocation */
  size_t head_len;
  const char *data;       /* bytes part: inside this allocation */
  char *path;             /* file part: inside this allocation, else NULL */
  curl_off_t size;        /* body length */
};

/* Reference-counted: the userdata holds one reference while open, each
   running transfer one more. */
struct mg_form {
  int refs;
  struct mg_part **parts;   /* owned, each part one malloc block */
  size_t nparts;
  size_t cap;
  curl_off_t length;        /* parts only; the closing is added on top */
  char boundary[MG_BOUNDARY_MAX];
  size_t boundary_len;
  char content_type[MG_BOUNDARY_MAX + 40];
  struct mg_cursor reader;  /* the position of form:read() */
  char *scratch;            /* form:read()'s buffer, owned */
};

struct mg_form_ud {
  struct mg_form *form;     /* NULL when closed */
};

static void mg_form_free(struct mg_form *f)
{
  size_t i;
  mg_cursor_stop(&f->reader);
  free(f->scratch);
  for(i = 0; i < f->nparts; i++)
    free(f->parts[i]);
  free(f->parts);
  free(f);
}

void mg_form_retain(struct mg_form *f)
{
  f->refs++;
}

void mg_form_release(struct mg_form *f)
{
  if(f && --f->refs == 0)
    mg_form_free(f);
}

curl_off_t mg_form_length(const struct mg_form *f)
{
  /* "--" boundary "--" CRLF */
  return f->length + (curl_off_t)f->boundary_len + 6;
}

const char *mg_form_content_type(const struct mg_form *f)
{
  return f->content_type;
}

struct mg_form *mg_form_check(lua_State *L, int idx)
{
  struct mg_form_ud *u = luaL_checkudata(L, idx, MG_FORM_MT);
  if(!u->form)
    luaL_argerror(L, idx, "form is closed");
  return u->form;
}

/* ---- the cursor ---- */

void mg_cursor_stop(struct mg_cursor *c)
{
  if(c->fp) {
    fclose(c->fp);
    c->fp = NULL;
  }
}

void mg_cursor_start(struct mg_cursor *c)
{
  mg_cursor_stop(c);
  c->part = 0;
  c->stage = 0;
  c->offset = 0;
  c->failed = 0;
  c->error[0] = '\0';
}

static void mg_cursor_fail(struct mg_cursor *c, const char *what,
                           const char *path, int err)
{
  mg_cursor_stop(c);
  c->failed = 1;
  snprintf(c->error, sizeof(c->error), "%s %s: %s", what, path,
           err ? strerror(err) : "file is shorter than when it was added");
}

/* Copies up to n bytes of a segment, from offset on. */
static size_t mg_copy_segment(struct mg_cursor *c, const char *seg,
                              curl_off_t seg_len, char *dst, size_t n)
{
  curl_off_t left = seg_len - c->offset;
  size_t take = (curl_off_t)n < left ? n : (size_t)left;
  memcpy(dst, seg + c->offset, take);
  c->offset += (curl_off_t)take;
  return take;
}

/* Fills dst with up to n bytes (fewer only at the end); returns 0 at the
   end, or with c->failed set when a file could not be read. */
size_t mg_cursor_read(struct mg_cursor *c, char *dst, size_t n)
{
  struct mg_form *f = c->form;
  size_t done = 0;
  while(done < n && !c->failed) {
    if(c->part >= f->nparts) {
      /* the closing delimiter: "--" boundary "--" CRLF */
      char closing[MG_BOUNDARY_MAX + 6];
      size_t len = f->boundary_len + 6;
      if(c->offset >= (curl_off_t)len)
        break;
      closing[0] = '-';
      closing[1] = '-';
      memcpy(closing + 2, f->boundary, f->boundary_len);
      memcpy(closing + 2 + f->boundary_len, "--\r\n", 4);
      done += mg_copy_segment(c, closing, (curl_off_t)len, dst + done,
                              n - done);
    }
    else {
      struct mg_part *p = f->parts[c->part];
      if(c->stage == 0) {
        done += mg_copy_segment(c, p->head, (curl_off_t)p->head_len,
                                dst + done, n - done);
        if(c->offset == (curl_off_t)p->head_len) {
          c->stage = 1;
          c->offset = 0;
        }
      }
      else if(c->stage == 1) {
        if(c->offset == p->size) {
          mg_cursor_stop(c);
          c->stage = 2;
          c->offset = 0;
        }
        else if(!p->path)
          done += mg_copy_segment(c, p->data, p->size, dst + done, n - done);
        else {
          curl_off_t left = p->size - c->offset;
          size_t want = (curl_off_t)(n - done) < left ? n - done :
                        (size_t)left;
          size_t got;
          if(!c->fp) {
            c->fp = fopen(p->path, "rb");
            if(!c->fp) {
              mg_cursor_fail(c, "cannot open", p->path, errno);
              break;
            }
          }
          got = fread(dst + done, 1, want, c->fp);
          if(got == 0) {
            mg_cursor_fail(c, "cannot read", p->path,
                           ferror(c->fp) ? errno : 0);
            break;
          }
          done += got;
          c->offset += (curl_off_t)got;
        }
      }
      else {
        done += mg_copy_segment(c, "\r\n", 2, dst + done, n - done);
        if(c->offset == 2) {
          c->part++;
          c->stage = 0;
          c->offset = 0;
        }
      }
    }
  }
  return done;
}

size_t mg_form_curl_read(char *buf, size_t size, size_t nitems, void *ud)
{
  struct mg_cursor *c = ud;
  size_t got = mg_cursor_read(c, buf, size * nitems);
  if(c->failed)
    return CURL_READFUNC_ABORT;
  return got;
}

int mg_form_curl_seek(void *ud, curl_off_t offset, int origin)
{
  struct mg_cursor *c = ud;
  if(origin != SEEK_SET || offset != 0)
    return CURL_SEEKFUNC_CANTSEEK;
  mg_cursor_start(c);
  return CURL_SEEKFUNC_OK;
}

/* ---- building parts ---- */

/* Length of a name or filename once quotes, CR and LF become %22, %0D,
   %0A (what browsers do), so they never break the framing. */
static size_t mg_escaped_len(const char *s, size_t n)
{
  size_t i, len = n;
  for(i = 0; i < n; i++)
    if(s[i] == '"' || s[i] == '\r' || s[i] == '\n')
      len += 2;
  return len;
}

static char *mg_put_escaped(char *dst, const char *s, size_t n)
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

static char *mg_put(char *dst, const char *s, size_t n)
{
  memcpy(dst, s, n);
  return dst + n;
}

struct mg_part_spec {
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

static int mg_form_add(lua_State *L, struct mg_form *f,
                       const struct mg_part_spec *s)
{
  static const char disp1[] = "\r\nContent-Disposition: ";
  static const char ctline[] = "\r\nContent-Type: ";
  size_t head_len, extra;
  struct mg_part *p;
  char *w;
  head_len = 2 + f->boundary_len + (sizeof(disp1) - 1) +
             9 + 8 + mg_escaped_len(s->name, s->name_len)
             + 1;
  if(s->filename)
    head_len += 12 + mg_escaped_len(s->filename, s->filename_len) + 1;
  if(s->ctype)
    head_len += (sizeof(ctline) - 1) + s->ctype_len;
  head_len += 4;
  extra = s->path ? s->path_len + 1 : s->data_len;
  if(f->nparts == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 8;
    struct mg_part **parts = realloc(f->parts, cap * sizeof(*parts));
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
  w = mg_put(p->head, "--", 2);
  w = mg_put(w, f->boundary, f->boundary_len);
  w = mg_put(w, disp1, sizeof(disp1) - 1);
  /* always form-data (RFC 7578 4.2): an inline part differs by its field name only */
  w = mg_put(w, "form-data", 9);
  w = mg_put(w, "; name=\"", 8);
  w = mg_put_escaped(w, s->name, s->name_len);
  *w++ = '"';
  if(s->filename) {
    w = mg_put(w, "; filename=\"", 12);
    w = mg_put_escaped(w, s->filename, s->filename_len);
    *w++ = '"';
  }
  if(s->ctype) {
    w = mg_put(w, ctline, sizeof(ctline) - 1);
    w = mg_put(w, s->ctype, s->ctype_len);
  }
  w = mg_put(w, "\r\n\r\n", 4);
  if(s->path) {
    p->path = w;
    memcpy(p->path, s->path, s->path_len + 1);
    p->data = NULL;
  }
  else {
    p->path = NULL;
    memcpy(w, s->data, s->data_len);
    p->data = w;
  }
  p->size = s->size;
  f->parts[f->nparts++] = p;
  f->length += (curl_off_t)head_len + p->size + 2;
  return 0;
}

/* form methods check the form is open and not being sent */
static struct mg_form *mg_form_editable(lua_State *L)
{
  struct mg_form *f = mg_form_check(L, 1);
  if(f->refs > 1)
    luaL_error(L, "form is being sent: it cannot change now");
  return f;
}

static int mg_has_crlf(const char *s, size_t n)
{
  return memchr(s, '\r', n) || memchr(s, '\n', n);
}

/* reads the opts table at idx into s: filename, content_type, inline */
static void mg_part_opts(lua_State *L, int idx, struct mg_part_spec *s)
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
    luaL_argcheck(L, !mg_has_crlf(s->ctype, s->ctype_len), idx,
                  "content_type must not contain CR or LF");
  }
  lua_getfield(L, idx, "inline");
  s->is_inline = lua_toboolean(L, -1);
  /* the strings stay on the stack until the method returns */
}

static int mg_form_data(lua_State *L)
{
  struct mg_form *f = mg_form_editable(L);
  struct mg_part_spec s;
  memset(&s, 0, sizeof(s));
  s.name = luaL_checklstring(L, 2, &s.name_len);
  s.data = luaL_checklstring(L, 3, &s.data_len);
  s.size = (curl_off_t)s.data_len;
  mg_part_opts(L, 4, &s);
  if(s.filename && !s.ctype) {
    s.ctype = "application/octet-stream";
    s.ctype_len = strlen(s.ctype);
  }
  mg_form_add(L, f, &s);
  lua_settop(L, 1);
  return 1;
}

/* a field is a bytes part without options */
static int mg_form_field(lua_State *L)
{
  lua_settop(L, 3);
  return mg_form_data(L);
}

static int mg_form_file(lua_State *L)
{
  struct mg_form *f = mg_form_editable(L);
  struct mg_part_spec s;
  struct stat st;
  FILE *fp;
  memset(&s, 0, sizeof(s));
  s.name = luaL_checklstring(L, 2, &s.name_len);
  s.path = luaL_checklstring(L, 3, &s.path_len);
  luaL_argcheck(L, strlen(s.path) == s.path_len, 3,
                "path must not contain a NUL byte");
  mg_part_opts(L, 4, &s);
  fp = fopen(s.path, "rb");
  if(!fp || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
    const char *why = strerror(errno);
    if(fp && !S_ISREG(st.st_mode))
      why = "not a regular file";
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
  mg_form_add(L, f, &s);
  lua_pushboolean(L, 1);
  return 1;
}

static int mg_form_content_type_l(lua_State *L)
{
  lua_pushstring(L, mg_form_check(L, 1)->content_type);
  return 1;
}

static int mg_form_length_l(lua_State *L)
{
  curl_off_t len = mg_form_length(mg_form_check(L, 1));
#if LUA_VERSION_NUM >= 503
  lua_pushinteger(L, (lua_Integer)len);
#else
  lua_pushnumber(L, (lua_Number)len);
#endif
  return 1;
}

/* form:read(n): pieces of up to MG_READ_CHUNK bytes are pushed as strings
   and joined with lua_concat (LuaJIT's luaL_addlstring goes byte by byte) */
static int mg_form_read(lua_State *L)
{
  struct mg_form *f = mg_form_check(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 65536);
  struct mg_cursor *c = &f->reader;
  size_t total = 0;
  int pieces = 0;
  luaL_argcheck(L, n > 0, 2, "must be a positive byte count");
  lua_settop(L, 2);
  if(!f->scratch) {
    f->scratch = malloc(MG_READ_CHUNK);
    if(!f->scratch)
      return luaL_error(L, "form: out of memory");
  }
  while(total < (size_t)n) {
    size_t want = (size_t)n - total;
    size_t got;
    if(want > MG_READ_CHUNK)
      want = MG_READ_CHUNK;
    got = mg_cursor_read(c, f->scratch, want);
    lua_pushlstring(L, f->scratch, got);
    total += got;
    if(++pieces == 32) {
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

static int mg_form_rewind(lua_State *L)
{
  struct mg_form *f = mg_form_check(L, 1);
  mg_cursor_start(&f->reader);
  lua_settop(L, 1);
  return 1;
}

static int mg_form_close(lua_State *L)
{
  struct mg_form_ud *u = luaL_checkudata(L, 1, MG_FORM_MT);
  if(u->form) {
    mg_cursor_stop(&u->form->reader);
    mg_form_release(u->form);
    u->form = NULL;
  }
  return 0;
}

static int mg_form_tostring(lua_State *L)
{
  struct mg_form_ud *u = luaL_checkudata(L, 1, MG_FORM_MT);
  return mg_push_name(L, MG_FORM_MT, u->form);
}

int mg_form_new(lua_State *L)
{
  static const char prefix[] = "------------------------mglua";
  struct mg_form_ud *u = lua_newuserdatauv(L, sizeof(*u), 0);
  struct mg_form *f;
  unsigned char rnd[12];
  size_t i;
  u->form = NULL;
  luaL_setmetatable(L, MG_FORM_MT);
  f = calloc(1, sizeof(*f));
  if(!f)
    return luaL_error(L, "form: out of memory");
  f->refs = 1;
  f->reader.form = f;
  if(mg_random_bytes(rnd, sizeof(rnd))) {
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

void mg_form_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"field", mg_form_field},
    {"data", mg_form_data},
    {"file", mg_form_file},
    {"content_type", mg_form_content_type_l},
    {"length", mg_form_length_l},
    {"read", mg_form_read},
    {"rewind", mg_form_rewind},
    {NULL, NULL}
  };
  mg_new_metatable(L, MG_FORM_MT, methods, mg_form_close, mg_form_tostring);
}

/*
 * fuzz_form.c: builds a core.form from the input (fields, data parts,
 * file parts, with or without filename, content type, inline), reads it
 * back with form:read(n) in chunk sizes from the input, and checks the
 * bytes with the strict parser of multipart.h: the same parts, names and
 * filenames escaped as documented, every byte of every body, and exactly
 * form:length() bytes.  A form without file parts is also rendered whole
 * (lmg_form_render, what the transfers send as POSTFIELDS): the same bytes.
 */
#include <unistd.h>

#include "fuzz.h"
#include "form.h"
#include "multipart.h"

#define MAX_PARTS 8

struct want {
  char name[64], filename[64], ctype[32];
  size_t name_len, filename_len, ctype_len;
  const char *data;
  size_t data_len;
  int is_inline;
};

/* what the encoder promises for names: '"', CR and LF as %22 %0D %0A */
static size_t escape(char *dst, const char *s, size_t n)
{
  size_t i, len = 0;
  for(i = 0; i < n; i++) {
    const char *e = s[i] == '"' ? "%22" : s[i] == '\r' ? "%0D" :
                    s[i] == '\n' ? "%0A" : NULL;
    if(e) {
      memcpy(dst + len, e, 3);
      len += 3;
    }
    else
      dst[len++] = s[i];
  }
  return len;
}

static void same(const char *a, size_t alen, const char *b, size_t blen)
{
  CHECK(alen == blen && (alen == 0 || memcmp(a, b, alen) == 0));
}

/* a file part's bytes go through a file in a directory of this process */
static const char *write_file(int i, const char *data, size_t len)
{
  static char path[64];
  FILE *f;
  snprintf(path, sizeof(path), "/tmp/lmg-fuzz-form-%d-%d", (int)getpid(), i);
  f = fopen(path, "wb");
  CHECK(f && fwrite(data, 1, len, f) == len && fclose(f) == 0);
  return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fz_lua();
  struct fz_in in = { data, size };
  struct want w[MAX_PARTS];
  struct mp_part got[MAX_PARTS];
  int nparts = (int)(fz_byte(&in) % (MAX_PARTS + 1)), i, form, count;
  size_t chunk = fz_byte(&in) % 97 + 1, len, total;
  const char *ct, *body;
  char boundary[80];
  struct lmg_buf out = { NULL, 0, 0 }, whole = { NULL, 0, 0 };
  int files = 0;
  if(fz_byte(&in) & 1)
    chunk *= 4096;
  CHECK(fz_call(L, 0, "form", 0, 1) == 0);
  form = lua_gettop(L);
  for(i = 0; i < nparts; i++) {
    unsigned kind = fz_byte(&in) % 3, flags = fz_byte(&in);
    files += kind == 2;
    const char *s = fz_take(&in, fz_byte(&in) % 16, &len);
    int opts;
    memset(&w[i], 0, sizeof(w[i]));
    w[i].name_len = escape(w[i].name, s, len);
    lua_pushlstring(L, s, len);
    w[i].data = fz_take(&in, fz_byte(&in) * (flags & 8 ? 16 : 1),
                        &w[i].data_len);
    if(kind == 2)
      lua_pushstring(L, write_file(i, w[i].data, w[i].data_len));
    else
      lua_pushlstring(L, w[i].data, w[i].data_len);
    lua_newtable(L);
    opts = lua_gettop(L);
    if(kind && (flags & 1)) {
      s = fz_take(&in, fz_byte(&in) % 16, &len);
      lua_pushlstring(L, s, len);
      lua_setfield(L, opts, "filename");
      w[i].filename_len = escape(w[i].filename, s, len);
    }
    if(kind && (flags & 2)) {
      w[i].ctype_len = snprintf(w[i].ctype, sizeof(w[i].ctype),
                                "type/%u", fz_byte(&in));
      lua_pushstring(L, w[i].ctype);
      lua_setfield(L, opts, "content_type");
    }
    w[i].is_inline = kind && (flags & 4);
    lua_pushboolean(L, w[i].is_inline);
    lua_setfield(L, opts, "inline");
    if(kind == 2 && !(flags & 1)) {   /* the file's own name */
      const char *base = strrchr(lua_tostring(L, opts - 1), '/') + 1;
      w[i].filename_len = escape(w[i].filename, base, strlen(base));
    }
    if(!(flags & 2) && (kind == 2 || (kind == 1 && (flags & 1))))
      w[i].ctype_len = (size_t)snprintf(w[i].ctype, sizeof(w[i].ctype),
                                        "application/octet-stream");
    if(!kind)
      lua_pop(L, 1);
    CHECK(fz_call(L, form, kind == 0 ? "field" : kind == 1 ? "data" :
                  "file", kind ? 3 : 2, 1) == 0);
    CHECK(lua_toboolean(L, -1));
    lua_pop(L, 1);
  }
  /* read it all back, chunk bytes at a time */
  for(;;) {
    lua_pushinteger(L, (lua_Integer)chunk);
    CHECK(fz_call(L, form, "read", 1, 1) == 0);
    if(lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    body = lua_tolstring(L, -1, &len);
    CHECK(len > 0 && len <= chunk);
    CHECK(lmg_buf_append(&out, body, len) == 0);
    lua_pop(L, 1);
  }
  body = out.data;
  total = out.len;
  CHECK(fz_call(L, form, "length", 0, 1) == 0);
  CHECK((size_t)lua_tointeger(L, -1) == total);
  lua_pop(L, 1);
  /* rendered whole: the same bytes, unless a file part streams */
  CHECK(lmg_form_render(lmg_form_check(L, form), &whole, (size_t)-1) == !files);
  if(!files) {
    CHECK(whole.len == total);
    CHECK(total == 0 || memcmp(whole.data, body, total) == 0);
  }
  lmg_buf_free(&whole);
  CHECK(fz_call(L, form, "content_type", 0, 1) == 0);
  ct = lua_tostring(L, -1);
  CHECK(strncmp(ct, "multipart/form-data; boundary=", 30) == 0);
  snprintf(boundary, sizeof(boundary), "%s", ct + 30);
  count = mp_parse(body, total, boundary, got, MAX_PARTS);
  CHECK(count == nparts);
  for(i = 0; i < count; i++) {
    same(got[i].name, got[i].name_len, w[i].name, w[i].name_len);
    same(got[i].filename, got[i].filename_len, w[i].filename,
         w[i].filename_len);
    same(got[i].ctype, got[i].ctype_len, w[i].ctype, w[i].ctype_len);
    same(got[i].data, got[i].data_len, w[i].data, w[i].data_len);
  }
  CHECK(fz_call(L, form, "close", 0, 0) == 0);
  lmg_buf_free(&out);
  for(i = 0; i < nparts; i++) {
    char path[64];
    snprintf(path, sizeof(path), "/tmp/lmg-fuzz-form-%d-%d", (int)getpid(),
             i);
    unlink(path);
  }
  return 0;
}

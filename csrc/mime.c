/*
 * mime.c: core.mime{...}, an RFC 5322 / MIME message built once and then
 * read as a stream.
 *
 * The message is a list of segments: literal bytes (headers, boundaries,
 * quoted-printable text) and base64 bodies whose source is a string copied
 * into C memory or a file read only while the message is read, so a large
 * attachment costs a few kilobytes of memory whatever its size.
 *
 *   core.mime{headers = {{name, value}, ...}, text =, html =,
 *             attachments = {{path = | data =, filename =, content_type =}},
 *             inline = {{..., cid =}}, domain =}
 *     value: a string (unstructured) or a list of addresses
 *            ({email =, name =} tables or bare address strings)
 *   -> mime | nil, message (bad input)
 *   mime:message_id()  mime:read([n]) -> bytes | nil  mime:rewind()
 *   mime:close()
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#include "compat.h"
#include "smtp.h"

#define MIME_FOLD 78            /* the line length headers aim for */
#define MIME_WORD_BYTES 42      /* bytes per encoded word: 68 characters */
#define MIME_RAW_CHUNK (57 * 64)        /* base64: 64 lines of 76 */
#define MIME_OUT_CHUNK (78 * 64)

enum { SEG_BYTES, SEG_B64_DATA, SEG_B64_FILE };

/* one piece of the message; `data` is owned: the bytes, the raw data to
   encode, or the NUL-terminated path */
struct mime_seg {
  int kind;
  char *data;
  size_t len;
};

struct smtp_mime {
  struct mime_seg *segs;        /* owned array */
  size_t nsegs;
  size_t cap;
  char *lit;                    /* literal bytes being built (owned) */
  size_t lit_len;
  size_t lit_cap;
  char message_id[300];
  /* the reader */
  size_t seg;
  size_t off;                   /* in the current segment's data */
  FILE *fp;                     /* open file of the current segment */
  unsigned char out[MIME_OUT_CHUNK];
  size_t out_len;
  size_t out_pos;
  int failed;
  char error[300];
};

struct mime_ud {
  struct smtp_mime *m;          /* owned; NULL when closed */
};

/* the builder: raises on wrong types and out of memory (the userdata owns
   every allocation, so __gc frees a half-built message); returns -1 with
   `bad` set for bad input */
struct builder {
  lua_State *L;
  struct smtp_mime *m;
  size_t col;                   /* column in the current header line */
  unsigned serial;              /* boundary numbers */
  char boundary_base[40];
  char bad[300];
};

static const char b64_chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- freeing ---- */

static void mime_free(struct smtp_mime *m)
{
  size_t i;
  if(!m)
    return;
  smtp_mime_stop(m);
  for(i = 0; i < m->nsegs; i++)
    free(m->segs[i].data);
  free(m->segs);
  free(m->lit);
  free(m);
}

/* ---- building blocks ---- */

static void put(struct builder *b, const char *p, size_t n)
{
  struct smtp_mime *m = b->m;
  if(n > m->lit_cap - m->lit_len) {
    size_t cap = m->lit_cap ? m->lit_cap : 1024;
    char *data;
    while(cap - m->lit_len < n)
      cap *= 2;
    data = realloc(m->lit, cap);
    if(!data) {
      luaL_error(b->L, "out of memory");
      return;
    }
    m->lit = data;
    m->lit_cap = cap;
  }
  memcpy(m->lit + m->lit_len, p, n);
  m->lit_len += n;
  b->col += n;
}

static void puts_(struct builder *b, const char *s)
{
  put(b, s, strlen(s));
}

static void crlf(struct builder *b)
{
  put(b, "\r\n", 2);
  b->col = 0;
}

static void add_seg(struct builder *b, int kind, char *data, size_t len)
{
  struct smtp_mime *m = b->m;
  if(m->nsegs == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 8;
    struct mime_seg *segs = realloc(m->segs, cap * sizeof(*segs));
    if(!segs) {
      free(data);
      luaL_error(b->L, "out of memory");
      return;
    }
    m->segs = segs;
    m->cap = cap;
  }
  m->segs[m->nsegs].kind = kind;
  m->segs[m->nsegs].data = data;
  m->segs[m->nsegs].len = len;
  m->nsegs++;
}

/* the literal bytes so far become a segment */
static void flush(struct builder *b)
{
  struct smtp_mime *m = b->m;
  if(m->lit_len) {
    char *data = m->lit;
    size_t len = m->lit_len;
    m->lit = NULL;
    m->lit_len = 0;
    m->lit_cap = 0;
    add_seg(b, SEG_BYTES, data, len);
  }
}

static char *copy_bytes(struct builder *b, const char *p, size_t n)
{
  char *c = malloc(n + 1);
  if(!c) {
    luaL_error(b->L, "out of memory");
    return NULL;
  }
  memcpy(c, p, n);
  c[n] = '\0';
  return c;
}

static int bad(struct builder *b, const char *what, const char *detail)
{
  snprintf(b->bad, sizeof(b->bad), "%s%s", what, detail ? detail : "");
  return -1;
}

static void b64_block(const unsigned char *in, size_t n, char *out)
{
  unsigned v = (unsigned)in[0] << 16;
  if(n > 1)
    v |= (unsigned)in[1] << 8;
  if(n > 2)
    v |= in[2];
  out[0] = b64_chars[(v >> 18) & 63];
  out[1] = b64_chars[(v >> 12) & 63];
  out[2] = '=';
  out[3] = '=';
  if(n > 1)
    out[2] = b64_chars[(v >> 6) & 63];
  if(n > 2)
    out[3] = b64_chars[v & 63];
}

static int is_ascii_text(const char *s, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c > 126 || (c < 32 && c != '\t'))
      return 0;
  }
  return 1;
}

static int has_crlf(const char *s, size_t n)
{
  return memchr(s, '\r', n) || memchr(s, '\n', n);
}

/* ---- headers ---- */

/* a space, or a fold when the token would pass the line length */
static void fold_space(struct builder *b, size_t token_len)
{
  if(b->col + 1 + token_len > MIME_FOLD && b->col > 0) {
    crlf(b);
  }
  put(b, " ", 1);
}

/* RFC 2047 B encoded words, never splitting a UTF-8 sequence */
static void encoded_words(struct builder *b, const char *s, size_t n)
{
  size_t i = 0;
  while(i < n) {
    size_t k = n - i < MIME_WORD_BYTES ? n - i : MIME_WORD_BYTES;
    size_t j;
    char word[MIME_WORD_BYTES * 2 + 16];
    size_t w = 0;
    while(i + k < n && k > 1 && ((unsigned char)s[i + k] & 0xC0) == 0x80)
      k--;
    strcpy(word, "=?UTF-8?B?");
    w = strlen(word);
    for(j = 0; j < k; j += 3) {
      b64_block((const unsigned char *)s + i + j, k - j < 3 ? k - j : 3,
                word + w);
      w += 4;
    }
    word[w++] = '?';
    word[w++] = '=';
    fold_space(b, w);
    put(b, word, w);
    i += k;
  }
}

/* an unstructured value (Subject, X-...): kept as is and folded at its own
   whitespace, or encoded when it is not plain ASCII or cannot be folded */
static void unstructured(struct builder *b, const char *s, size_t n)
{
  size_t i, run = 0;
  int encode = !is_ascii_text(s, n);
  for(i = 0; i < n && !encode; i++) {
    run = (s[i] == ' ' || s[i] == '\t') ? 0 : run + 1;
    if(run > 900 || (s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
      encode = 1;
  }
  if(encode) {
    encoded_words(b, s, n);
    return;
  }
  put(b, " ", 1);
  i = 0;
  while(i < n) {
    size_t start = i, ws;
    while(i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    ws = i - start;
    while(i < n && s[i] != ' ' && s[i] != '\t')
      i++;
    if(ws && b->col + (i - start) > MIME_FOLD && b->col > 1)
      crlf(b);
    put(b, s + start, i - start);
  }
}

static int is_atext(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
    (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* a display name: atoms, a quoted string, or encoded words */
static void display_name(struct builder *b, const char *s, size_t n)
{
  size_t i;
  int atoms = n > 0 && s[0] != ' ' && s[n - 1] != ' ';
  char *q;
  size_t w = 0;
  for(i = 0; i < n && atoms; i++)
    if(!is_atext((unsigned char)s[i]) &&
       !(s[i] == ' ' && s[i + 1] != ' '))
      atoms = 0;
  if(atoms && n < 900) {
    fold_space(b, n);
    put(b, s, n);
    return;
  }
  if(!is_ascii_text(s, n) || n > 400 || (n > 1 && strstr(s, "=?"))) {
    encoded_words(b, s, n);
    return;
  }
  q = malloc(2 * n + 3);
  if(!q) {
    luaL_error(b->L, "out of memory");
    return;
  }
  q[w++] = '"';
  for(i = 0; i < n; i++) {
    if(s[i] == '"' || s[i] == '\\')
      q[w++] = '\\';
    q[w++] = s[i];
  }
  q[w++] = '"';
  fold_space(b, w);
  put(b, q, w);
  free(q);
}

/* an addr-spec in plain ASCII (SMTPUTF8 is not supported) */
static int check_address(struct builder *b, const char *s, size_t n)
{
  size_t i;
  if(n == 0 || n > 254 || !memchr(s, '@', n) || s[0] == '@' ||
     s[n - 1] == '@')
    return bad(b, "not an email address: ", n < 200 ? s : "(too long)");
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c > 126)
      return bad(b, "a non-ASCII address needs SMTPUTF8, which is not "
                 "supported: ", s);
    if(c <= 32 || strchr("<>,;\"()[]\\", c))
      return bad(b, "not an email address: ",
                 has_crlf(s, n) ? "(contains CR or LF)" : s);
  }
  return 0;
}

/* the value at the top of the stack: a list of addresses */
static int address_list(struct builder *b)
{
  lua_State *L = b->L;
  int list = lua_gettop(L);
  size_t i, count = lua_rawlen(L, list);
  if(count == 0)
    return bad(b, "an address header has no address", NULL);
  for(i = 1; i <= count; i++) {
    const char *email, *name = NULL;
    size_t elen, nlen = 0;
    char *token;
    lua_rawgeti(L, list, (lua_Integer)i);
    if(lua_type(L, -1) == LUA_TSTRING) {
      email = lua_tolstring(L, -1, &elen);
    }
    else if(lua_istable(L, -1)) {
      lua_getfield(L, -1, "email");
      if(lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "bad address (email: string expected, got %s)",
                          luaL_typename(L, -1));
      email = lua_tolstring(L, -1, &elen);
      lua_getfield(L, -2, "name");
      if(!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "bad address (name: string expected, got %s)",
                          luaL_typename(L, -1));
      if(!lua_isnil(L, -1))
        name = lua_tolstring(L, -1, &nlen);
    }
    else
      return luaL_error(L, "bad address (string or table expected, got %s)",
                        luaL_typename(L, -1));
    if(check_address(b, email, elen))
      return -1;
    if(name && has_crlf(name, nlen))
      return bad(b, "a display name contains CR or LF", NULL);
    if(name && nlen)
      display_name(b, name, nlen);
    token = malloc(elen + 4);
    if(!token)
      return luaL_error(L, "out of memory");
    if(name && nlen)
      snprintf(token, elen + 4, "<%s>%s", email, i < count ? "," : "");
    else
      snprintf(token, elen + 4, "%s%s", email, i < count ? "," : "");
    fold_space(b, strlen(token));
    put(b, token, strlen(token));
    free(token);
    lua_settop(L, list);
  }
  return 0;
}

static int check_header_name(struct builder *b, const char *s, size_t n)
{
  size_t i;
  if(n == 0 || n > 76)
    return bad(b, "bad header name: ", n ? "(too long)" : "(empty)");
  for(i = 0; i < n; i++)
    if(s[i] <= 32 || s[i] > 126 || s[i] == ':')
      return bad(b, "bad header name (control, space, ':' or non-ASCII)",
                 NULL);
  return 0;
}

static void random_hex(char *dst, size_t bytes)
{
  unsigned char raw[32];
  size_t i;
  if(bytes > sizeof(raw))
    bytes = sizeof(raw);
  if(RAND_bytes(raw, (int)bytes) != 1) {
    /* never expected; a time-based value still makes a unique-enough id */
    unsigned long t = (unsigned long)time(NULL) ^ (unsigned long)clock();
    for(i = 0; i < bytes; i++)
      raw[i] = (unsigned char)(t >> (i % 8));
  }
  for(i = 0; i < bytes; i++)
    sprintf(dst + 2 * i, "%02x", raw[i]);
}

static void date_header(struct builder *b)
{
  static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
                               "Sat"};
  static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char line[64];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(line, sizeof(line), "Date: %s, %02d %s %04d %02d:%02d:%02d "
           "+0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  puts_(b, line);
  crlf(b);
}

static int header_is(const char *name, const char *want)
{
  size_t i;
  for(i = 0; name[i] && want[i]; i++) {
    char c = name[i];
    if(c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if(c != want[i])
      return 0;
  }
  return !name[i] && !want[i];
}

static int headers(struct builder *b, int opts)
{
  lua_State *L = b->L;
  size_t i, count;
  int have_date = 0, have_id = 0;
  const char *domain = "localhost";
  lua_getfield(L, opts, "domain");
  if(lua_type(L, -1) == LUA_TSTRING)
    domain = lua_tostring(L, -1);
  else if(!lua_isnil(L, -1))
    return luaL_error(L, "bad option 'domain' (string expected, got %s)",
                      luaL_typename(L, -1));
  if(!is_ascii_text(domain, strlen(domain)) || strlen(domain) > 200 ||
     strpbrk(domain, " <>\t@"))
    return bad(b, "bad domain for the Message-ID", NULL);
  lua_getfield(L, opts, "headers");
  if(!lua_isnil(L, -1))
    luaL_checktype(L, -1, LUA_TTABLE);
  count = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
  for(i = 1; i <= count; i++) {
    int top = lua_gettop(L);
    const char *name, *value;
    size_t nlen, vlen;
    lua_rawgeti(L, top, (lua_Integer)i);
    if(!lua_istable(L, -1))
      return luaL_error(L, "bad header #%d ({name, value} expected)", (int)i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    if(lua_type(L, -2) != LUA_TSTRING)
      return luaL_error(L, "bad header #%d (name: string expected)", (int)i);
    name = lua_tolstring(L, -2, &nlen);
    if(check_header_name(b, name, nlen))
      return -1;
    if(header_is(name, "mime-version") || header_is(name, "content-type") ||
       header_is(name, "content-transfer-encoding") || header_is(name, "bcc"))
      return bad(b, "this header is written by the MIME builder: ", name);
    have_date |= header_is(name, "date");
    b->col = 0;
    put(b, name, nlen);
    put(b, ":", 1);
    if(lua_istable(L, -1)) {
      if(address_list(b))
        return -1;
    }
    else if(lua_type(L, -1) == LUA_TSTRING) {
      value = lua_tolstring(L, -1, &vlen);
      if(has_crlf(value, vlen))
        return bad(b, "a header value contains CR or LF: ", name);
      if(header_is(name, "message-id")) {
        if(vlen >= sizeof(b->m->message_id) || vlen < 3 || value[0] != '<' ||
           value[vlen - 1] != '>' || !is_ascii_text(value, vlen))
          return bad(b, "bad Message-ID (<id@domain> expected)", NULL);
        memcpy(b->m->message_id, value, vlen + 1);
        have_id = 1;
        put(b, " ", 1);
        put(b, value, vlen);
      }
      else
        unstructured(b, value, vlen);
    }
    else
      return luaL_error(L, "bad header '%s' (string or address list "
                        "expected, got %s)", name, luaL_typename(L, -1));
    crlf(b);
    lua_settop(L, top);
  }
  if(!have_date)
    date_header(b);
  if(!have_id) {
    char hex[65];
    random_hex(hex, 16);
    snprintf(b->m->message_id, sizeof(b->m->message_id), "<%s@%s>", hex,
             domain);
    puts_(b, "Message-ID: ");
    puts_(b, b->m->message_id);
    crlf(b);
  }
  puts_(b, "MIME-Version: 1.0");
  crlf(b);
  return 0;
}

/* ---- bodies ---- */

static void hex_byte(struct builder *b, unsigned char c)
{
  char e[3];
  e[0] = '=';
  e[1] = "0123456789ABCDEF"[c >> 4];
  e[2] = "0123456789ABCDEF"[c & 15];
  put(b, e, 3);
}

/* quoted-printable; CRLF, LF or CR in the text become hard line breaks,
   lines stay within 76 characters, a '.' opening a line is encoded */
static void quoted_printable(struct builder *b, const char *text, size_t n)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t i, col = 0;
  for(i = 0; i < n; i++) {
    unsigned char c = s[i];
    int enc;
    if(c == '\r' || c == '\n') {
      if(c == '\r' && i + 1 < n && s[i + 1] == '\n')
        i++;
      crlf(b);
      col = 0;
      continue;
    }
    if(c == ' ' || c == '\t')
      enc = i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n';
    else
      enc = c < 33 || c > 126 || c == '=';
    if(col + (enc ? 3 : 1) > 75) {
      put(b, "=\r\n", 3);
      col = 0;
    }
    if(c == '.' && col == 0)
      enc = 1;
    if(enc)
      hex_byte(b, c);
    else
      put(b, (const char *)&c, 1);
    col += enc ? 3 : 1;
  }
}

static void new_boundary(struct builder *b, char *dst, size_t size)
{
  snprintf(dst, size, "=_%s_%u", b->boundary_base, ++b->serial);
}

static void delimiter(struct builder *b, const char *boundary, int first)
{
  if(!first)
    crlf(b);
  puts_(b, "--");
  puts_(b, boundary);
  crlf(b);
}

static void multipart_head(struct builder *b, const char *sub,
                           const char *boundary)
{
  puts_(b, "Content-Type: multipart/");
  puts_(b, sub);
  puts_(b, ";");
  crlf(b);
  puts_(b, " boundary=\"");
  puts_(b, boundary);
  puts_(b, "\"");
  crlf(b);
  crlf(b);
}

static void close_multipart(struct builder *b, const char *boundary)
{
  crlf(b);
  puts_(b, "--");
  puts_(b, boundary);
  puts_(b, "--");
}

static void text_leaf(struct builder *b, int html, const char *s, size_t n)
{
  puts_(b, html ? "Content-Type: text/html; charset=utf-8"
        : "Content-Type: text/plain; charset=utf-8");
  crlf(b);
  puts_(b, "Content-Transfer-Encoding: quoted-printable");
  crlf(b);
  crlf(b);
  quoted_printable(b, s, n);
}

static const char *guess_type(const char *filename)
{
  static const char *types[][2] = {
    {"pdf", "application/pdf"}, {"png", "image/png"},
    {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
    {"webp", "image/webp"}, {"svg", "image/svg+xml"},
    {"txt", "text/plain"}, {"html", "text/html"}, {"htm", "text/html"},
    {"csv", "text/csv"}, {"json", "application/json"},
    {"zip", "application/zip"}, {"ics", "text/calendar"},
    {"eml", "message/rfc822"}, {"md", "text/markdown"}
  };
  const char *dot = strrchr(filename, '.');
  size_t i;
  if(dot)
    for(i = 0; i < sizeof(types) / sizeof(types[0]); i++)
      if(header_is(dot + 1, types[i][0]))
        return types[i][1];
  return "application/octet-stream";
}

/* filename="x" for a plain name, RFC 2231 filename*=UTF-8''... otherwise */
static void filename_param(struct builder *b, int disposition, const char *s,
                           size_t n)
{
  size_t i;
  int plain = is_ascii_text(s, n) && !strpbrk(s, "\"\\\t");
  put(b, ";", 1);
  crlf(b);
  put(b, " ", 1);
  puts_(b, disposition ? "filename" : "name");
  if(plain) {
    puts_(b, "=\"");
    put(b, s, n);
    puts_(b, "\"");
    return;
  }
  puts_(b, "*=UTF-8''");
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
       (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c))
      put(b, (const char *)&c, 1);
    else {
      char e[4];
      snprintf(e, sizeof(e), "%%%02X", c);
      put(b, e, 3);
    }
  }
}

/* the part at the top of the stack: {path = | data =, filename =,
   content_type =, cid =} */
static int file_leaf(struct builder *b, int inline_part)
{
  lua_State *L = b->L;
  int t = lua_gettop(L);
  const char *path = NULL, *data = NULL, *filename, *ctype, *cid = NULL;
  size_t len = 0, flen, i;
  if(!lua_istable(L, t))
    return luaL_error(L, "bad %s part (table expected, got %s)",
                      inline_part ? "inline" : "attachment",
                      luaL_typename(L, t));
  lua_getfield(L, t, "path");
  lua_getfield(L, t, "data");
  lua_getfield(L, t, "filename");
  lua_getfield(L, t, "content_type");
  lua_getfield(L, t, "cid");
  for(i = 1; i <= 5; i++)
    if(!lua_isnil(L, t + (int)i) && lua_type(L, t + (int)i) != LUA_TSTRING)
      return luaL_error(L, "bad part field (string expected, got %s)",
                        luaL_typename(L, t + (int)i));
  path = lua_tostring(L, t + 1);
  data = lua_tolstring(L, t + 2, &len);
  if(!path == !data)
    return bad(b, "a part needs either path or data", NULL);
  if(path) {
    FILE *fp = fopen(path, "rb");
    if(!fp)
      return bad(b, "cannot read attachment: ", path);
    fclose(fp);
  }
  filename = lua_tolstring(L, t + 3, &flen);
  if(!filename) {
    filename = path ? strrchr(path, '/') : NULL;
    filename = filename ? filename + 1 : (path ? path : "attachment");
    flen = strlen(filename);
  }
  if(flen == 0 || flen > 255 || has_crlf(filename, flen) ||
     strlen(filename) != flen)
    return bad(b, "bad filename (1 to 255 bytes, no CR, LF or NUL): ",
               filename);
  ctype = lua_tostring(L, t + 4);
  if(!ctype)
    ctype = guess_type(filename);
  if(strlen(ctype) > 200 || !is_ascii_text(ctype, strlen(ctype)) ||
     !strchr(ctype, '/') || strpbrk(ctype, " \t;\""))
    return bad(b, "bad content_type: ", ctype);
  cid = lua_tostring(L, t + 5);
  if(inline_part && !cid)
    cid = filename;
  if(cid && (!is_ascii_text(cid, strlen(cid)) || strpbrk(cid, " <>\t") ||
             strlen(cid) > 200))
    return bad(b, "bad content id (ASCII, no spaces or <>) for inline part: ",
               cid);
  puts_(b, "Content-Type: ");
  puts_(b, ctype);
  if(is_ascii_text(filename, flen) && !strpbrk(filename, "\"\\\t"))
    filename_param(b, 0, filename, flen);
  crlf(b);
  puts_(b, "Content-Transfer-Encoding: base64");
  crlf(b);
  puts_(b, inline_part ? "Content-Disposition: inline" :
        "Content-Disposition: attachment");
  filename_param(b, 1, filename, flen);
  crlf(b);
  if(cid) {
    puts_(b, "Content-ID: <");
    puts_(b, cid);
    puts_(b, ">");
    crlf(b);
  }
  crlf(b);
  flush(b);
  if(path)
    add_seg(b, SEG_B64_FILE, copy_bytes(b, path, strlen(path)),
            strlen(path));
  else
    add_seg(b, SEG_B64_DATA, copy_bytes(b, data, len), len);
  lua_settop(L, t);
  return 0;
}

static int string_field(struct builder *b, int opts, const char *key,
                        const char **s, size_t *n)
{
  lua_getfield(b->L, opts, key);
  if(!lua_isnil(b->L, -1) && lua_type(b->L, -1) != LUA_TSTRING)
    return luaL_error(b->L, "bad option '%s' (string expected, got %s)",
                      key, luaL_typename(b->L, -1));
  *s = lua_tolstring(b->L, -1, n);
  return 0;
}

/* text and html: one leaf or multipart/alternative */
static void alternative(struct builder *b, int opts)
{
  const char *text, *html;
  size_t tlen = 0, hlen = 0;
  char boundary[64];
  string_field(b, opts, "text", &text, &tlen);
  string_field(b, opts, "html", &html, &hlen);
  if(text && html) {
    new_boundary(b, boundary, sizeof(boundary));
    multipart_head(b, "alternative", boundary);
    delimiter(b, boundary, 1);
    text_leaf(b, 0, text, tlen);
    delimiter(b, boundary, 0);
    text_leaf(b, 1, html, hlen);
    close_multipart(b, boundary);
  }
  else if(html)
    text_leaf(b, 1, html, hlen);
  else
    text_leaf(b, 0, text ? text : "", tlen);
  lua_pop(b->L, 2);
}

/* wraps `inner` in a multipart of the parts listed in opts.attachments
   (multipart/mixed) or opts.inline (multipart/related) */
static int with_parts(struct builder *b, int opts,
                      int (*inner)(struct builder *, int), int inline_parts)
{
  lua_State *L = b->L;
  const char *key = inline_parts ? "inline" : "attachments";
  const char *sub = inline_parts ? "related" : "mixed";
  size_t i, count;
  char boundary[64];
  lua_getfield(L, opts, key);
  if(!lua_isnil(L, -1) && !lua_istable(L, -1))
    return luaL_error(L, "bad option '%s' (table expected, got %s)", key,
                      luaL_typename(L, -1));
  count = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
  if(count == 0) {
    lua_pop(L, 1);
    return inner(b, opts);
  }
  new_boundary(b, boundary, sizeof(boundary));
  multipart_head(b, sub, boundary);
  delimiter(b, boundary, 1);
  if(inner(b, opts))
    return -1;
  for(i = 1; i <= count; i++) {
    delimiter(b, boundary, 0);
    lua_rawgeti(L, -1, (lua_Integer)i);
    if(file_leaf(b, inline_parts))
      return -1;
    lua_pop(L, 1);
  }
  close_multipart(b, boundary);
  lua_pop(L, 1);
  return 0;
}

static int alternative_step(struct builder *b, int opts)
{
  alternative(b, opts);
  return 0;
}

static int related_step(struct builder *b, int opts)
{
  return with_parts(b, opts, alternative_step, 1);
}

static int build(struct builder *b, int opts)
{
  random_hex(b->boundary_base, 12);
  if(headers(b, opts))
    return -1;
  if(with_parts(b, opts, related_step, 0))
    return -1;
  crlf(b);
  flush(b);
  return 0;
}

/* ---- reading ---- */

SMTP_INTERNAL void smtp_mime_start(struct smtp_mime *m)
{
  smtp_mime_stop(m);
  m->seg = 0;
  m->off = 0;
  m->out_len = 0;
  m->out_pos = 0;
  m->failed = 0;
  m->error[0] = '\0';
}

SMTP_INTERNAL void smtp_mime_stop(struct smtp_mime *m)
{
  if(m->fp) {
    fclose(m->fp);
    m->fp = NULL;
  }
}

SMTP_INTERNAL const char *smtp_mime_error(const struct smtp_mime *m)
{
  return m->failed ? m->error : NULL;
}

static void next_seg(struct smtp_mime *m)
{
  smtp_mime_stop(m);
  m->seg++;
  m->off = 0;
  m->out_len = 0;
  m->out_pos = 0;
}

/* fills m->out with the next base64 lines; 0 at the end or on failure */
static size_t refill(struct smtp_mime *m, struct mime_seg *seg)
{
  unsigned char raw[MIME_RAW_CHUNK];
  size_t n = 0, i, w = 0;
  if(seg->kind == SEG_B64_DATA) {
    n = seg->len - m->off < sizeof(raw) ? seg->len - m->off : sizeof(raw);
    memcpy(raw, seg->data + m->off, n);
    m->off += n;
  }
  else {
    if(!m->fp && m->off == 0) {
      m->fp = fopen(seg->data, "rb");
      if(!m->fp) {
        m->failed = 1;
        snprintf(m->error, sizeof(m->error), "cannot open attachment %s",
                 seg->data);
        return 0;
      }
    }
    while(m->fp && n < sizeof(raw)) {
      size_t got = fread(raw + n, 1, sizeof(raw) - n, m->fp);
      n += got;
      if(got == 0)
        break;
    }
    if(m->fp && ferror(m->fp)) {
      m->failed = 1;
      snprintf(m->error, sizeof(m->error), "cannot read attachment %s",
               seg->data);
      return 0;
    }
    m->off += n;
  }
  for(i = 0; i < n; i += 57) {
    size_t line = n - i < 57 ? n - i : 57, j;
    for(j = 0; j < line; j += 3) {
      b64_block(raw + i + j, line - j < 3 ? line - j : 3,
                (char *)m->out + w);
      w += 4;
    }
    m->out[w++] = '\r';
    m->out[w++] = '\n';
  }
  m->out_len = w;
  m->out_pos = 0;
  return w;
}

SMTP_INTERNAL size_t smtp_mime_read(struct smtp_mime *m, char *dst,
                                    size_t n)
{
  size_t total = 0;
  while(total < n && m->seg < m->nsegs && !m->failed) {
    struct mime_seg *seg = &m->segs[m->seg];
    size_t k;
    if(seg->kind == SEG_BYTES) {
      k = seg->len - m->off < n - total ? seg->len - m->off : n - total;
      memcpy(dst + total, seg->data + m->off, k);
      m->off += k;
      total += k;
      if(m->off == seg->len)
        next_seg(m);
      continue;
    }
    if(m->out_pos == m->out_len && !refill(m, seg)) {
      if(m->failed)
        return 0;
      next_seg(m);
      continue;
    }
    k = m->out_len - m->out_pos < n - total ? m->out_len - m->out_pos
      : n - total;
    memcpy(dst + total, m->out + m->out_pos, k);
    m->out_pos += k;
    total += k;
  }
  return total;
}

/* ---- Lua ---- */

static struct mime_ud *mime_ud(lua_State *L, int idx)
{
  return (struct mime_ud *)luaL_checkudata(L, idx, SMTP_MIME_MT);
}

SMTP_INTERNAL struct smtp_mime *smtp_mime_check(lua_State *L, int idx)
{
  struct mime_ud *u = mime_ud(L, idx);
  if(!u->m)
    luaL_argerror(L, idx, "the message is closed");
  return u->m;
}

SMTP_INTERNAL int smtp_mime_new(lua_State *L)
{
  struct builder b;
  struct mime_ud *u;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  u = (struct mime_ud *)lua_newuserdatauv(L, sizeof(*u), 0);
  u->m = NULL;
  luaL_setmetatable(L, SMTP_MIME_MT);
  u->m = calloc(1, sizeof(*u->m));
  if(!u->m)
    return luaL_error(L, "out of memory");
  memset(&b, 0, sizeof(b));
  b.L = L;
  b.m = u->m;
  if(build(&b, 1)) {
    mime_free(u->m);
    u->m = NULL;
    luaL_pushfail(L);
    lua_pushstring(L, b.bad);
    return 2;
  }
  lua_settop(L, 2);
  return 1;
}

static int mime_close(lua_State *L)
{
  struct mime_ud *u = mime_ud(L, 1);
  mime_free(u->m);
  u->m = NULL;
  return 0;
}

static int mime_message_id(lua_State *L)
{
  lua_pushstring(L, smtp_mime_check(L, 1)->message_id);
  return 1;
}

static int mime_rewind(lua_State *L)
{
  smtp_mime_start(smtp_mime_check(L, 1));
  return 0;
}

/* mime:read([n]) -> the next bytes, nil at the end, or nil, message */
static int mime_read(lua_State *L)
{
  struct smtp_mime *m = smtp_mime_check(L, 1);
  lua_Integer want = luaL_optinteger(L, 2, 65536);
  char *tmp;
  size_t got;
  luaL_argcheck(L, want > 0 && want <= (1 << 26), 2, "1 to 64 MB");
  tmp = malloc((size_t)want);
  if(!tmp)
    return luaL_error(L, "out of memory");
  got = smtp_mime_read(m, tmp, (size_t)want);
  if(got)
    lua_pushlstring(L, tmp, got);
  free(tmp);
  if(got)
    return 1;
  luaL_pushfail(L);
  if(!m->failed)
    return 1;
  lua_pushstring(L, m->error);
  return 2;
}

static int mime_tostring(lua_State *L)
{
  struct mime_ud *u = mime_ud(L, 1);
  if(u->m)
    lua_pushfstring(L, "%s (%p)", SMTP_MIME_MT, (void *)u->m);
  else
    lua_pushfstring(L, "%s (closed)", SMTP_MIME_MT);
  return 1;
}

SMTP_INTERNAL void smtp_mime_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"message_id", mime_message_id},
    {"read", mime_read},
    {"rewind", mime_rewind},
    {NULL, NULL}
  };
  smtp_metatable(L, SMTP_MIME_MT, methods, mime_close, mime_tostring);
}

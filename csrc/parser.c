/*
 * parser.c: the streaming multipart parser (see parser.h).
 *
 * Framing follows RFC 2046 strictly: a delimiter is CRLF "--" boundary
 * (the first may open the body without the CRLF), followed by optional
 * linear white space and CRLF, or by "--" for the close delimiter; a line
 * that starts with the delimiter and goes on with anything else is an
 * error, as is a bare CR or LF in a header section or input that ends
 * before the close delimiter.  Body bytes are handed out as soon as they
 * cannot be the start of a delimiter, so memory stays at about one chunk.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "parser.h"

enum {
  LMG_ST_PREAMBLE,
  LMG_ST_AFTER_DELIM,      /* "--" boundary read: "--" or padding follows */
  LMG_ST_PADDING,          /* LWSP then CRLF */
  LMG_ST_HEADERS,
  LMG_ST_BODY,
  LMG_ST_EPILOGUE,
  LMG_ST_ERROR
};

static int lmg_bchar(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c) != NULL;
}

int lmg_mpp_init(struct lmg_mpp *p, const char *boundary, size_t n,
                const struct lmg_mpp_limits *limits)
{
  size_t i;
  memset(p, 0, sizeof(*p));
  p->state = LMG_ST_ERROR;
  p->error = "bad_boundary";
  if(n == 0 || n > LMG_MPP_BOUNDARY_MAX || boundary[n - 1] == ' ')
    return -1;
  for(i = 0; i < n; i++)
    if(!boundary[i] || !lmg_bchar((unsigned char)boundary[i]))
      return -1;
  memcpy(p->delim, "\r\n--", 4);
  memcpy(p->delim + 4, boundary, n);
  p->delim_len = n + 4;
  if(limits)
    p->limits = *limits;
  p->state = LMG_ST_PREAMBLE;
  p->error = NULL;
  return 0;
}

void lmg_mpp_free(struct lmg_mpp *p)
{
  free(p->in);
  free(p->hdr);
  free(p->fields);
  p->in = NULL;
  p->hdr = NULL;
  p->fields = NULL;
  p->in_len = p->in_off = p->in_cap = 0;
  p->hdr_len = p->hdr_cap = 0;
  p->nfields = p->fields_cap = 0;
}

/* word is one of the error words, detail a sentence: both are literals at
   every call, so a swap shows in review */
/* NOLINTBEGIN(bugprone-easily-swappable-parameters) */
int lmg_mpp_fail(struct lmg_mpp *p, const char *word, const char *detail)
/* NOLINTEND(bugprone-easily-swappable-parameters) */
{
  if(p->state != LMG_ST_ERROR) {
    p->state = LMG_ST_ERROR;
    p->error = word;
    snprintf(p->detail, sizeof(p->detail), "%s", detail ? detail : "");
  }
  return LMG_MPP_ERROR;
}

/* grows *buf (of *cap bytes) to hold `need` bytes; -1 when out of memory */
static int lmg_grow(void **buf, size_t *cap, size_t need)
{
  size_t cap2 = *cap ? *cap : 256;
  void *b;
  if(need <= *cap)
    return 0;
  while(cap2 < need) {
    if(cap2 > ((size_t)-1) / 2)
      return -1;
    cap2 *= 2;
  }
  b = realloc(*buf, cap2);
  if(!b)
    return -1;
  *buf = b;
  *cap = cap2;
  return 0;
}

int lmg_mpp_feed(struct lmg_mpp *p, const char *data, size_t n)
{
  void *in;
  if(p->state == LMG_ST_ERROR)
    return -1;
  if(p->finished) {
    lmg_mpp_fail(p, "malformed", "input after the end");
    return -1;
  }
  if(n > ((size_t)-1) - p->fed ||
     (p->limits.max_size && p->fed + n > p->limits.max_size)) {
    lmg_mpp_fail(p, "too_large", "the body is larger than max_size");
    return -1;
  }
  p->fed += n;
  if(n == 0)
    return 0;
  if(p->in_off) {
    memmove(p->in, p->in + p->in_off, p->in_len - p->in_off);
    p->in_len -= p->in_off;
    p->in_off = 0;
  }
  in = p->in;
  if(lmg_grow(&in, &p->in_cap, p->in_len + n)) {
    lmg_mpp_fail(p, "no_memory", "out of memory");
    return -1;
  }
  p->in = in;
  memcpy(p->in + p->in_len, data, n);
  p->in_len += n;
  return 0;
}

void lmg_mpp_finish(struct lmg_mpp *p)
{
  p->finished = 1;
}

/* Position of the delimiter d in s[0, n), or n when absent; *safe is the
   count of leading bytes that cannot be part of a delimiter. */
static size_t lmg_find(const char *s, size_t n, const char *d, size_t dn,
                      size_t *safe)
{
  size_t i = 0;
  while(i < n) {
    const char *cr = memchr(s + i, '\r', n - i);
    if(!cr)
      break;
    i = (size_t)(cr - s);
    if(n - i >= dn) {
      if(!memcmp(s + i, d, dn)) {
        *safe = i;
        return i;
      }
    }
    else if(!memcmp(s + i, d, n - i)) {
      *safe = i;        /* a delimiter may begin here */
      return n;
    }
    i++;
  }
  *safe = n;
  return n;
}

static int lmg_truncated(struct lmg_mpp *p)
{
  return lmg_mpp_fail(p, "truncated", "the body ends before the close "
                     "delimiter");
}

static int lmg_preamble(struct lmg_mpp *p)
{
  const char *s;
  size_t n = p->in_len - p->in_off, safe, at;
  if(n == 0) {
    if(p->finished)
      return lmg_mpp_fail(p, "malformed", "no boundary in the body");
    return LMG_MPP_NEED;
  }
  s = p->in + p->in_off;
  if(!p->started) {
    /* the first delimiter may open the body without its CRLF */
    size_t dn = p->delim_len - 2;
    size_t m = n < dn ? n : dn;
    if(!memcmp(s, p->delim + 2, m)) {
      if(n < dn)
        return p->finished ? lmg_truncated(p) : LMG_MPP_NEED;
      p->in_off += dn;
      p->started = 1;
      p->state = LMG_ST_AFTER_DELIM;
      return -1;
    }
    p->started = 1;
  }
  at = lmg_find(s, n, p->delim, p->delim_len, &safe);
  if(at < n) {
    p->in_off += at + p->delim_len;
    p->state = LMG_ST_AFTER_DELIM;
    return -1;
  }
  p->in_off += safe;
  if(p->finished)
    return lmg_mpp_fail(p, "malformed", "no boundary in the body");
  return LMG_MPP_NEED;
}

static int lmg_after_delim(struct lmg_mpp *p)
{
  const char *s = p->in + p->in_off;
  size_t n = p->in_len - p->in_off;
  if(n < 2)
    return p->finished ? lmg_truncated(p) : LMG_MPP_NEED;
  if(s[0] == '-' && s[1] == '-') {
    p->in_off += 2;
    p->state = LMG_ST_EPILOGUE;
    return LMG_MPP_DONE;
  }
  p->state = LMG_ST_PADDING;
  return -1;
}

static int lmg_padding(struct lmg_mpp *p)
{
  while(p->in_off < p->in_len &&
        (p->in[p->in_off] == ' ' || p->in[p->in_off] == '\t'))
    p->in_off++;
  if(p->in_len - p->in_off < 2)
    return p->finished ? lmg_truncated(p) : LMG_MPP_NEED;
  if(p->in[p->in_off] != '\r' || p->in[p->in_off + 1] != '\n')
    return lmg_mpp_fail(p, "malformed", "a boundary line goes on after "
                       "the boundary");
  p->in_off += 2;
  if(p->limits.max_parts && p->parts >= p->limits.max_parts)
    return lmg_mpp_fail(p, "too_many_parts", "more parts than max_parts");
  p->parts++;
  p->header_size = 0;
  p->hdr_len = 0;
  p->nfields = 0;
  p->state = LMG_ST_HEADERS;
  return -1;
}

static int lmg_hdr_append(struct lmg_mpp *p, const char *s, size_t n)
{
  void *hdr = p->hdr;
  if(lmg_grow(&hdr, &p->hdr_cap, p->hdr_len + n))
    return -1;
  p->hdr = hdr;
  memcpy(p->hdr + p->hdr_len, s, n);
  p->hdr_len += n;
  return 0;
}

/* one complete header line (without its CRLF) */
static int lmg_header_line(struct lmg_mpp *p, const char *line, size_t n)
{
  struct lmg_mpp_field *f;
  const char *colon;
  size_t i;
  if(memchr(line, '\r', n) || memchr(line, '\0', n))
    return lmg_mpp_fail(p, "malformed", "a bare CR or a NUL in a part "
                       "header");
  if(line[0] == ' ' || line[0] == '\t') {
    /* folded: the value goes on (RFC 5322 unfolding keeps the WSP) */
    if(!p->nfields)
      return lmg_mpp_fail(p, "malformed", "a part header begins with "
                         "white space");
    if(lmg_hdr_append(p, line, n))
      return lmg_mpp_fail(p, "no_memory", "out of memory");
    p->fields[p->nfields - 1].value_len += n;
    return -1;
  }
  colon = memchr(line, ':', n);
  if(!colon || colon == line)
    return lmg_mpp_fail(p, "malformed", "a part header line without a name");
  for(i = 0; line + i < colon; i++) {
    unsigned char c = (unsigned char)line[i];
    if(c < 33 || c > 126)
      return lmg_mpp_fail(p, "malformed", "a part header name with a "
                         "character RFC 5322 does not allow");
  }
  {
    void *fields = p->fields;
    if(lmg_grow(&fields, &p->fields_cap, (p->nfields + 1) * sizeof(*f)))
      return lmg_mpp_fail(p, "no_memory", "out of memory");
    p->fields = fields;
  }
  f = &p->fields[p->nfields];
  f->name = p->hdr_len;
  f->name_len = (size_t)(colon - line);
  i = f->name_len + 1;
  while(i < n && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if(lmg_hdr_append(p, line, f->name_len))
    return lmg_mpp_fail(p, "no_memory", "out of memory");
  f->value = p->hdr_len;
  f->value_len = n - i;
  if(lmg_hdr_append(p, line + i, n - i))
    return lmg_mpp_fail(p, "no_memory", "out of memory");
  p->nfields++;
  return -1;
}

static int lmg_headers(struct lmg_mpp *p)
{
  const char *s = p->in + p->in_off;
  size_t n = p->in_len - p->in_off, len, i;
  const char *lf = memchr(s, '\n', n);
  size_t max = p->limits.max_header;
  if(!lf) {
    if(max && p->header_size + n > max)
      return lmg_mpp_fail(p, "header_too_large", "a part's headers are "
                         "larger than max_header_size");
    return p->finished ? lmg_truncated(p) : LMG_MPP_NEED;
  }
  len = (size_t)(lf - s) + 1;
  if(max && p->header_size + len > max)
    return lmg_mpp_fail(p, "header_too_large", "a part's headers are larger "
                       "than max_header_size");
  if(len < 2 || s[len - 2] != '\r')
    return lmg_mpp_fail(p, "malformed", "a bare LF in a part header");
  p->header_size += len;
  p->in_off += len;
  if(len > 2)
    return lmg_header_line(p, s, len - 2);
  /* the empty line: trim each value's trailing white space */
  for(i = 0; i < p->nfields; i++) {
    struct lmg_mpp_field *f = &p->fields[i];
    while(f->value_len && (p->hdr[f->value + f->value_len - 1] == ' ' ||
                           p->hdr[f->value + f->value_len - 1] == '\t'))
      f->value_len--;
  }
  p->part_size = 0;
  p->state = LMG_ST_BODY;
  return LMG_MPP_PART;
}

static int lmg_body(struct lmg_mpp *p)
{
  const char *s = p->in + p->in_off;
  size_t n = p->in_len - p->in_off, safe, at;
  at = lmg_find(s, n, p->delim, p->delim_len, &safe);
  if(n && at == 0) {
    p->in_off += p->delim_len;
    p->state = LMG_ST_AFTER_DELIM;
    return LMG_MPP_PART_END;
  }
  if(safe == 0)
    return p->finished ? lmg_truncated(p) : LMG_MPP_NEED;
  if(p->limits.max_part && safe > p->limits.max_part - p->part_size)
    return lmg_mpp_fail(p, "part_too_large", "a part is larger than "
                       "max_part_size");
  p->part_size += safe;
  p->data = s;
  p->len = safe;
  p->in_off += safe;
  return LMG_MPP_DATA;
}

int lmg_mpp_next(struct lmg_mpp *p)
{
  int ev = -1;
  p->data = NULL;
  p->len = 0;
  while(ev < 0) {
    switch(p->state) {
    case LMG_ST_PREAMBLE:
      ev = lmg_preamble(p);
      break;
    case LMG_ST_AFTER_DELIM:
      ev = lmg_after_delim(p);
      break;
    case LMG_ST_PADDING:
      ev = lmg_padding(p);
      break;
    case LMG_ST_HEADERS:
      ev = lmg_headers(p);
      break;
    case LMG_ST_BODY:
      ev = lmg_body(p);
      break;
    case LMG_ST_EPILOGUE:
      p->in_off = p->in_len;      /* the epilogue is ignored */
      ev = LMG_MPP_DONE;
      break;
    default:
      ev = LMG_MPP_ERROR;
    }
  }
  return ev;
}

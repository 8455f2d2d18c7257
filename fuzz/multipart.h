/*
 * multipart.h: a strict reference parser of multipart/form-data (RFC 7578
 * on RFC 2046 section 5.1.1), written from the RFCs for fuzz_form.c: no
 * preamble, CRLF line ends, a Content-Disposition line first, quoted
 * parameter values without '"', CR or LF, an optional Content-Type line,
 * the close delimiter "--" boundary "--" CRLF and nothing after it.
 */
#ifndef LMG_MULTIPART_H
#define LMG_MULTIPART_H

#include <string.h>

struct mp_part {
  const char *name, *filename, *ctype, *data;   /* inside the body */
  size_t name_len, filename_len, ctype_len, data_len;
};

static int mp_lit(const char **p, const char *end, const char *lit)
{
  size_t n = strlen(lit);
  if((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
    return 0;
  *p += n;
  return 1;
}

/* a quoted value: sets v/len, moves past the closing quote */
static int mp_quoted(const char **p, const char *end, const char **v,
                     size_t *len)
{
  const char *q = *p;
  while(q < end && *q != '"' && *q != '\r' && *q != '\n')
    q++;
  if(q == end || *q != '"')
    return 0;
  *v = *p;
  *len = (size_t)(q - *p);
  *p = q + 1;
  return 1;
}

/* Parses body into at most max parts; returns the count, -1 if invalid. */
static int mp_parse(const char *body, size_t n, const char *boundary,
                    struct mp_part *parts, int max)
{
  const char *p = body, *end = body + n;
  size_t blen = strlen(boundary);
  int count = 0;
  if(blen < 1 || blen > 70 || !mp_lit(&p, end, "--") ||
     !mp_lit(&p, end, boundary))
    return -1;
  for(;;) {
    struct mp_part *part = &parts[count];
    const char *q;
    if(mp_lit(&p, end, "--\r\n"))
      return p == end ? count : -1;
    if(count == max || !mp_lit(&p, end, "\r\nContent-Disposition: "))
      return -1;
    memset(part, 0, sizeof(*part));
    /* RFC 7578 4.2: every part is form-data, inline parts included */
    if(!mp_lit(&p, end, "form-data"))
      return -1;
    if(!mp_lit(&p, end, "; name=\"") ||
       !mp_quoted(&p, end, &part->name, &part->name_len))
      return -1;
    if(mp_lit(&p, end, "; filename=\"") &&
       !mp_quoted(&p, end, &part->filename, &part->filename_len))
      return -1;
    if(mp_lit(&p, end, "\r\nContent-Type: ")) {
      part->ctype = p;
      while(p < end && *p != '\r' && *p != '\n')
        p++;
      part->ctype_len = (size_t)(p - part->ctype);
    }
    if(!mp_lit(&p, end, "\r\n\r\n"))
      return -1;
    /* the body ends at the first CRLF "--" boundary */
    for(q = p; q < end; q++)
      if((size_t)(end - q) >= blen + 4 && memcmp(q, "\r\n--", 4) == 0 &&
         memcmp(q + 4, boundary, blen) == 0)
        break;
    if(q == end)
      return -1;
    part->data = p;
    part->data_len = (size_t)(q - p);
    p = q + 4 + blen;
    count++;
  }
}

#endif

/*
 * fuzz/parser.c: libFuzzer harness for the multipart parser (csrc/parser.c),
 * no Lua involved.  Build and run: fuzz/run-parser [seconds].
 *
 * The first input byte picks a mode and a boundary, the second the chunk
 * sizes and limits.  Mode "hostile" feeds the rest as a body and checks the
 * parser's invariants; mode "round trip" frames the rest as parts with the
 * same boundary and checks that exactly those parts come back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../csrc/parser.h"

static const char *const boundaries[] = {
  "b", "XyZ", "------------------------mglua0123456789abcdef01234567",
  "a'()+_,-./:=? b", "--",
  ("0123456789012345678901234567890123456789012345678901234567890123456789")
};

#define CHECK(x) do { if(!(x)) abort(); } while(0)

struct seen {
  size_t parts, data, ends, fields;
  unsigned char *body;      /* round trip: the bytes of every part */
  size_t body_len;
};

/* drains events; returns the last one (NEED, DONE or ERROR) */
static int drain(struct lmg_mpp *p, struct seen *s)
{
  for(;;) {
    int ev = lmg_mpp_next(p);
    size_t i;
    CHECK(p->in_off <= p->in_len);
    switch(ev) {
    case LMG_MPP_PART:
      s->parts++;
      for(i = 0; i < p->nfields; i++) {
        const struct lmg_mpp_field *f = &p->fields[i];
        CHECK(f->name_len > 0);
        CHECK(f->name + f->name_len <= p->hdr_len);
        CHECK(f->value + f->value_len <= p->hdr_len);
        s->fields++;
      }
      if(p->limits.max_header)
        CHECK(p->hdr_len <= p->limits.max_header);
      break;
    case LMG_MPP_DATA:
      CHECK(p->len > 0);
      CHECK(p->data >= p->in && p->data + p->len <= p->in + p->in_len);
      if(s->body) {
        memcpy(s->body + s->body_len, p->data, p->len);
        s->body_len += p->len;
      }
      s->data += p->len;
      break;
    case LMG_MPP_PART_END:
      s->ends++;
      CHECK(s->ends == s->parts);
      break;
    case LMG_MPP_ERROR:
      CHECK(p->error != NULL);
      CHECK(lmg_mpp_next(p) == LMG_MPP_ERROR);
      return ev;
    case LMG_MPP_DONE:
      CHECK(lmg_mpp_next(p) == LMG_MPP_DONE);
      return ev;
    default:
      CHECK(ev == LMG_MPP_NEED);
      return ev;
    }
  }
}

static void run(const uint8_t *body, size_t n, const char *boundary,
                unsigned seed, const struct lmg_mpp_limits *lim,
                struct seen *s, int *last)
{
  struct lmg_mpp p;
  size_t off = 0;
  CHECK(lmg_mpp_init(&p, boundary, strlen(boundary), lim) == 0);
  *last = LMG_MPP_NEED;
  while(off < n && *last == LMG_MPP_NEED) {
    size_t chunk = 1 + (seed * 7 + off) % (seed & 8 ? 3 : 97);
    if(chunk > n - off)
      chunk = n - off;
    if(lmg_mpp_feed(&p, (const char *)body + off, chunk) != 0) {
      *last = LMG_MPP_ERROR;
      break;
    }
    off += chunk;
    *last = drain(&p, s);
  }
  if(*last == LMG_MPP_NEED) {
    lmg_mpp_finish(&p);
    *last = drain(&p, s);
    CHECK(*last != LMG_MPP_NEED);
  }
  CHECK(s->data <= n);
  lmg_mpp_free(&p);
}

/* frames data as parts split at 0xff bytes; checks the parts come back */
static void round_trip(const uint8_t *data, size_t n, const char *boundary,
                       unsigned seed)
{
  size_t blen = strlen(boundary), len = 0;
  size_t cap = (n + 2) * (blen + 40) + n;
  size_t i, j, occ, start = 0, parts = 0, payload = 0;
  unsigned char *body = malloc(cap);
  struct seen s;
  int last;
  CHECK(body != NULL);
  for(i = 0; i <= n; i++) {
    if(i < n && data[i] != 0xff)
      continue;
    len += (size_t)sprintf((char *)body + len, "--%s\r\nContent-Type: x/y"
                           "\r\n\r\n", boundary);
    memcpy(body + len, data + start, i - start);
    len += i - start;
    payload += i - start;
    memcpy(body + len, "\r\n", 2);
    len += 2;
    parts++;
    start = i + 1;
  }
  len += (size_t)sprintf((char *)body + len, "--%s--\r\n", boundary);
  memset(&s, 0, sizeof(s));
  s.body = malloc(len + 1);
  CHECK(s.body != NULL);
  run(body, len, boundary, seed, NULL, &s, &last);
  /* a payload holding the delimiter changes the framing: no claim then;
     the real ones are one per part (the first has no CRLF before it) */
  occ = 0;
  for(i = 0; i + blen + 4 <= len; i++)
    if(body[i] == '\r' && body[i + 1] == '\n' && body[i + 2] == '-' &&
       body[i + 3] == '-' && !memcmp(body + i + 4, boundary, blen))
      occ++;
  if(occ != parts || !memcmp(boundary, "--", 2))
    goto out;
  CHECK(last == LMG_MPP_DONE);
  CHECK(s.parts == parts);
  CHECK(s.data == payload);
  for(i = 0, j = 0; i < n; i++)
    if(data[i] != 0xff)
      CHECK(s.body[j++] == data[i]);
out:
  free(s.body);
  free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct lmg_mpp_limits lim;
  struct seen s;
  const char *boundary;
  unsigned seed;
  int last;
  if(size < 2)
    return 0;
  boundary = boundaries[(data[0] & 0x7f) % (sizeof(boundaries) /
                                            sizeof(*boundaries))];
  seed = data[1];
  if(data[0] & 0x80) {
    round_trip(data + 2, size - 2, boundary, seed);
    return 0;
  }
  memset(&lim, 0, sizeof(lim));
  if(seed & 1)
    lim.max_parts = seed % 5;
  if(seed & 2)
    lim.max_header = seed % 64;
  if(seed & 4)
    lim.max_part = seed % 32;
  if(seed & 16)
    lim.max_size = size / 2;
  memset(&s, 0, sizeof(s));
  run(data + 2, size - 2, boundary, seed, &lim, &s, &last);
  if(lim.max_parts)
    CHECK(s.parts <= lim.max_parts);
  return 0;
}

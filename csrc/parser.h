/*
 * parser.h: a streaming multipart parser (RFC 2046 framing, RFC 7578
 * form-data), plain C that never touches Lua: csrc/parser_lua.c binds it as
 * core.multipart_parser and fuzz/parser.c drives it directly.
 *
 * Feed bytes with lmg_mpp_feed (any chunk sizes), end the input with
 * lmg_mpp_finish, and pull events with lmg_mpp_next until it answers
 * LMG_MPP_NEED (feed more), LMG_MPP_DONE or LMG_MPP_ERROR.  Errors are sticky
 * and named by a short word (lmg_mpp.error).
 */
#ifndef LMG_PARSER_H
#define LMG_PARSER_H

#include <stddef.h>
#include "util.h"   /* LMG_FUNC: hidden outside the module */

#define LMG_MPP_BOUNDARY_MAX 70       /* RFC 2046 */

enum lmg_mpp_event {
  LMG_MPP_NEED = 0,    /* more input (or lmg_mpp_finish) is needed */
  LMG_MPP_PART,        /* a part's headers are complete: fields, nfields */
  LMG_MPP_DATA,        /* body bytes: data, len (valid until the next feed) */
  LMG_MPP_PART_END,    /* the current part's body is complete */
  LMG_MPP_DONE,        /* the close delimiter was read */
  LMG_MPP_ERROR        /* error, detail */
};

struct lmg_mpp_limits {
  size_t max_size;      /* bytes fed in all; 0 = no limit */
  size_t max_parts;     /* 0 = no limit */
  size_t max_header;    /* header section of one part; 0 = no limit */
  size_t max_part;      /* body of one part; 0 = no limit */
};

/* offsets into lmg_mpp.hdr; names as received, values unfolded and trimmed */
struct lmg_mpp_field {
  size_t name;
  size_t name_len;
  size_t value;
  size_t value_len;
};

struct lmg_mpp {
  char delim[4 + LMG_MPP_BOUNDARY_MAX];  /* CRLF "--" boundary */
  size_t delim_len;
  struct lmg_mpp_limits limits;
  char *in;             /* owned: unconsumed input is in[off, len) */
  size_t in_len;
  size_t in_off;
  size_t in_cap;
  size_t fed;           /* bytes fed so far */
  int state;
  int finished;         /* lmg_mpp_finish was called */
  int started;          /* something was consumed from the preamble */
  size_t parts;
  size_t part_size;     /* body bytes of the current part so far */
  size_t header_size;   /* header bytes of the current part so far */
  char *hdr;            /* owned: the current part's names and values */
  size_t hdr_len;
  size_t hdr_cap;
  struct lmg_mpp_field *fields;  /* owned */
  size_t nfields;
  size_t fields_cap;    /* bytes */
  const char *data;     /* LMG_MPP_DATA: inside `in` */
  size_t len;
  const char *error;    /* LMG_MPP_ERROR: a static word */
  char detail[120];
};

/* 0, or -1 when the boundary is not a valid RFC 2046 boundary */
LMG_FUNC int lmg_mpp_init(struct lmg_mpp *p, const char *boundary, size_t n,
                          const struct lmg_mpp_limits *limits);
/* 0, or -1 once the parser is in error (limit, memory) */
LMG_FUNC int lmg_mpp_feed(struct lmg_mpp *p, const char *data, size_t n);
LMG_FUNC void lmg_mpp_finish(struct lmg_mpp *p);
LMG_FUNC int lmg_mpp_next(struct lmg_mpp *p);
/* makes the parser fail with a word (for its users' own errors) */
LMG_FUNC int lmg_mpp_fail(struct lmg_mpp *p, const char *word,
                          const char *detail);
LMG_FUNC void lmg_mpp_free(struct lmg_mpp *p);

#endif /* LMG_PARSER_H */

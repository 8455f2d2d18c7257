/*
 * parser.h: a streaming multipart parser (RFC 2046 framing, RFC 7578
 * form-data), pure C with no Lua: csrc/parser_lua.c binds it as
 * core.multipart_parser and fuzz/parser.c drives it directly.
 *
 * Feed bytes with mg_mpp_feed (any chunk sizes), end the input with
 * mg_mpp_finish, and pull events with mg_mpp_next until it answers
 * MG_MPP_NEED (feed more), MG_MPP_DONE or MG_MPP_ERROR.  Errors are sticky
 * and named by a short word (mg_mpp.error).
 */
#ifndef MG_PARSER_H
#define MG_PARSER_H

#include <stddef.h>

#define MG_MPP_BOUNDARY_MAX 70       /* RFC 2046 */

enum mg_mpp_event {
  MG_MPP_NEED = 0,    /* more input (or mg_mpp_finish) is needed */
  MG_MPP_PART,        /* a part's headers are complete: fields, nfields */
  MG_MPP_DATA,        /* body bytes: data, len (valid until the next feed) */
  MG_MPP_PART_END,    /* the current part's body is complete */
  MG_MPP_DONE,        /* the close delimiter was read */
  MG_MPP_ERROR        /* error, detail */
};

struct mg_mpp_limits {
  size_t max_size;      /* bytes fed in all; 0 = no limit */
  size_t max_parts;     /* 0 = no limit */
  size_t max_header;    /* header section of one part; 0 = no limit */
  size_t max_part;      /* body of one part; 0 = no limit */
};

/* offsets into mg_mpp.hdr; names as received, values unfolded and trimmed */
struct mg_mpp_field {
  size_t name;
  size_t name_len;
  size_t value;
  size_t value_len;
};

struct mg_mpp {
  char delim[4 + MG_MPP_BOUNDARY_MAX];  /* CRLF "--" boundary */
  size_t delim_len;
  struct mg_mpp_limits limits;
  char *in;             /* owned: unconsumed input is in[off, len) */
  size_t in_len;
  size_t in_off;
  size_t in_cap;
  size_t fed;           /* bytes fed so far */
  int state;
  int finished;         /* mg_mpp_finish was called */
  int started;          /* something was consumed from the preamble */
  size_t parts;
  size_t part_size;     /* body bytes of the current part so far */
  size_t header_size;   /* header bytes of the current part so far */
  char *hdr;            /* owned: the current part's names and values */
  size_t hdr_len;
  size_t hdr_cap;
  struct mg_mpp_field *fields;  /* owned */
  size_t nfields;
  size_t fields_cap;
  const char *data;     /* MG_MPP_DATA: inside `in` */
  size_t len;
  const char *error;    /* MG_MPP_ERROR: a static word */
  char detail[120];
};

/* 0, or -1 when the boundary is not a valid RFC 2046 boundary */
int mg_mpp_init(struct mg_mpp *p, const char *boundary, size_t n,
                const struct mg_mpp_limits *limits);
/* 0, or -1 once the parser is in error (limit, memory) */
int mg_mpp_feed(struct mg_mpp *p, const char *data, size_t n);
void mg_mpp_finish(struct mg_mpp *p);
int mg_mpp_next(struct mg_mpp *p);
/* makes the parser fail with a word (for its users' own errors) */
int mg_mpp_fail(struct mg_mpp *p, const char *word, const char *detail);
void mg_mpp_free(struct mg_mpp *p);

#endif /* MG_PARSER_H */

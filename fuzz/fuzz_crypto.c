/*
 * fuzz_crypto.c: core.base64_encode/decode, hmac_sha256, sha256, equal and
 * basic_auth against OpenSSL and against each other: encoding matches
 * EVP_EncodeBlock, decoding round-trips, any string core decodes decodes
 * the same with EVP_DecodeBlock once canonical, digests match HMAC() and
 * EVP_Digest, equal agrees with memcmp.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fuzz.h"

static void hex(char *dst, const unsigned char *md, unsigned n)
{
  unsigned i;
  for(i = 0; i < n; i++)
    snprintf(dst + 2 * i, 3, "%02x", md[i]);
}

/* the string core.<fn>(a [, b]) returns; NULL for nil */
static const char *call(lua_State *L, const char *fn, const char *a,
                        size_t alen, const char *b, size_t blen, size_t *n)
{
  lua_pushlstring(L, a, alen);
  if(b)
    lua_pushlstring(L, b, blen);
  CHECK(fz_call(L, 0, fn, b ? 2 : 1, 2) == 0);
  lua_pop(L, 1);
  return lua_isnil(L, -1) ? NULL : lua_tolstring(L, -1, n);
}

static void check_base64(lua_State *L, const char *s, size_t n)
{
  size_t elen, dlen, i, clen = 0;
  unsigned char *ref = malloc(4 * (n / 3 + 1) + 1);
  unsigned char *canon = malloc(n + 4), *back = malloc(n + 4);
  const char *enc = call(L, "base64_encode", s, n, NULL, 0, &elen);
  const char *dec;
  int rlen = EVP_EncodeBlock(ref, (const unsigned char *)s, (int)n);
  CHECK(enc && elen == (size_t)rlen && memcmp(enc, ref, elen) == 0);
  dec = call(L, "base64_decode", enc, elen, NULL, 0, &dlen);
  CHECK(dec && dlen == n && (n == 0 || memcmp(dec, s, n) == 0));
  /* the input itself as base64: whatever core accepts, OpenSSL decodes to
     the same bytes once whitespace is gone and the padding is complete */
  dec = call(L, "base64_decode", s, n, NULL, 0, &dlen);
  if(dec) {
    int pad = 0, got;
    for(i = 0; i < n; i++)
      if(!strchr(" \t\r\n", s[i]) && s[i] != '\0')
        canon[clen++] = (unsigned char)s[i];
    while(clen % 4)
      canon[clen++] = '=';
    for(i = clen; i > 0 && canon[i - 1] == '='; i--)
      pad++;
    got = EVP_DecodeBlock(back, canon, (int)clen);
    CHECK(got >= 0 && (size_t)got - (size_t)pad == dlen);
    CHECK(dlen == 0 || memcmp(back, dec, dlen) == 0);
  }
  free(ref);
  free(canon);
  free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fz_lua();
  struct fz_in in = { data, size };
  size_t klen, mlen, n;
  const char *key = fz_take(&in, fz_byte(&in), &klen);
  const char *msg = fz_take(&in, in.n, &mlen);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  char want[2 * EVP_MAX_MD_SIZE + 1];
  const char *got;
  check_base64(L, msg, mlen);
  CHECK(HMAC(EVP_sha256(), klen ? key : "", (int)klen,
             (const unsigned char *)msg, mlen, md, &mdlen));
  hex(want, md, mdlen);
  got = call(L, "hmac_sha256", key, klen, msg, mlen, &n);
  CHECK(got && n == 2 * mdlen && memcmp(got, want, n) == 0);
  CHECK(EVP_Digest(msg, mlen, md, &mdlen, EVP_sha256(), NULL));
  hex(want, md, mdlen);
  got = call(L, "sha256", msg, mlen, NULL, 0, &n);
  CHECK(got && n == 2 * mdlen && memcmp(got, want, n) == 0);
  /* equal: key against the message, and against its own copy */
  lua_pushlstring(L, key, klen);
  lua_pushlstring(L, msg, mlen);
  CHECK(fz_call(L, 0, "equal", 2, 1) == 0);
  CHECK(lua_toboolean(L, -1) ==
        (klen == mlen && (klen == 0 || memcmp(key, msg, klen) == 0)));
  lua_pushlstring(L, key, klen);
  lua_pushlstring(L, key, klen);
  CHECK(fz_call(L, 0, "equal", 2, 1) == 0);
  CHECK(lua_toboolean(L, -1));
  return 0;
}

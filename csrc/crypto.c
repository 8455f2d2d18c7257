/*
 * crypto.c: HMAC-SHA256 and SHA-256 (OpenSSL libcrypto), constant-time
 * comparison, base64 and the HTTP Basic authorization value.
 */
#include <limits.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

static const char lmg_hex_digits[] = "0123456789abcdef";
static const char lmg_b64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void lmg_push_hex(lua_State *L, const unsigned char *p, size_t n)
{
  char out[2 * EVP_MAX_MD_SIZE];
  size_t i;
  for(i = 0; i < n; i++) {
    out[2 * i] = lmg_hex_digits[p[i] >> 4];
    out[2 * i + 1] = lmg_hex_digits[p[i] & 0x0f];
  }
  lua_pushlstring(L, out, 2 * n);
}

static int lmg_hmac_sha256(lua_State *L)
{
  size_t klen, mlen;
  const char *key = luaL_checklstring(L, 1, &klen);
  const char *msg = luaL_checklstring(L, 2, &mlen);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  luaL_argcheck(L, klen <= INT_MAX, 1, "key too long");
  /* HMAC() wants a non-NULL key even when it is empty */
  if(!HMAC(EVP_sha256(), klen ? key : "", (int)klen,
           (const unsigned char *)msg, mlen, md, &mdlen))
    return luaL_error(L, "hmac_sha256: libcrypto failed");
  lmg_push_hex(L, md, mdlen);
  return 1;
}

static int lmg_sha256(lua_State *L)
{
  size_t mlen;
  const char *msg = luaL_checklstring(L, 1, &mlen);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if(!EVP_Digest(msg, mlen, md, &mdlen, EVP_sha256(), NULL))
    return luaL_error(L, "sha256: libcrypto failed");
  lmg_push_hex(L, md, mdlen);
  return 1;
}

/* Time depends on the length of `a` only (pass the secret you expect
   second), never on where the inputs differ. */
static int lmg_equal(lua_State *L)
{
  size_t alen, blen, i;
  const unsigned char *a = (const unsigned char *)luaL_checklstring(L, 1,
                                                                   &alen);
  const unsigned char *b = (const unsigned char *)luaL_checklstring(L, 2,
                                                                   &blen);
  volatile unsigned char diff = (unsigned char)(alen != blen);
  for(i = 0; i < alen; i++) {
    unsigned char other = blen ? b[i % blen] : 0;
    diff |= (unsigned char)(a[i] ^ other);
  }
  lua_pushboolean(L, diff == 0);
  return 1;
}

static void lmg_b64_encode(luaL_Buffer *B, const unsigned char *s, size_t n)
{
  size_t i;
  char out[4];
  for(i = 0; i + 2 < n; i += 3) {
    unsigned long v = ((unsigned long)s[i] << 16) |
                      ((unsigned long)s[i + 1] << 8) | s[i + 2];
    out[0] = lmg_b64_alphabet[(v >> 18) & 63];
    out[1] = lmg_b64_alphabet[(v >> 12) & 63];
    out[2] = lmg_b64_alphabet[(v >> 6) & 63];
    out[3] = lmg_b64_alphabet[v & 63];
    luaL_addlstring(B, out, 4);
  }
  if(n - i == 1) {
    unsigned long v = (unsigned long)s[i] << 16;
    out[0] = lmg_b64_alphabet[(v >> 18) & 63];
    out[1] = lmg_b64_alphabet[(v >> 12) & 63];
    out[2] = '=';
    out[3] = '=';
    luaL_addlstring(B, out, 4);
  }
  else if(n - i == 2) {
    unsigned long v = ((unsigned long)s[i] << 16) |
                      ((unsigned long)s[i + 1] << 8);
    out[0] = lmg_b64_alphabet[(v >> 18) & 63];
    out[1] = lmg_b64_alphabet[(v >> 12) & 63];
    out[2] = lmg_b64_alphabet[(v >> 6) & 63];
    out[3] = '=';
    luaL_addlstring(B, out, 4);
  }
}

static int lmg_base64_encode(lua_State *L)
{
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  luaL_Buffer B;
  luaL_buffinit(L, &B);
  lmg_b64_encode(&B, (const unsigned char *)s, n);
  luaL_pushresult(&B);
  return 1;
}

static int lmg_b64_value(unsigned char c)
{
  if(c >= 'A' && c <= 'Z')
    return c - 'A';
  if(c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if(c >= '0' && c <= '9')
    return c - '0' + 52;
  if(c == '+')
    return 62;
  if(c == '/')
    return 63;
  return -1;
}

/* Standard alphabet; whitespace is skipped, padding may be left out, but
   anything else that is not base64 gives nil, message. */
static int lmg_base64_decode(lua_State *L)
{
  size_t n, i;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  luaL_Buffer B;
  unsigned long acc = 0;
  int bits = 0, quad = 0, pad = 0;
  luaL_buffinit(L, &B);
  for(i = 0; i < n; i++) {
    unsigned char c = s[i];
    int v;
    if(c == ' ' || c == '\t' || c == '\r' || c == '\n')
      continue;
    if(c == '=') {
      pad++;
      continue;
    }
    v = lmg_b64_value(c);
    if(v < 0 || pad) {
      luaL_pushresult(&B);
      lua_pop(L, 1);
      luaL_pushfail(L);
      lua_pushstring(L, v < 0 ? "invalid base64 character" :
                     "base64 data after padding");
      return 2;
    }
    acc = ((acc << 6) | (unsigned long)v) & 0xffffff;
    bits += 6;
    quad = (quad + 1) % 4;
    if(bits >= 8) {
      bits -= 8;
      luaL_addchar(&B, (char)((acc >> bits) & 0xff));
    }
  }
  if(quad == 1 || (pad && (quad + pad) % 4 != 0) || pad > 2) {
    luaL_pushresult(&B);
    lua_pop(L, 1);
    luaL_pushfail(L);
    lua_pushstring(L, "truncated base64 data");
    return 2;
  }
  luaL_pushresult(&B);
  return 1;
}

static int lmg_basic_auth(lua_State *L)
{
  size_t ulen, plen, n;
  const char *user = luaL_checklstring(L, 1, &ulen);
  const char *password = luaL_checklstring(L, 2, &plen);
  luaL_Buffer B;
  char *joined;
  luaL_argcheck(L, ulen < ((size_t)-1) / 2 && plen < ((size_t)-1) / 2, 1,
                "too long");
  n = ulen + plen + 1;
  /* a userdata, not malloc: nothing leaks when the buffer below raises */
  joined = lua_newuserdatauv(L, n, 0);
  memcpy(joined, user, ulen);
  joined[ulen] = ':';
  if(plen)
    memcpy(joined + ulen + 1, password, plen);
  luaL_buffinit(L, &B);
  luaL_addlstring(&B, "Basic ", 6);
  lmg_b64_encode(&B, (const unsigned char *)joined, n);
  /* the joined credentials never stay behind in collected memory */
  OPENSSL_cleanse(joined, n);
  luaL_pushresult(&B);
  return 1;
}

/* Random bytes for form boundaries, one per request: RAND_bytes costs
   microseconds a call whatever the size, so small requests are served
   from a pool filled 1 KiB at a time (each byte handed out once, then
   wiped; refilled in a forked child, which must not repeat its parent's
   bytes). */
#define LMG_POOL_SIZE 1024
static unsigned char lmg_pool[LMG_POOL_SIZE];
static size_t lmg_pool_left = 0;
static pid_t lmg_pool_pid = 0;

int lmg_random_bytes(unsigned char *dst, size_t n)
{
  pid_t pid;
  if(n > INT_MAX)
    return -1;
  if(n > LMG_POOL_SIZE / 4)
    return RAND_bytes(dst, (int)n) == 1 ? 0 : -1;
  pid = getpid();
  if(n > lmg_pool_left || pid != lmg_pool_pid) {
    if(RAND_bytes(lmg_pool, LMG_POOL_SIZE) != 1)
      return -1;
    lmg_pool_left = LMG_POOL_SIZE;
    lmg_pool_pid = pid;
  }
  lmg_pool_left -= n;
  memcpy(dst, lmg_pool + lmg_pool_left, n);
  OPENSSL_cleanse(lmg_pool + lmg_pool_left, n);
  return 0;
}

void lmg_crypto_open_lib(lua_State *L)
{
  static const luaL_Reg functions[] = {
    {"hmac_sha256", lmg_hmac_sha256},
    {"sha256", lmg_sha256},
    {"equal", lmg_equal},
    {"base64_encode", lmg_base64_encode},
    {"base64_decode", lmg_base64_decode},
    {"basic_auth", lmg_basic_auth},
    {NULL, NULL}
  };
  luaL_setfuncs(L, functions, 0);
}

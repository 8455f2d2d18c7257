/*
 * crypto.h: the crypto functions of mailgun.core (crypto.c).
 * Not a public header.
 */
#ifndef LMG_CRYPTO_H
#define LMG_CRYPTO_H

#include "util.h"

LMG_FUNC void lmg_crypto_open_lib(lua_State *L);
LMG_FUNC int lmg_random_bytes(unsigned char *dst, size_t n);

#endif /* LMG_CRYPTO_H */

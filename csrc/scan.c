/*
 * scan.c: byte scans the Lua layer makes on every message and every batch
 * recipient, one pass in C instead of a Lua pattern (Lua's matcher costs
 * about 150 instructions a byte on these):
 *   core.plain_address(s) -> true when s is a bare address with nothing to
 *     trim, split or unquote: one '@' with something on each side, and no
 *     space, control character or any of " < > , ( ) \ (the PLAIN rule of
 *     mailgun/engine/address.lua);
 *   core.has_control(s) -> true when s holds a control character (bytes
 *     0-31 and 127: Lua's %c in the C locale).
 * Bytes from 128 up are neither (UTF-8 passes as it is).
 */
#include <string.h>

#include "core.h"

static int lmg_is_control(unsigned char c)
{
  return c < 32 || c == 127;
}

int lmg_plain_address(lua_State *L)
{
  size_t n, i, at = 0, ats = 0;
  const unsigned char *s;
  if(lua_type(L, 1) != LUA_TSTRING) {
    lua_pushboolean(L, 0);
    return 1;
  }
  s = (const unsigned char *)lua_tolstring(L, 1, &n);
  for(i = 0; i < n; i++) {
    unsigned char c = s[i];
    if(c == '@') {
      at = i;
      ats++;
    }
    else if(lmg_is_control(c) || c == ' ' || strchr("\"<>,()\\", c)) {
      /* strchr also finds the terminating NUL: c == 0 is a control */
      lua_pushboolean(L, 0);
      return 1;
    }
  }
  lua_pushboolean(L, ats == 1 && at > 0 && at + 1 < n);
  return 1;
}

int lmg_has_control(lua_State *L)
{
  size_t n, i;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  for(i = 0; i < n; i++)
    if(lmg_is_control(s[i])) {
      lua_pushboolean(L, 1);
      return 1;
    }
  lua_pushboolean(L, 0);
  return 1;
}

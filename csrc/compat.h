/*
 * compat.h: the few Lua C API differences between Lua 5.4 and LuaJIT 2.1
 * (the ABI OpenResty uses).  Everything else is common ground.
 */
#ifndef LMG_COMPAT_H
#define LMG_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM < 502
/* LuaJIT 2.1 already has luaL_setfuncs, luaL_newlib and luaL_testudata */
#define lua_newuserdatauv(L, size, nuv) lua_newuserdata((L), (size))
#define lua_rawlen(L, idx) lua_objlen((L), (idx))
#endif

#if LUA_VERSION_NUM < 504
#define luaL_pushfail(L) lua_pushnil(L)
#endif

#endif /* LMG_COMPAT_H */

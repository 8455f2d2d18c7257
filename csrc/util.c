/*
 * util.c: the growable buffer and the metatable helpers every object of
 * mailgun.core uses.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

int lmg_buf_append(struct lmg_buf *b, const char *p, size_t n)
{
  if(!n)
    return 0;   /* never memcpy from or to a NULL pointer */
  if(n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 1024;
    char *data;
    while(cap - b->len < n) {
      if(cap > ((size_t)-1) / 2)
        return -1;
      cap *= 2;
    }
    data = realloc(b->data, cap);
    if(!data)
      return -1;
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

void lmg_buf_free(struct lmg_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

char *lmg_strndup(const char *s, size_t n)
{
  char *copy = n < (size_t)-1 ? malloc(n + 1) : NULL;
  if(copy) {
    if(n)
      memcpy(copy, s, n);
    copy[n] = '\0';
  }
  return copy;
}

int lmg_push_name(lua_State *L, const char *name, const void *handle)
{
  if(handle)
    lua_pushfstring(L, "%s (%p)", name, handle);
  else
    lua_pushfstring(L, "%s (closed)", name);
  return 1;
}

void lmg_new_metatable(lua_State *L, const char *name,
                       const luaL_Reg *methods, lua_CFunction close,
                       lua_CFunction tostring)
{
  luaL_checkstack(L, 4, "metatable");
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, close);      /* one function object for all three */
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "close");
  lua_setfield(L, -3, "__index");
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__gc");
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
}

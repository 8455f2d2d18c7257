/*
 * fs.c: core.file_kind(path) -> "file" | "directory" | "fifo" |
 * "character" | "block" | "socket" | "link" | "other", or nil, message.
 *
 * stat(2) never opens the file, so asking about a FIFO does not block
 * (fopen on one waits for a writer: in nginx, the whole worker).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

static const char *lmg_kind_of(mode_t m)
{
  if(S_ISREG(m))
    return "file";
  if(S_ISDIR(m))
    return "directory";
  if(S_ISFIFO(m))
    return "fifo";
  if(S_ISCHR(m))
    return "character";
  if(S_ISBLK(m))
    return "block";
  if(S_ISSOCK(m))
    return "socket";
  if(S_ISLNK(m))
    return "link";
  return "other";
}

static int lmg_file_kind(lua_State *L)
{
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  struct stat st;
  luaL_argcheck(L, strlen(path) == len, 1, "path must not contain a NUL byte");
  if(stat(path, &st) != 0) {
    int e = errno;
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(e));
    return 2;
  }
  lua_pushstring(L, lmg_kind_of(st.st_mode));
  return 1;
}

/* Adds file_kind to the module table on top of the stack. */
void lmg_fs_open_lib(lua_State *L)
{
  lua_pushcfunction(L, lmg_file_kind);
  lua_setfield(L, -2, "file_kind");
}

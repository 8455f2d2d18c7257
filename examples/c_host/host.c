/*
 * A tiny C host (a game loop at 60 Hz) that embeds Lua 5.4 and sends mail
 * through the library without ever blocking a frame.  Build: make c-host.
 *
 *   build/c_host/host examples/c_host/game.lua
 *
 * What an embedding host must do (docs/embedding.md):
 *  - link Lua so that C modules can find its API: a shared liblua (as
 *    here) or, with a static Lua, export its symbols with -Wl,-E;
 *  - set package.path / package.cpath before the first require;
 *  - load the script once (clients are created at load time), then call
 *    into it once per frame; the script calls mailgun.poll(0, budget_ms).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#define FRAME_NS 16666667L /* 60 Hz */
#define MAX_FRAMES (60 * 60) /* give up after a minute */

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* package.path / package.cpath from the environment (MAILGUN_LUA_PATH,
 * MAILGUN_LUA_CPATH), prepended to Lua's defaults. */
static void set_paths(lua_State *L)
{
  const char *path = getenv("MAILGUN_LUA_PATH");
  const char *cpath = getenv("MAILGUN_LUA_CPATH");
  lua_getglobal(L, "package");
  if(path) {
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s;%s", path, lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
  }
  if(cpath) {
    lua_getfield(L, -1, "cpath");
    lua_pushfstring(L, "%s;%s", cpath, lua_tostring(L, -1));
    lua_setfield(L, -3, "cpath");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* Calls game.frame(n); returns 1 while the game goes on, 0 when it is
 * done, -1 on a Lua error (printed). */
static int frame(lua_State *L, int game, int n)
{
  int more;
  lua_getfield(L, game, "frame");
  lua_pushinteger(L, n);
  if(lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  more = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return more;
}

int main(int argc, char **argv)
{
  lua_State *L;
  double load_ms, worst = 0, t;
  int n, rc = 1, game;
  struct timespec tick = {0, FRAME_NS};

  if(argc < 2) {
    fprintf(stderr, "usage: %s script.lua\n", argv[0]);
    return 2;
  }
  L = luaL_newstate();
  if(!L)
    return 1;
  luaL_openlibs(L);
  set_paths(L);
  t = now_ms();
  if(luaL_dofile(L, argv[1]) != LUA_OK || !lua_istable(L, -1)) {
    fprintf(stderr, "host: %s\n", lua_isstring(L, -1) ? lua_tostring(L, -1)
            : "the script must return a table with frame(n)");
    lua_close(L);
    return 1;
  }
  load_ms = now_ms() - t;
  game = lua_gettop(L);
  for(n = 1; n <= MAX_FRAMES; n++) {
    int more;
    t = now_ms();
    more = frame(L, game, n);
    t = now_ms() - t;
    if(t > worst)
      worst = t;
    if(more <= 0) {
      rc = more < 0;
      break;
    }
    nanosleep(&tick, NULL); /* the rest of the frame: draw, etc. */
  }
  printf("host: %d frames, script load %.1f ms, longest frame in Lua %.2f ms\n",
         n, load_ms, worst);
  lua_close(L);
  return rc;
}

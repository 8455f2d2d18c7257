/*
 * clock.c: core.now() and core.sleep(seconds).
 */
#include <errno.h>
#include <time.h>

#include "core.h"

/* core.now() -> wall-clock seconds since the epoch, as a float (what
   os.time() gives, with sub-second precision) */
int lmg_now(lua_State *L)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

/* core.sleep(seconds): blocks the thread (not for use inside nginx) */
int lmg_sleep(lua_State *L)
{
  lua_Number seconds = luaL_checknumber(L, 1);
  struct timespec ts;
  if(seconds > 0) {   /* NaN and negative values do not sleep */
    if(seconds > 1e9)
      seconds = 1e9;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (lua_Number)ts.tv_sec) * 1e9);
    while(nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
  }
  return 0;
}

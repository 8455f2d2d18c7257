/*
 * monotonic.c: core.monotonic() -> seconds (a float) on a clock that never
 * jumps with the wall clock (CLOCK_MONOTONIC): deadlines, timers, backoff
 * and budgets (mailgun.engine.clock).  Only differences are meaningful.
 */
#include <time.h>

#include "core.h"

int lmg_monotonic(lua_State *L)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

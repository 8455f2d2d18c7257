-- The one clock of the library, in seconds (floats):
--   clock.epoch()     wall-clock time since 1970 (timestamps, HTTP dates,
--                     webhook tolerance, Retry-After dates);
--   clock.monotonic() never jumps with the wall clock (deadlines, timers,
--                     backoff, budgets); only differences are meaningful;
--   clock.sleep(s)    blocks the whole process (never inside nginx: the
--                     resty transport and the scheduler wait on timers).
local core = require("mailgun.core")

local _M = {}

_M.epoch = core.now
_M.monotonic = core.monotonic or core.now
_M.sleep = core.sleep

return _M

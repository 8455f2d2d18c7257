-- The one clock of the library, in seconds (floats):
--   clock.epoch()     wall-clock time since 1970 (timestamps, HTTP dates,
--                     webhook tolerance, Retry-After dates);
--   clock.monotonic() never jumps with the wall clock (deadlines, timers,
--                     backoff, budgets); only differences are meaningful;
--   clock.sleep(s)    blocks the whole process (never inside nginx: the
--                     resty transport and the scheduler wait on timers).
-- The C core is loaded on first use, not with this module (see base64.lua).
local native = require("mailgun.engine.native")

local _M = {}

local core
local function load()
  core = native.core()
  return core
end

function _M.epoch()
  return (core or load()).now()
end

function _M.monotonic()
  return (core or load()).monotonic()
end

function _M.sleep(seconds)
  return (core or load()).sleep(seconds)
end

return _M

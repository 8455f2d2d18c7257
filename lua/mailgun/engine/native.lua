-- The C core (mailgun.core), loaded on first use: loading it loads libcurl
-- and its libraries (tens of milliseconds), which `require("mailgun")` and
-- `mailgun.new` never pay; the first request does.
--   local native = require("mailgun.engine.native")  -- raises now if the
--                                                     -- core is not installed
--   native.core()  -> the module (loaded once)
--   native.loaded() -> the module if loaded already, else nil
-- When the build found was made for another Lua ABI (a Lua 5.4 build in
-- LuaJIT/OpenResty or the reverse), core() raises an error that names the
-- ABI and the fix instead of the dynamic linker's "undefined symbol:
-- lua_rotate".
local package, rawget, pcall, require, tostring, error = package, rawget, pcall, require, tostring, error

local _M = {}

local running = rawget(_G, "jit") and "LuaJIT (Lua 5.1 ABI)" or _VERSION

local function missing(detail)
  error("mailgun.core (the C part of this library) is not on package.cpath for " .. running
    .. ": build it (make) and set LUA_CPATH, or run `eval \"$(luarocks path)\"` after a luarocks"
    .. " install. " .. detail, 3)
end

-- already loaded, preloaded, or a file on package.cpath: else a clear error now
if not package.loaded["mailgun.core"] and not package.preload["mailgun.core"]
  and package.searchpath and not package.searchpath("mailgun.core", package.cpath) then
  missing("module 'mailgun.core' not found")
end

local core

-- The module when this process has loaded it already, else nil (never
-- loads it: for work that has a plain-Lua way too).
function _M.loaded()
  return core
end

function _M.core()
  if core then return core end
  local ok, mod = pcall(require, "mailgun.core")
  if ok then
    core = mod
    return core
  end
  local msg = tostring(mod)
  if msg:find("undefined symbol: lua", 1, true) then
    local wanted = rawget(_G, "jit") and "make LUA=luajit (or luarocks --lua-version 5.1 make)"
      or "make (or luarocks --lua-version 5.4 make)"
    error("mailgun.core was built for another Lua ABI than the running " .. running
      .. ": rebuild it with " .. wanted .. " and put that build on package.cpath ("
      .. msg:match("undefined symbol: [%w_]+") .. ")", 2)
  end
  if msg:find("module 'mailgun.core' not found", 1, true) then missing(msg:match("[^\n]*")) end
  error(msg, 2)
end

return _M

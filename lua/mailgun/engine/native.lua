-- Loads the C core (mailgun.core) and, when the loaded build was made for
-- another Lua ABI (a Lua 5.4 build in LuaJIT/OpenResty or the reverse),
-- raises an error that names the ABI and the fix instead of the dynamic
-- linker's "undefined symbol: lua_rotate".
local ok, core = pcall(require, "mailgun.core")
if ok then return core end

local msg = tostring(core)
local running = rawget(_G, "jit") and "LuaJIT (Lua 5.1 ABI)" or _VERSION
if msg:find("undefined symbol: lua", 1, true) then
  local wanted = rawget(_G, "jit") and "make LUA=luajit (or luarocks --lua-version 5.1 make)"
    or "make (or luarocks --lua-version 5.4 make)"
  error("mailgun.core was built for another Lua ABI than the running " .. running
    .. ": rebuild it with " .. wanted .. " and put that build on package.cpath ("
    .. msg:match("undefined symbol: [%w_]+") .. ")", 2)
end
if msg:find("module 'mailgun.core' not found", 1, true) then
  error("mailgun.core (the C part of this library) is not on package.cpath for " .. running
    .. ": build it (make) and set LUA_CPATH, or run `eval \"$(luarocks path)\"` after a luarocks"
    .. " install. " .. msg:match("[^\n]*"), 2)
end
error(msg, 2)

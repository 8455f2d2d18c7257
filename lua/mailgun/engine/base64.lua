-- Base64 (RFC 4648) in plain Lua, for what must not load the C core yet:
-- a client's Authorization header is built in mailgun.new, and the C core
-- (libcurl and its libraries: tens of milliseconds to load) only comes in
-- with the first request (see engine/native.lua). No bitwise operators: the same code runs on Lua
-- 5.4 and LuaJIT. For bulk data use mailgun.core.base64_encode.
local byte, sub, concat, floor = string.byte, string.sub, table.concat, math.floor

local _M = {}

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local CHARS = {}
for i = 1, 64 do CHARS[i - 1] = sub(ALPHABET, i, i) end

function _M.encode(s)
  local out, n = {}, #s
  for i = 1, n, 3 do
    local a, b, c = byte(s, i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    out[#out + 1] = CHARS[floor(v / 262144)] .. CHARS[floor(v / 4096) % 64]
      .. (b and CHARS[floor(v / 64) % 64] or "=") .. (c and CHARS[v % 64] or "=")
  end
  return concat(out)
end

local native = require("mailgun.engine.native")

-- "Basic " .. base64(user .. ":" .. password): in C once the core is loaded
-- (a server making a client per tenant or request), else in Lua
function _M.basic_auth(user, password)
  local core = native.loaded()
  if core then return core.basic_auth(user, password) end
  return "Basic " .. _M.encode(user .. ":" .. password)
end

return _M

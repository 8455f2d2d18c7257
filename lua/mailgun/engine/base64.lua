-- Base64 (RFC 4648) in plain Lua, for what must not load the C core yet:
-- a client's Authorization header is built in mailgun.new, and the C core
-- (libcurl and its libraries: tens of milliseconds to load) only comes in
-- with the first request (see engine/native.lua). No bitwise operators: the same code runs on Lua
-- 5.4 and LuaJIT. For bulk data use mailgun.core.base64_encode.
local byte, sub, concat, floor = string.byte, string.sub, table.concat, math.floor

local _M = {}

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local PAIRS -- 12 bits -> two characters, made on first use

local function pairs_table()
  local chars, t = {}, {}
  for i = 1, 64 do chars[i - 1] = sub(ALPHABET, i, i) end
  for i = 0, 4095 do t[i] = chars[floor(i / 64)] .. chars[i % 64] end
  return t
end

function _M.encode(s)
  local P = PAIRS or pairs_table()
  PAIRS = P
  local out, n, k = {}, #s, 0
  local full = n - n % 3
  for i = 1, full, 3 do
    local a, b, c = byte(s, i, i + 2)
    local v = a * 65536 + b * 256 + c
    k = k + 1
    out[k] = P[floor(v / 4096)] .. P[v % 4096]
  end
  if full < n then
    local a, b = byte(s, full + 1, n)
    local v = a * 65536 + (b or 0) * 256
    local last = P[v % 4096]
    out[k + 1] = P[floor(v / 4096)] .. (b and sub(last, 1, 1) or "") .. (b and "=" or "==")
  end
  return concat(out)
end

-- "Basic " .. base64(user .. ":" .. password)
function _M.basic_auth(user, password)
  return "Basic " .. _M.encode(user .. ":" .. password)
end

return _M

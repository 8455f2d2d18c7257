-- Small helpers shared by the sandbox modules: JSON with explicit arrays,
-- ids, dates (RFC 2822 and ISO 8601), list and string helpers.
local cjson = require("cjson.safe")
local dates = require("mailgun.engine.dates")

local type, pairs, ipairs, next, tostring, tonumber, setmetatable, getmetatable =
  type, pairs, ipairs, next, tostring, tonumber, setmetatable, getmetatable
local concat, sort = table.concat, table.sort
local floor, random, fmt = math.floor, math.random, string.format
local os_date = os.date

local _M = {}

_M.null = cjson.null

-- JSON ---------------------------------------------------------------------

local ARRAY = {}
local OBJECT = {}

-- Mark a table so it encodes as a JSON array even when empty.
function _M.array(t)
  return setmetatable(t or {}, ARRAY)
end

function _M.object(t)
  return setmetatable(t or {}, OBJECT)
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt == ARRAY then return true end
  if mt == OBJECT or next(t) == nil then return false end
  local n = #t
  if n == 0 then return false end
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then return false end
  end
  return true
end

local encode_value

local function encode_table(t, buf)
  if is_array(t) then
    buf[#buf + 1] = "["
    for i = 1, #t do
      if i > 1 then buf[#buf + 1] = "," end
      encode_value(t[i], buf)
    end
    buf[#buf + 1] = "]"
    return
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  sort(keys)
  buf[#buf + 1] = "{"
  for i, k in ipairs(keys) do
    if i > 1 then buf[#buf + 1] = "," end
    buf[#buf + 1] = (cjson.encode(k):gsub("\\/", "/"))
    buf[#buf + 1] = ":"
    local v = t[k]
    if v == nil then v = t[tonumber(k)] end
    encode_value(v, buf)
  end
  buf[#buf + 1] = "}"
end

encode_value = function(v, buf)
  local tv = type(v)
  if tv == "table" then
    encode_table(v, buf)
  elseif tv == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      buf[#buf + 1] = "null"
    elseif v % 1 == 0 and v > -1e15 and v < 1e15 then
      buf[#buf + 1] = fmt("%d", v)
    else
      buf[#buf + 1] = fmt("%.14g", v)
    end
  elseif tv == "string" then
    buf[#buf + 1] = (cjson.encode(v):gsub("\\/", "/"))
  elseif tv == "boolean" then
    buf[#buf + 1] = v and "true" or "false"
  else
    buf[#buf + 1] = "null"
  end
end

function _M.encode(v)
  local buf = {}
  encode_value(v, buf)
  return concat(buf)
end

function _M.decode(s)
  if type(s) ~= "string" or s == "" then return nil, "empty" end
  return cjson.decode(s)
end

-- ids ----------------------------------------------------------------------

local HEX = "0123456789abcdef"
function _M.hex(n)
  local out = {}
  for i = 1, n do
    local r = random(1, 16)
    out[i] = HEX:sub(r, r)
  end
  return concat(out)
end

local ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
function _M.token(n)
  local out = {}
  for i = 1, n do
    local r = random(1, #ALNUM)
    out[i] = ALNUM:sub(r, r)
  end
  return concat(out)
end

-- dates --------------------------------------------------------------------

function _M.now()
  return ngx.now()
end

function _M.rfc2822(t)
  return (dates.rfc2822(floor(t or ngx.now())))
end

-- MailerSend style: 2024-01-02T03:04:05.000000Z
function _M.iso(t)
  return os_date("!%Y-%m-%dT%H:%M:%S", floor(t or ngx.now())) .. ".000000Z"
end

function _M.iso_short(t)
  return (dates.iso8601(floor(t or ngx.now())))
end

-- Epoch seconds of "2023-03-14T09:26:53Z".
function _M.epoch(iso)
  return (dates.to_epoch(iso))
end

-- Epoch seconds from epoch digits, an RFC 2822 or an ISO 8601 date; nil if unreadable.
function _M.parse_time(s)
  if s == nil then return nil end
  return (dates.to_epoch(s))
end
_M.parse_rfc2822 = _M.parse_time

-- lists and strings -------------------------------------------------------

function _M.split_addresses(s)
  local out = {}
  if type(s) ~= "string" then return out end
  local buf, quoted, angle = {}, false, false
  for i = 1, #s do
    local c = s:sub(i, i)
    if c == '"' then quoted = not quoted end
    if c == "<" then angle = true elseif c == ">" then angle = false end
    if c == "," and not quoted and not angle then
      out[#out + 1] = concat(buf)
      buf = {}
    else
      buf[#buf + 1] = c
    end
  end
  out[#out + 1] = concat(buf)
  local res = {}
  for _, a in ipairs(out) do
    a = a:match("^%s*(.-)%s*$")
    if a ~= "" then res[#res + 1] = a end
  end
  return res
end

-- The bare address of 'Name <a@b.c>' or 'a@b.c', lowercased.
function _M.bare(a)
  if type(a) ~= "string" then return nil end
  local inner = a:match("<([^>]*)>")
  return ((inner or a):match("^%s*(.-)%s*$")):lower()
end

function _M.valid_email(a)
  return type(a) == "string" and a:match("^[^%s@<>,;]+@[^%s@<>,;]+%.[^%s@<>,;]+$") ~= nil
end

function _M.shallow_copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

function _M.deep_copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = _M.deep_copy(v) end
  return setmetatable(c, getmetatable(t))
end

function _M.map(list, fn)
  local out = _M.array()
  for i, v in ipairs(list or {}) do out[i] = fn(v, i) end
  return out
end

function _M.filter(list, fn)
  local out = _M.array()
  for _, v in ipairs(list or {}) do
    if fn(v) then out[#out + 1] = v end
  end
  return out
end

function _M.slice(list, first, count)
  local out = _M.array()
  for i = first, first + count - 1 do
    if list[i] == nil then break end
    out[#out + 1] = list[i]
  end
  return out
end

function _M.remove_value(list, fn)
  for i = #list, 1, -1 do
    if fn(list[i]) then table.remove(list, i) end
  end
end

function _M.find(list, fn)
  for i, v in ipairs(list or {}) do
    if fn(v) then return v, i end
  end
end

-- A value that may be a list: always a list.
function _M.list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

function _M.truthy(v)
  if type(v) == "table" then v = v[#v] end
  if v == true then return true end
  if type(v) ~= "string" then return false end
  v = v:lower()
  return v == "yes" or v == "true" or v == "1" or v == "on"
end

function _M.int(v, default)
  if type(v) == "table" then v = v[1] end
  local n = tonumber(v)
  if not n then return default end
  return floor(n)
end


return _M

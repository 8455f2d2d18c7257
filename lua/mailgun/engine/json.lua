-- JSON on top of lua-cjson, with what plain cjson 2.1 lacks: a marker for
-- arrays that may be empty (cjson alone writes {} for an empty table), and a
-- decode that returns nil, err instead of raising.
local cjson = require("cjson.safe")

local setmetatable, getmetatable, type, pairs, next = setmetatable, getmetatable, type, pairs, next

local _M = { null = cjson.null }

local array_mt = { __name = "json.array" }
local EMPTY = "\0json-empty-array\0"

-- Marks t (default: a new table) as a JSON array, so {} encodes as [].
function _M.array(t)
  return setmetatable(t or {}, array_mt)
end

function _M.is_array(t)
  return getmetatable(t) == array_mt
end

local function mark_empty(v, seen)
  if type(v) ~= "table" then return v end
  if getmetatable(v) == array_mt and next(v) == nil then return EMPTY end
  seen = seen or {}
  if seen[v] then return v end
  seen[v] = true
  local copy
  for k, x in pairs(v) do
    local y = mark_empty(x, seen)
    if y ~= x then
      copy = copy or {}
      copy[k] = y
    end
  end
  if not copy then return v end
  for k, x in pairs(v) do
    if copy[k] == nil then copy[k] = x end
  end
  return copy
end

function _M.encode(v)
  local s, err = cjson.encode(mark_empty(v))
  if not s then return nil, err end
  if s:find("\\u0000json-empty-array\\u0000", 1, true) then
    s = s:gsub('"\\u0000json%-empty%-array\\u0000"', "[]")
  end
  return s
end

function _M.decode(s)
  if type(s) ~= "string" or s == "" then return nil, "empty" end
  return cjson.decode(s)
end

-- Whether v encodes as JSON exactly as it is: strings, booleans, finite
-- numbers, null, and tables that are either objects (string keys) or
-- lists without holes. -> true | nil, "what is wrong (at path)".
-- cjson would refuse some of these and silently change others (a list
-- with a hole gains nulls), so values that must arrive whole are checked.
local function check(v, path, seen)
  local t = type(v)
  if t == "string" or t == "boolean" or v == cjson.null then return true end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      return nil, "a number that JSON cannot hold (" .. tostring(v) .. ") at " .. path
    end
    return true
  end
  if t ~= "table" then return nil, "a " .. t .. " at " .. path end
  if seen[v] then return nil, "a table that contains itself at " .. path end
  seen[v] = true
  local n, max, strings = 0, 0, 0
  for k in pairs(v) do
    if type(k) == "number" and k >= 1 and k % 1 == 0 then
      n = n + 1
      if k > max then max = k end
    elseif type(k) == "string" then
      strings = strings + 1
    else
      return nil, "a key of type " .. type(k) .. " at " .. path
    end
  end
  if n > 0 and strings > 0 then return nil, "a table mixing a list and keys at " .. path end
  if n ~= max then return nil, "a list with a hole (nil) at " .. path end
  for k, x in pairs(v) do
    local ok, err = check(x, path .. (type(k) == "string" and ("." .. k) or ("[" .. k .. "]")), seen)
    if not ok then return nil, err end
  end
  seen[v] = nil
  return true
end

function _M.check(v, name)
  return check(v, name or "value", {})
end

return _M

-- JSON on top of lua-cjson, with what plain cjson 2.1 lacks: a marker for
-- arrays that may be empty (cjson alone writes {} for an empty table), and a
-- decode that returns nil, err instead of raising.
local cjson = require("cjson.safe")

local setmetatable, getmetatable, type, pairs, next = setmetatable, getmetatable, type, pairs, next

local _M = { null = cjson.null }

local array_mt = { __name = "json.array" }
local EMPTY = "\0json-empty-array\0"
-- every marked table still alive: while there is none, encode skips the
-- walk looking for empty ones (a batch's recipient variables are large)
local marked = setmetatable({}, { __mode = "k" })

-- Marks t (default: a new table) as a JSON array, so {} encodes as [].
function _M.array(t)
  t = setmetatable(t or {}, array_mt)
  marked[t] = true
  return t
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

-- Is an empty marked array reachable from v? (no allocation; depth-bound
-- like the encoder, so a cycle ends here too)
local function has_empty(v, depth)
  if getmetatable(v) == array_mt and next(v) == nil then return true end
  if depth > 100 then return true end
  for _, x in pairs(v) do
    if type(x) == "table" and has_empty(x, depth + 1) then return true end
  end
  return false
end

function _M.encode(v)
  -- the placeholders are looked for in the text only when some were put in
  -- (the text may be long: a message's html)
  local marks = type(v) == "table" and next(marked) ~= nil and has_empty(v, 0)
  if marks then v = mark_empty(v) end
  local s, err = cjson.encode(v)
  if not s then return nil, err end
  if marks and s:find("\\u0000json-empty-array\\u0000", 1, true) then
    s = s:gsub('"\\u0000json%-empty%-array\\u0000"', "[]")
  end
  return s
end

-- The JSON object {entries[k].address: entries[k].vars} for k = i..j
-- (vars nil: {}), e.g. a batch call's recipient-variables: built in C for
-- flat variables, else through encode. With vars (a list): entries[k] is
-- the address itself and vars[k] its variables (false: none).
function _M.by_address(entries, i, j, vars)
  local s = require("mailgun.engine.native").core().json_by_address(entries, i, j, vars)
  if s then return s end
  local map = {}
  for k = i, j do
    if vars then
      map[entries[k]] = vars[k] or {}
    else
      local e = entries[k]
      map[e.address] = e.vars or {}
    end
  end
  return _M.encode(map)
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

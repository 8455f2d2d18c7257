-- The one rule for mistakes a program makes (see README "Mistakes"): a
-- table of options, per-call options or message fields is checked against
-- a declared set of names and types; an unknown name or a wrong type
-- raises "bad argument" naming it, with a did-you-mean for a near miss.
--   options.check(t, known, label, how)
-- known: name -> type: "string", "number", "boolean", "table", "function",
--   alternatives as "string|table", or "any".
-- how (optional): noun ("option"), prefix ("opts": names show as
--   opts.timeout), argn (1), level (2: the caller of the caller of check),
--   what ("table": the argument itself, when it is not a table),
--   hints = {name = "where it goes"}, open = function(name) -> true for
--   names of an open family (e.g. Mailgun's "o:" fields).
local url = require("mailgun.engine.url")

local type, pairs, ipairs, tostring, error, sort, setmetatable =
  type, pairs, ipairs, tostring, error, table.sort, setmetatable
local min = math.min

local _M = {}

-- Edit distance (insert, delete, replace, swap of two neighbours).
function _M.distance(a, b)
  local la, lb = #a, #b
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 0, lb do d[0][j] = j end
  for i = 1, la do
    for j = 1, lb do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end

-- The nearest known name when it is a near miss (at most 2 edits, and
-- fewer than half the letters), else nil. Ties go to the first in order.
function _M.suggest(name, known)
  if type(name) ~= "string" then return nil end
  local names = {}
  for k in pairs(known) do names[#names + 1] = k end
  sort(names)
  local best, best_d
  local lower = name:lower()
  for _, k in ipairs(names) do
    local dist = _M.distance(lower, k:lower())
    if dist <= 2 and dist * 2 < #k and (not best_d or dist < best_d) then best, best_d = k, dist end
  end
  return best
end

-- "string|table" -> {string = true, table = true}, parsed once per spelling
local alternatives = setmetatable({}, { __index = function(cache, want)
  local set = {}
  for alt in want:gmatch("[^|]+") do set[alt] = true end
  cache[want] = set
  return set
end })

local function type_ok(want, v)
  if want == "any" then return true end
  local t = type(v)
  return want == t or alternatives[want][t] == true
end
_M.type_ok = type_ok

-- Whether every name is known (or open) with a value of its type: one
-- pass without sorting or allocating, as it is on every call.
local function clean(t, known, open)
  for k, v in pairs(t) do
    local want = known[k]
    if want == nil then
      if not (open and type(k) == "string" and open(k)) then return false end
    else
      local tv = type(v)
      if want ~= tv and want ~= "any" and not alternatives[want][tv] then return false end
    end
  end
  return true
end
_M.clean = clean

-- Raises unless t is a table, then on the first unknown name or wrong
-- type (in the order of the names); returns t.
function _M.check(t, known, label, how)
  if type(t) == "table" and clean(t, known, how and how.open) then return t end
  -- a mistake: find the first one in the order of the names, and name it
  how = how or {}
  local level = (how.level or 2) + 1
  local noun, prefix = how.noun or "option", how.prefix or "opts"
  local hints = how.hints
  if type(t) ~= "table" then
    error("bad argument #" .. (how.argn or 1) .. " to '" .. label .. "' (" .. (how.what or "table")
      .. " expected, got " .. type(t) .. ")", level)
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local want = known[k]
    if want == nil and not (how.open and type(k) == "string" and how.open(k)) then
      local hint = hints and hints[k]
      if not hint then
        local near = _M.suggest(k, known)
        hint = near and ("did you mean '" .. near .. "'?")
      end
      error("bad argument #" .. (how.argn or 1) .. " to '" .. label .. "' (unknown " .. noun .. " '"
        .. tostring(k) .. "'" .. (hint and (" (" .. hint .. ")") or "") .. ")", level)
    end
    if want ~= nil and not type_ok(want, t[k]) then
      error("bad argument '" .. prefix .. "." .. k .. "' to '" .. label .. "' ("
        .. want:gsub("|", " or ") .. " expected, got " .. type(t[k]) .. ")", level)
    end
  end
  return t
end

-- What every engine call takes besides its params (see request.lua).
_M.CALL = {
  headers = "table", timeout = "number", retries = "number", label = "string", query = "table",
  url = "string", deadline = "number",
}

-- Options of a chunked send (engine/chunked.lua), as send_batch takes
-- them; batch:send and email:send_bulk add their sources' names.
_M.CHUNKED = {
  size = "number", parallel = "number", progress = "function", resume = "table",
  resend_uncertain = "boolean", journal = "string",
}

-- A copy of a declared set with more names: options.with(CHUNKED, {x = "string"}).
function _M.with(known, more)
  local out = {}
  for k, v in pairs(known) do out[k] = v end
  for k, v in pairs(more) do out[k] = v end
  return out
end

-- Options of the pages/each iterators: the call options and a cursor.
_M.PAGING = _M.with(_M.CALL, { cursor = "string" })

-- The params of an endpoint whose names are declared (ep.params: the
-- query or body fields the API documents): its path placeholders (and
-- their aliases), ep.query and ep.params; any value. Endpoints without
-- ep.params take any field the API accepts and are not checked.
function _M.check_params(engine, ep, params, label, level)
  if not ep.params or type(params) ~= "table" then return end
  local known = { cursor = "any" }
  for _, n in ipairs(url.placeholders(ep.path)) do
    known[n] = "any"
    local alias = engine.alias and engine.alias(n, ep.path)
    if alias then known[alias] = "any" end
  end
  for _, n in ipairs(ep.query or {}) do known[n] = "any" end
  for _, n in ipairs(ep.params) do known[n] = "any" end
  _M.check(params, known, label, { noun = "field", prefix = "params", level = (level or 2) + 1 })
end

-- The arguments of a generic endpoint method resource:name(params, opts):
-- opts against CALL, params as check_params. Raises at the caller of the
-- method.
function _M.check_call(engine, ep, params, opts, label, known)
  if opts ~= nil then _M.check(opts, known or _M.CALL, label, { argn = 2, level = 3 }) end
  _M.check_params(engine, ep, params, label, 3)
end

return _M

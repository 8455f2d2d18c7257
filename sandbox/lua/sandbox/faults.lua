-- Fault injection: queued rules applied to the next N matching requests.
-- rule = {method = "POST" | nil (any), path = "/v3/" (prefix) | "^/v3/.*/messages$"
--         (a Lua pattern when it starts with "^"), provider = "mailgun" | "mailersend" | nil,
--         status = 429 | 500 | 502 | 503 | ..., retry_after = seconds, body = string,
--         delay_ms = n, drop = true | "before" | "after", truncate = true, count = n (default 1)}
-- drop = true: the request is read and recorded, then the connection closes
-- (nothing processed); "before": it closes before the body is read;
-- "after": the request is processed (a message is accepted and delivered),
-- then the connection closes without an answer.
local store = require("sandbox.store")
local util = require("sandbox.util")

local type, tonumber, ipairs = type, tonumber, ipairs
local remove = table.remove

local _M = {}

local ALLOWED = { [400] = true, [401] = true, [403] = true, [404] = true, [408] = true,
  [409] = true, [413] = true, [422] = true, [429] = true, [500] = true, [502] = true,
  [503] = true, [504] = true }

function _M.validate(rule)
  if type(rule) ~= "table" then return nil, "a fault must be a JSON object" end
  if rule.path ~= nil and type(rule.path) ~= "string" then return nil, "path must be a string" end
  if rule.path and rule.path:sub(1, 1) == "^" and not pcall(string.find, "", rule.path) then
    return nil, "path is not a valid Lua pattern"
  end
  if rule.status ~= nil then
    rule.status = tonumber(rule.status)
    if not ALLOWED[rule.status] then return nil, "status must be one of 4xx/5xx listed in docs" end
  end
  if rule.drop ~= nil and rule.drop ~= true and rule.drop ~= false and rule.drop ~= "before"
    and rule.drop ~= "after" then
    return nil, "drop must be true, \"before\" or \"after\""
  end
  if rule.delay_ms ~= nil and not tonumber(rule.delay_ms) then
    return nil, "delay_ms must be a number"
  end
  if not (rule.status or rule.delay_ms or rule.drop or rule.truncate) then
    return nil, "a fault needs one of status, delay_ms, drop, truncate"
  end
  local count = tonumber(rule.count or 1)
  if not count or count < 1 then return nil, "count must be >= 1" end
  return {
    id = store.next_id(),
    method = rule.method and rule.method:upper() or nil,
    path = rule.path,
    provider = rule.provider,
    status = rule.status,
    retry_after = rule.retry_after and tonumber(rule.retry_after) or nil,
    body = rule.body,
    delay_ms = tonumber(rule.delay_ms),
    drop = (rule.drop == "before" or rule.drop == "after") and rule.drop or (rule.drop and true or nil),
    truncate = rule.truncate and true or nil,
    count = count,
    matched = 0,
  }
end

function _M.add(rule)
  local f, err = _M.validate(rule)
  if not f then return nil, err end
  store.faults[#store.faults + 1] = f
  return f
end

local function matches(f, method, path, provider)
  if f.method and f.method ~= method then return false end
  if f.provider and f.provider ~= provider then return false end
  if f.path then
    if f.path:sub(1, 1) == "^" then
      if not path:find(f.path) then return false end
    elseif path:sub(1, #f.path) ~= f.path then
      return false
    end
  end
  return true
end

-- The first queued fault matching this request, consumed once.
function _M.take(method, path, provider)
  for i, f in ipairs(store.faults) do
    if matches(f, method, path, provider) then
      f.count = f.count - 1
      f.matched = f.matched + 1
      if f.count <= 0 then remove(store.faults, i) end
      return f
    end
  end
end

-- The first queued fault matching this request if it is a drop = "before"
-- (taken then), before anything else is read.
function _M.peek_before(method, path, provider)
  for _, f in ipairs(store.faults) do
    if matches(f, method, path, provider) then
      if f.drop == "before" then return _M.take(method, path, provider) end
      return nil
    end
  end
end

function _M.list()
  return util.array(store.faults)
end

return _M

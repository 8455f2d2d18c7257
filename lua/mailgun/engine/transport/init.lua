-- Picks the transport for where the code runs: OpenResty cosockets inside an
-- nginx request or timer, the C core's libcurl session everywhere else.
-- Default transports are shared: clients made with the same transport
-- options use one (one connection pool, one non-blocking loop), closed
-- when the last of them is closed (or collected with them).
local type, rawget, pairs, ipairs, tostring, require, setmetatable, concat, sort =
  type, rawget, pairs, ipairs, tostring, require, setmetatable, table.concat, table.sort

local _M = {}

local shared = setmetatable({}, { __mode = "v" }) -- options key -> transport
local users = setmetatable({}, { __mode = "k" })  -- transport -> clients using it

local function in_nginx()
  local ngx = rawget(_G, "ngx")
  if type(ngx) ~= "table" or not ngx.get_phase then return false end
  return true
end

local function key_of(opts)
  local keys = {}
  for k in pairs(opts) do keys[#keys + 1] = k end
  sort(keys)
  local parts = { in_nginx() and "resty" or "curl" }
  for i, k in ipairs(keys) do parts[i + 1] = k .. "=" .. tostring(opts[k]) end
  return concat(parts, "\0")
end

-- A new transport for these options (timeout, connect_timeout in seconds,
-- verify, cafile, capath, proxy, user_agent, max_body).
function _M.new(opts)
  if in_nginx() then
    return require("mailgun.engine.transport.resty").new(opts)
  end
  return require("mailgun.engine.transport.curl").new(opts)
end

-- The shared transport for these options; each call counts one user.
function _M.default(opts)
  local key = key_of(opts)
  local t = shared[key]
  if not t then
    t = _M.new(opts)
    shared[key] = t
  end
  users[t] = (users[t] or 0) + 1
  return t
end

-- A client is done with transport t: a shared one closes with its last
-- user; one the user gave is closed at once (as before sharing).
function _M.release(t)
  local n = users[t]
  if n and n > 1 then
    users[t] = n - 1
    return
  end
  if n then
    users[t] = nil
    for k, v in pairs(shared) do
      if v == t then shared[k] = nil end
    end
  end
  if t.close then t:close() end
end

return _M

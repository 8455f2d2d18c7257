-- The control API under /sandbox (no auth): inspection, reset, faults,
-- on-demand events, webhook logs and a built-in webhook receiver.
local store = require("sandbox.store")
local util = require("sandbox.util")
local body = require("sandbox.body")
local faults = require("sandbox.faults")
local respond = require("sandbox.respond")
local router = require("sandbox.router")
local crypto = require("sandbox.crypto")

local type, ipairs, pairs, tostring, tonumber, require = type, ipairs, pairs, tostring, tonumber,
  require

local _M = {}

local function json_body()
  local raw = body.read()
  if raw == "" then return {} end
  local v = util.decode(raw)
  if type(v) ~= "table" then return nil, raw end
  return v, raw
end

local function q(name)
  local v = ngx.req.get_uri_args()[name]
  if type(v) == "table" then v = v[1] end
  if v == true then v = "" end
  return v
end

local function filter_items(list, keys)
  local out = util.array()
  local limit = tonumber(q("limit") or "")
  for _, it in ipairs(list) do
    local ok = true
    for _, k in ipairs(keys) do
      local want = q(k)
      if want and tostring(it[k]) ~= want then ok = false end
    end
    if ok then out[#out + 1] = it end
  end
  if limit and limit > 0 and #out > limit then
    out = util.slice(out, #out - limit + 1, limit)
  end
  return out
end

local function info()
  local cfg = store.config
  return 200, {
    name = "mailgun-sandbox",
    crypto = crypto.backend,
    mailgun = { domains = util.array(util.shallow_copy(store.mg.domain_order)),
      webhook_signing_key = store.mg.signing_key },
    mailersend = { domains = util.map(store.ms.domain_order, function(id)
      return { id = id, name = store.ms.domains[id].name }
    end), rate_limit = store.rate_limit },
    counts = { requests = #store.requests, messages = #store.deliveries,
      webhooks = #store.webhook_log, hooks = #store.hooks, faults = #store.faults },
    max_requests = cfg.max_requests,
  }
end

local function reset()
  store.reset()
  return 200, { message = "sandbox reset" }
end

local function requests()
  return 200, { items = filter_items(store.requests, { "method", "path", "provider" }) }
end

local function messages()
  local list = store.deliveries
  if not q("all") then
    list = util.filter(list, function(d) return d.status == "delivered" end)
  end
  return 200, { items = filter_items(list, { "provider", "to", "id", "status", "domain" }) }
end

local function fault_add()
  local v, raw = json_body()
  if not v then return 400, { message = "body must be JSON: " .. tostring(raw) } end
  local list = v[1] and v or { v }
  local added = util.array()
  for _, rule in ipairs(list) do
    local f, err = faults.add(rule)
    if not f then return 400, { message = err } end
    added[#added + 1] = f
  end
  return 201, { items = added }
end

local function fault_list() return 200, { items = faults.list() } end

local function fault_clear()
  store.faults = {}
  return 200, { message = "faults cleared" }
end

local function config_get()
  return 200, { rate_limit = store.rate_limit, webhook_signing_key = store.mg.signing_key }
end

local function config_put()
  local v = json_body()
  if not v then return 400, { message = "body must be JSON" } end
  if v.rate_limit ~= nil then
    local n = tonumber(v.rate_limit)
    if not n or n < 0 then return 400, { message = "rate_limit must be a number" } end
    store.rate_limit = n
    store.ms.rate = { window = 0, count = 0 }
  end
  if type(v.webhook_signing_key) == "string" then store.mg.signing_key = v.webhook_signing_key end
  return config_get()
end

local function event_add()
  local v = json_body()
  if not v then return 400, { message = "body must be JSON" } end
  local provider = v.provider
  if not provider then
    provider = (v.message_id and tostring(v.message_id):find("@", 1, true)) and "mailgun"
      or (v.message_id and "mailersend") or "mailgun"
  end
  local mod = provider == "mailersend" and require("sandbox.ms_email")
    or require("sandbox.mg_control")
  local items, err = mod.trigger(v)
  if not items then return 400, { message = err } end
  return 201, { items = items }
end

local function webhook_log()
  local list = util.map(filter_items(store.webhook_log, { "provider", "url", "event" }),
    function(e)
      local c = util.shallow_copy(e)
      c.payload = util.decode(e.body)
      return c
    end)
  return 200, { items = list }
end

local function hooks_list()
  return 200, { items = filter_items(store.hooks, { "name" }) }
end

local function hook_receive(name)
  local raw = body.read()
  local headers = {}
  for k, v in pairs(ngx.req.get_headers(100)) do headers[k] = v end
  store.hooks[#store.hooks + 1] = { id = store.next_id(), name = name, time = ngx.now(),
    method = ngx.req.get_method(), headers = headers, body = raw, json = util.decode(raw) }
  local st = tonumber(q("status") or "") or 200
  return st, { message = "received" }
end

local r = router.new()
r:add("GET", "/sandbox", info)
r:add("DELETE", "/sandbox", reset)
r:add("POST", "/sandbox/reset", reset)
r:add("GET", "/sandbox/requests", requests)
r:add("GET", "/sandbox/messages", messages)
r:add("GET", "/sandbox/faults", fault_list)
r:add("POST", "/sandbox/faults", fault_add)
r:add("DELETE", "/sandbox/faults", fault_clear)
r:add("GET", "/sandbox/violations", function()
  return 200, { items = util.array(util.shallow_copy(store.violations)) }
end)
r:add("DELETE", "/sandbox/violations", function()
  local n = #store.violations
  store.violations = {}
  return 200, { cleared = n }
end)
r:add("GET", "/sandbox/config", config_get)
r:add("PUT", "/sandbox/config", config_put)
r:add("POST", "/sandbox/events", event_add)
r:add("GET", "/sandbox/webhooks", webhook_log)
r:add("GET", "/sandbox/hooks", hooks_list)
r:add("DELETE", "/sandbox/hooks", function()
  store.hooks = {}
  return 200, { message = "hooks cleared" }
end)

function _M.handle(method, path)
  local name = path:match("^/sandbox/hooks/(.+)$")
  if name then return respond.send(hook_receive(name)) end
  local h, matched = r:match(method, path)
  if not h then
    return respond.send(matched and 405 or 404,
      { message = matched and "method not allowed" or "no such control endpoint" })
  end
  local ok, st, b = pcall(h)
  if not ok then
    ngx.log(ngx.ERR, "sandbox control error: ", st)
    return respond.send(500, { message = tostring(st) })
  end
  return respond.send(st, b)
end

return _M

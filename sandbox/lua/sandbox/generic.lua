-- The catch-all: every endpoint of the catalog without a stateful handler
-- answers 200/201/202/204 with a plausible JSON body. MailerSend objects
-- created by POST are kept, so a later GET finds them.
local catalog = require("sandbox.catalog")
local router = require("sandbox.router")
local store = require("sandbox.store")
local util = require("sandbox.util")
local paging = require("sandbox.paging")

local ipairs, pairs, type = ipairs, pairs, type

local _M = {}

local function last_is_param(path)
  return path:match("{[^}]+}$") ~= nil
end

local function echo(ctx)
  local out = {}
  for k, v in pairs(ctx.params) do out[k] = v end
  for k, v in pairs(ctx.body.fields) do out[k] = v end
  if type(ctx.body.json) == "table" and ctx.body.json[1] == nil then
    for k, v in pairs(ctx.body.json) do out[k] = v end
  end
  return out
end

-- Mailgun ------------------------------------------------------------------

local MG_OVERRIDES = {
  ["GET /v4/address/validate"] = function(ctx)
    local a = ctx.query.address or ""
    return 200, { address = a, is_disposable_address = false, is_role_address = false,
      reason = util.array(), result = util.valid_email(a) and "deliverable" or "undeliverable",
      risk = "low" }
  end,
  ["GET /v3/ips"] = function()
    return 200, { items = util.array({ "127.0.0.1" }), total_count = 1,
      assignable_to_pools = util.array(), details = util.array() }
  end,
  ["GET /v3/ips/{ip}"] = function(ctx)
    return 200, { ip = ctx.params.ip, dedicated = true, rdns = "sandbox.local" }
  end,
  ["GET /v1/keys/public"] = function()
    return 200, { key = "pubkey-" .. util.hex(32) }
  end,
}

local function metrics(ctx)
  local j = type(ctx.body.json) == "table" and ctx.body.json or {}
  return 200, { start = j.start or util.rfc2822(ngx.now() - 86400 * 7),
    ["end"] = j["end"] or util.rfc2822(), resolution = j.resolution or "day",
    duration = j.duration, dimensions = util.array(j.dimensions or {}), items = util.array(),
    aggregates = { metrics = util.object() },
    pagination = { sort = "", skip = 0, limit = 10, total = 0 } }
end
MG_OVERRIDES["POST /v1/analytics/metrics"] = metrics
MG_OVERRIDES["POST /v1/analytics/usage/metrics"] = metrics

local function stats(ctx)
  return 200, { start = util.rfc2822(ngx.now() - 86400 * 7), ["end"] = util.rfc2822(),
    resolution = ctx.query.resolution or "day", stats = util.array() }
end

function _M.mailgun_handler(route)
  local key = route.method .. " " .. route.path
  if MG_OVERRIDES[key] then return MG_OVERRIDES[key] end
  if route.path:find("/stats/", 1, true) or route.path:match("/stats$") then return stats end
  return function(ctx)
    local m = ctx.method
    if m == "GET" then
      if last_is_param(route.path) then
        local v = echo(ctx)
        v.created_at = util.rfc2822()
        return 200, v
      end
      return 200, { items = util.array(), total_count = 0,
        paging = { first = paging.url(ctx, ctx.path, { page = "first" }),
          last = paging.url(ctx, ctx.path, { page = "last" }),
          next = paging.url(ctx, ctx.path, { page = "next" }),
          previous = paging.url(ctx, ctx.path, { page = "previous" }) } }
    elseif m == "DELETE" then
      return 200, { message = "deleted" }
    end
    local v = echo(ctx)
    v.message = m == "POST" and "created" or "updated"
    return 200, v
  end
end

-- MailerSend ----------------------------------------------------------------

local MS_OVERRIDES = {
  ["GET /api-quota"] = function()
    return 200, { quota = 100000, remaining = 100000 - #store.requests,
      reset = os.date("!%Y-%m-%dT00:00:00Z", ngx.time() + 86400) }
  end,
  ["POST /sms"] = function()
    return 202, nil, { ["X-SMS-Message-Id"] = util.hex(24) }
  end,
  ["POST /email-verification/verify"] = function(ctx)
    local e = type(ctx.body.json) == "table" and ctx.body.json.email or ""
    return 200, { status = util.valid_email(e) and "valid" or "syntax_error" }
  end,
}

local function bucket(collection)
  local b = store.ms.generic[collection]
  if not b then
    b = { map = {}, order = {} }
    store.ms.generic[collection] = b
  end
  return b
end

function _M.mailersend_handler(route)
  local key = route.method .. " " .. route.path
  if MS_OVERRIDES[key] then return MS_OVERRIDES[key] end
  local path = route.path
  local item = last_is_param(path)
  local collection = item and path:gsub("/{[^}]+}$", "") or path
  local action = not item and path:match("^(.*)/{[^}]+}/[%w%-]+$")
  return function(ctx)
    local m = ctx.method
    local concrete = ctx.path:gsub("^/v1", "")
    local ccoll = item and concrete:gsub("/[^/]+$", "") or concrete
    if m == "GET" then
      if item then
        local b = bucket(ccoll)
        local id = concrete:match("([^/]+)$")
        local obj = b.map[id]
        if not obj then
          obj = echo(ctx)
          obj.id = id
          obj.created_at = util.iso()
        end
        return 200, { data = obj }
      end
      if action then
        return 200, { data = echo(ctx) }
      end
      local b = bucket(ccoll)
      local list = {}
      for _, id in ipairs(b.order) do
        if b.map[id] then list[#list + 1] = b.map[id] end
      end
      local body, st, err = paging.mailersend(ctx, list)
      if not body then return st, err end
      return 200, body
    elseif m == "DELETE" then
      if item then
        local b = bucket(ccoll)
        b.map[concrete:match("([^/]+)$")] = nil
      end
      return 204, nil
    elseif m == "POST" and not item and not action then
      local obj = echo(ctx)
      obj.id = util.hex(24)
      obj.created_at, obj.updated_at = util.iso(), util.iso()
      local b = bucket(ccoll)
      b.map[obj.id] = obj
      b.order[#b.order + 1] = obj.id
      return 201, { data = obj }
    end
    -- PUT, PATCH, POST actions
    local obj
    if item then
      local b = bucket(ccoll)
      local id = concrete:match("([^/]+)$")
      obj = b.map[id] or { id = id, created_at = util.iso() }
      for k, v in pairs(echo(ctx)) do obj[k] = v end
      obj.updated_at = util.iso()
      if b.map[id] then b.map[id] = obj end
    else
      obj = echo(ctx)
    end
    return 200, { data = obj }
  end, collection
end

-- Routers -------------------------------------------------------------------

local function build(text, prefix, make)
  local r = router.new()
  for line in text:gmatch("[^\n]+") do
    local method, path = line:match("^(%u+)%s+(%S+)$")
    if method then
      local route = { method = method, path = path }
      r:add(method, prefix .. path, (make(route)))
    end
  end
  return r
end

local mg_router, ms_router

function _M.mailgun(ctx)
  mg_router = mg_router or build(catalog.mailgun, "", _M.mailgun_handler)
  local h, params = mg_router:match(ctx.method, ctx.path)
  if not h then return nil, params end
  ctx.params = params
  return h(ctx)
end

function _M.mailersend(ctx)
  ms_router = ms_router or build(catalog.mailersend, "/v1", _M.mailersend_handler)
  local h, params = ms_router:match(ctx.method, ctx.path)
  if not h then return nil, params end
  ctx.params = params
  return h(ctx)
end

function _M.is_mailersend_path(method, path)
  ms_router = ms_router or build(catalog.mailersend, "/v1", _M.mailersend_handler)
  local h, matched = ms_router:match(method, path)
  return h ~= nil or matched == true
end

return _M

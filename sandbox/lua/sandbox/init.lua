-- The sandbox server's entry points, called from the generated nginx.conf:
--   init_by_lua:        require("sandbox").init(config_path)
--   init_worker_by_lua: require("sandbox").init_worker()
--   content_by_lua:     require("sandbox").handle()
-- A request is read and recorded, matched against queued faults, then
-- dispatched: /sandbox/* (control), Bearer + /v1/* (MailerSend), anything
-- else (Mailgun). Stateful handlers come first, the generic catalog last.
local store = require("sandbox.store")
local util = require("sandbox.util")
local body = require("sandbox.body")
local auth = require("sandbox.auth")
local faults = require("sandbox.faults")
local router = require("sandbox.router")
local generic = require("sandbox.generic")
local respond = require("sandbox.respond")
local oracle = require("sandbox.oracle")

local type, pairs, ipairs, pcall, tostring, require = type, pairs, ipairs, pcall, tostring, require
local io_open = io.open

local _M = {}

local MG_MODULES = { "mg_send", "mg_suppressions", "mg_templates", "mg_lists", "mg_domains",
  "mg_account", "mg_events" }
local MS_MODULES = { "ms_email", "ms_resources" }

local mg_router, ms_router

local function build_routers()
  mg_router, ms_router = router.new(), router.new()
  for _, name in ipairs(MG_MODULES) do require("sandbox." .. name).routes(mg_router) end
  for _, name in ipairs(MS_MODULES) do require("sandbox." .. name).routes(ms_router) end
end

function _M.init(config_path)
  if config_path then
    local f = io_open(config_path, "rb")
    if f then
      local cfg = util.decode(f:read("*a"))
      f:close()
      if type(cfg) == "table" then
        for k, v in pairs(cfg) do
          if v ~= util.null then store.config[k] = v end
        end
      end
    end
  end
  build_routers()
end

function _M.init_worker()
  math.randomseed(ngx.now() * 1000 + ngx.worker.pid())
  store.reset()
end

local function record(ctx)
  local files = util.map(ctx.body.files, function(f)
    return { name = f.field, filename = f.filename, content_type = f.content_type, size = f.size,
      sha256 = f.sha256 }
  end)
  local headers = {}
  for k, v in pairs(ctx.headers) do
    if k ~= "authorization" then headers[k] = v end
  end
  local fields = util.object()
  for k, v in pairs(ctx.body.fields) do fields[k] = v end
  local r = {
    id = store.next_id(),
    time = ngx.now(),
    method = ctx.method,
    path = ctx.path,
    query = util.object(util.shallow_copy(ctx.query)),
    headers = util.object(headers),
    content_type = ctx.headers["content-type"],
    body_size = #ctx.body.raw,
    fields = fields,
    json = ctx.body.json,
    files = files,
    provider = ctx.provider,
    auth = ctx.auth_scheme,
  }
  local reqs = store.requests
  reqs[#reqs + 1] = r
  local max = store.config.max_requests or 10000
  if #reqs > max then table.remove(reqs, 1) end
  return r
end

-- Which API a request is for.
local function provider_of(method, path, scheme)
  if scheme == "bearer" then return "mailersend" end
  if scheme == "basic" then return "mailgun" end
  -- no credentials: a MailerSend-only path is MailerSend's, else Mailgun's
  if path:sub(1, 4) == "/v1/" and generic.is_mailersend_path(method, path) then
    local h = mg_router:match(method, path)
    if not h then return "mailersend" end
  end
  return "mailgun"
end

local function dispatch_mailgun(ctx)
  local scheme, user, pass = ctx.auth_scheme, ctx.auth_user, ctx.auth_pass
  local key = scheme == "basic" and auth.mailgun(user, pass)
  if not key then return 401, "Forbidden", { ["Content-Type"] = "text/plain" } end
  if not auth.mailgun_allowed(key, ctx.method, ctx.path) then
    return 401, "Forbidden", { ["Content-Type"] = "text/plain" }
  end
  ctx.auth_key = key
  local h, params = mg_router:match(ctx.method, ctx.path)
  if h then
    ctx.params = params
    ctx.extra_headers["X-Sandbox-Route"] = "stateful"
    return h(ctx)
  end
  ctx.extra_headers["X-Sandbox-Route"] = "generic"
  local st, b, hd = generic.mailgun(ctx)
  if st then return st, b, hd end
  ctx.extra_headers["X-Sandbox-Route"] = "none"
  if b == true then return 405, { message = "Method not allowed" } end
  return 404, "Mailgun Magnificent API", { ["Content-Type"] = "text/plain" }
end

local function rate_limit(ctx)
  local ms = store.ms
  local window = math.floor(ngx.now() / 60)
  if ms.rate.window ~= window then
    ms.rate.window, ms.rate.count = window, 0
  end
  local limit = store.rate_limit or 100000
  ms.rate.count = ms.rate.count + 1
  local remaining = limit - ms.rate.count
  ctx.extra_headers["X-RateLimit-Limit"] = tostring(limit)
  ctx.extra_headers["X-RateLimit-Remaining"] = tostring(remaining < 0 and 0 or remaining)
  if remaining < 0 then
    local retry = (window + 1) * 60 - math.floor(ngx.now())
    ctx.extra_headers["Retry-After"] = tostring(retry)
    ctx.extra_headers["X-RateLimit-Reset"] = tostring((window + 1) * 60)
    return 429, { message = "Too Many Attempts." }
  end
end

local function dispatch_mailersend(ctx)
  if ctx.auth_scheme ~= "bearer" or not auth.mailersend(ctx.auth_user) then
    return 401, { message = "Unauthenticated." }
  end
  local st, b = rate_limit(ctx)
  if st then return st, b end
  if ctx.body_error then
    return 400, { message = "The request body is not valid JSON." }
  end
  local h, params = ms_router:match(ctx.method, ctx.path)
  if h then
    ctx.params = params
    ctx.extra_headers["X-Sandbox-Route"] = "stateful"
    return h(ctx)
  end
  ctx.extra_headers["X-Sandbox-Route"] = "generic"
  local s, bd, hd = generic.mailersend(ctx)
  if s then return s, bd, hd end
  ctx.extra_headers["X-Sandbox-Route"] = "none"
  if bd == true then return 405, { message = "The method is not supported for this route." } end
  return 404, { message = "Resource not found." }
end

function _M.handle()
  local method = ngx.req.get_method()
  local path = ngx.var.uri
  if path == "/sandbox" or path:sub(1, 9) == "/sandbox/" then
    return require("sandbox.control").handle(method, path)
  end
  local headers = ngx.req.get_headers(200)
  local early = faults.peek_before(method, path, provider_of(method, path, (auth.parse(headers.authorization))))
  if early then
    -- drop = "before": close before reading the body; kept in the log
    store.requests[#store.requests + 1] = { id = store.next_id(), time = ngx.now(), method = method,
      path = path, status = "dropped before reading", fault = early.id }
    return ngx.exit(444)
  end
  local raw = body.read()
  local parsed, perr = body.parse(raw, headers["content-type"])
  local ctx = {
    method = method, path = path, headers = headers,
    query = ngx.req.get_uri_args(200),
    body = parsed or { fields = {}, order = {}, files = {}, raw = raw },
    body_error = perr,
    params = {},
    extra_headers = {},
  }
  local scheme, a, b = auth.parse(headers.authorization)
  ctx.auth_scheme, ctx.auth_user, ctx.auth_pass = scheme, a, b
  ctx.provider = provider_of(method, path, scheme)
  local rec = record(ctx)

  -- the reference as the oracle: a request that breaks it gets the 400 the
  -- real API would give, and is kept in /sandbox/violations. Hand-made
  -- requests of the sandbox's own specs say "X-Sandbox-Oracle: off".
  if headers["x-sandbox-oracle"] ~= "off" then
    local problems, route = oracle.check(ctx)
    if problems[1] then
      local v = { request = rec.id, method = method, path = path, provider = ctx.provider,
        operation = route.method .. " " .. route.path, problems = problems,
        user_agent = headers["user-agent"] }
      store.violations[#store.violations + 1] = v
      rec.violations, rec.status = problems, 400
      local msg = "request does not follow the API reference (" .. v.operation .. "): "
        .. table.concat(problems, "; ")
      return respond.send(400, { message = msg, violations = problems },
        { ["X-Sandbox-Route"] = "oracle" })
    end
  end

  local fault = faults.take(method, path, ctx.provider)
  if fault then
    rec.fault = fault.id
    if fault.delay_ms and fault.delay_ms > 0 then ngx.sleep(fault.delay_ms / 1000) end
    if fault.drop == true then
      rec.status = "dropped"
      return ngx.exit(444)
    end
    if fault.status then
      rec.status = fault.status
      return respond.fault(ctx, fault)
    end
  end

  local ok, status, res_body, res_headers = pcall(function()
    if ctx.provider == "mailersend" then return dispatch_mailersend(ctx) end
    if perr and ctx.body.raw ~= "" then
      return 400, { message = "could not parse the request body: " .. tostring(perr) }
    end
    return dispatch_mailgun(ctx)
  end)
  if not ok then
    ngx.log(ngx.ERR, "sandbox handler error: ", status)
    status, res_body, res_headers = 500, { message = "sandbox internal error: " .. tostring(status) }, nil
  end
  rec.status = status
  for k, v in pairs(ctx.extra_headers) do
    res_headers = res_headers or {}
    if res_headers[k] == nil then res_headers[k] = v end
  end
  if fault and fault.drop == "after" then
    rec.status = "dropped after " .. tostring(status)
    return ngx.exit(444)
  end
  if fault and fault.truncate then
    return respond.truncated(status, res_body, res_headers)
  end
  return respond.send(status, res_body, res_headers)
end

return _M

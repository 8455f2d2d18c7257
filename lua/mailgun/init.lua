-- The Mailgun client:
--   local mailgun = require("mailgun")
--   local client = mailgun.new{api_key = "...", domain = "example.com", region = "eu"}
--   local res, err = client.messages:send{from = ..., to = ..., subject = ..., text = ...}
-- Every resource (client.domains, client.bounces, client.lists, ...) is
-- declared as data in mailgun/resources/ and run by the shared engine.
require("mailgun.engine.native") -- a clear error now when the C core is missing (loaded on first use)
local request = require("mailgun.engine.request")
local base = require("mailgun.engine.client")
local transports = require("mailgun.engine.transport")
local options = require("mailgun.engine.options")
local resource_names = require("mailgun.resources")
local base64 = require("mailgun.engine.base64")

local type, error, ipairs, pairs, setmetatable, tostring, require, rawset =
  type, error, ipairs, pairs, setmetatable, tostring, require, rawset
local find = string.find

local _M = { _NAME = "mailgun", _VERSION = require("mailgun.engine.version") }

local REGIONS = {
  us = { base = "https://api.mailgun.net", storage = "https://storage-us-east4.api.mailgun.net" },
  eu = { base = "https://api.eu.mailgun.net", storage = "https://storage-europe-west1.api.mailgun.net" },
}
_M.REGIONS = REGIONS

-- Booleans of names the reference does not declare (its wire facts decide
-- the others, see engine/wire.lua): o: and t: options take yes/no.
local function bool(v, key)
  if key and key:match("^[ot]:") then return v and "yes" or "no" end
  return v and "true" or "false"
end

-- option -> expected type (see mailgun/engine/options.lua: the one rule)
_M.OPTIONS = {
  api_key = "string", domain = "string", region = "string", base_url = "string",
  storage_url = "string", timeout = "number", connect_timeout = "number", retries = "number",
  subaccount = "string", user_agent = "string", transport = "table", verify = "boolean",
  cafile = "string", capath = "string", proxy = "string", backoff = "table", max_body = "number",
  deadline = "number", signing_key = "string",
}
_M.OPTION_HINTS = { token = "the API key goes in 'api_key'", key = "the API key goes in 'api_key'" }

-- The options of messages:send and messages:send_mime (engine call options).
local CALL = options.CALL

local specs = base.specs_loader("mailgun.resources.", resource_names)

-- Every declared endpoint: {resource=, name=, method=, path=, deprecated=}.
function _M.endpoints()
  return request.list_endpoints(specs())
end

local function find_endpoint(spec, name)
  for _, ep in ipairs(spec.endpoints) do
    if ep.name == name then return ep end
  end
  error("mailgun.resources." .. spec.name .. " declares no '" .. name .. "' endpoint")
end

-- Hand-written methods of the messages resource: the friendly send (self
-- is the client's view of the resource: self._engine).
local function message_methods(spec)
  local message = require("mailgun.message") -- with the messages resource, not with require("mailgun")
  local send_ep = find_endpoint(spec, "send")
  local mime_ep = find_endpoint(spec, "send_mime")
  local SEND, MIME = { label = "messages:send" }, { label = "messages:send_mime" }
  local extra = {}
  local NO_PARAMS = {} -- never changed: the engine copies before it takes out
  -- client.messages:send(msg[, opts]) -> {id=, message=} | nil, err
  function extra.send(self, msg, opts)
    if opts ~= nil then options.check(opts, CALL, "messages:send", { argn = 2 }) end
    if opts == nil then opts = SEND elseif opts.label == nil then opts.label = SEND.label end
    -- the common message, checked and encoded in one C call
    local form = message.simple_form(msg)
    if form then return self._engine:call(send_ep, NO_PARAMS, opts, form) end
    local params, err = message.to_params(msg)
    if not params then return nil, err end
    if type(msg.domain) == "string" then params.domain_name = msg.domain end
    return self._engine:call(send_ep, params, opts)
  end
  -- client.messages:send_async(msg[, opts], callback) -> handle: submitted
  -- to the engine's loop at once, no task (see Engine:call_async)
  function extra.send_async(self, ...)
    local callback, msg, opts = request.split_callback(...)
    request.check_callback(callback, select("#", ...), "messages:send_async")
    if opts ~= nil then options.check(opts, CALL, "messages:send_async", { argn = 2 }) end
    if opts == nil then opts = SEND elseif opts.label == nil then opts.label = SEND.label end
    local form = message.simple_form(msg)
    if form then
      return self._engine:call_async(send_ep, NO_PARAMS, opts, callback, "messages:send_async", form)
    end
    local params, err = message.to_params(msg)
    if not params then return request.failed(callback, err) end
    if type(msg.domain) == "string" then params.domain_name = msg.domain end
    return self._engine:call_async(send_ep, params, opts, callback, "messages:send_async")
  end
  -- client.messages:send_mime{to=, message = mime_text | {path=}, ...options}
  function extra.send_mime(self, msg, opts)
    if opts ~= nil then options.check(opts, CALL, "messages:send_mime", { argn = 2 }) end
    local params, err = message.to_params(msg, { mime = true })
    if not params then return nil, err end
    if type(msg.domain) == "string" then params.domain_name = msg.domain end
    if opts == nil then opts = MIME elseif opts.label == nil then opts.label = MIME.label end
    return self._engine:call(mime_ep, params, opts)
  end
  return extra
end

-- client.logs:follow{...} / client.events:follow{...} (mailgun/follow.lua)
-- and their follow_async(args, on_event) -> task (engine/follow.lua).
local function follow_methods(spec)
  local name = spec.name
  local ep = find_endpoint(spec, name == "logs" and "query" or "list")
  local methods = {}
  function methods.follow(self, args)
    return require("mailgun.follow")[name](self._engine, ep, args)
  end
  function methods.follow_async(self, args, on_event)
    return require("mailgun.engine.follow").spawn(methods.follow, self, args, on_event)
  end
  return methods
end

local Client = base.class("mailgun.resources.", resource_names, function(spec)
  if spec.name == "messages" then return message_methods(spec) end
  if spec.name == "logs" or spec.name == "events" then return follow_methods(spec) end
end)

-- The engine's callbacks, shared by every client: engine.data holds the
-- client's domain, region and base URL.
local function is_domain_path(path)
  return find(path, "/domains/{name}", 1, true) ~= nil
end

local function fill(name, path, engine)
  if find(path, "^/v2/x509/") then return nil end -- wants the tracking host
  if name == "domain" or name == "domain_name" then return engine.data.domain end
  if name == "name" and is_domain_path(path) then return engine.data.domain end
  return nil
end

-- {domain_name} and the {name} of domain paths also read `domain`
local function alias(name, path)
  if name == "domain_name" then return "domain" end
  if name == "name" and is_domain_path(path) then return "domain" end
  if name == "domain" then return "domain_name" end
  return nil
end

local function on_error(err, ep, _, engine)
  local path = ep and ep.path or ""
  local data = engine.data
  if err.status == 401 then
    err.message = err.message .. " (check the API key: Mailgun wants the private API key"
      .. " (api_key), not the public or a webhook signing key; then check the region: this client"
      .. " uses '" .. data.region .. "' (" .. data.base_url .. "))"
  elseif err.status == 404 and (find(path, "{domain", 1, true) or is_domain_path(path)) then
    err.message = err.message .. " (check the region: this client uses '" .. data.region
      .. "' (" .. data.base_url .. "); a domain lives in one region only)"
  end
end

-- mailgun.new{api_key=, domain=, region="us"|"eu", base_url=, storage_url=,
--   timeout= (seconds), connect_timeout=, retries=, subaccount=,
--   user_agent=, transport=, verify=, cafile=, proxy=, backoff=, max_body=,
--   deadline= (seconds for a whole call, retries included), signing_key=
--   (only to keep it out of errors)} (defaults: mailgun.engine.defaults)
function _M.new(opts)
  options.check(opts, _M.OPTIONS, "mailgun.new", { hints = _M.OPTION_HINTS })
  if opts.api_key == nil then
    error("bad argument 'opts.api_key' to 'mailgun.new' (string expected, got nil)", 2)
  end
  local region = REGIONS[opts.region or "us"]
  if not region then
    error("bad argument 'opts.region' to 'mailgun.new' ('us' or 'eu' expected, got '"
      .. tostring(opts.region) .. "')", 2)
  end
  local base_url = opts.base_url or region.base
  if find(base_url, "/v", 1, true) and base_url:match("/v%d+/?$") then
    error("bad argument 'opts.base_url' to 'mailgun.new' (no version in the base URL: paths carry"
      .. " their own /v3, /v4 ...)", 2)
  end
  local user_agent = opts.user_agent or ("mailgun-lua/" .. _M._VERSION)
  local transport = opts.transport or transports.default({
    timeout = opts.timeout, connect_timeout = opts.connect_timeout, verify = opts.verify,
    cafile = opts.cafile, capath = opts.capath, proxy = opts.proxy, user_agent = user_agent,
    max_body = opts.max_body,
  })
  local auth = base64.basic_auth("api", opts.api_key)
  local headers = {
    Authorization = auth,
    ["User-Agent"] = user_agent,
    Accept = "application/json",
  }
  if opts.subaccount then headers["X-Mailgun-On-Behalf-Of"] = opts.subaccount end
  local domain = opts.domain
  local region_name = opts.region or "us"

  local engine = request.new({
    provider = "mailgun",
    base_url = base_url,
    storage_url = opts.storage_url or (opts.base_url or region.storage),
    headers = headers,
    transport = transport,
    retries = opts.retries,
    timeout = opts.timeout,
    deadline = opts.deadline,
    backoff = opts.backoff,
    secrets = { opts.api_key, auth:sub(7), opts.signing_key },
    bool = bool,
    reference = "mailgun.resources._reference", -- loaded with the first request
    fill = fill,
    alias = alias,
    on_error = on_error,
    data = { domain = domain, region = region_name, base_url = base_url },
  })

  return base.new({ engine = engine, transport = transport, domain = domain,
                    region = region_name, base_url = base_url }, Client)
end

-- Non-blocking use (see mailgun/engine/scheduler.lua):
--   client.messages:send_async(msg, function(res, err) ... end)
--   client:async().bounces:list({limit = 10}, callback)  -> handle:cancel()
--   mailgun.spawn(function() local res, err = client.messages:send(msg) end)
--   mailgun.poll(0)   -- from the host's loop, each frame: never blocks
-- poll(timeout_ms[, budget_ms]) -> number of completions (budget_ms bounds
-- the callback work of one call; the rest waits for the next poll);
-- spawn(fn, ...) -> task; run([timeout]) finishes every task (blocking);
-- pending() -> requests and tasks left.
function _M.poll(timeout_ms, budget_ms)
  return require("mailgun.engine.scheduler").step(timeout_ms, budget_ms)
end

function _M.spawn(fn, ...)
  return require("mailgun.engine.scheduler").spawn(fn, ...)
end

function _M.run(timeout)
  return require("mailgun.engine.scheduler").run(timeout)
end

function _M.pending()
  local scheduler = require("mailgun.engine.scheduler")
  return scheduler.pending() + require("mailgun.engine.async").pending_all(true)
end

-- SMTP submission with the message table of messages:send (mailgun/smtp.lua).
function _M.smtp(opts)
  return require("mailgun.smtp").new(opts)
end

-- A batch of one message to many recipients (see mailgun/batch.lua).
function Client:batch(msg)
  return require("mailgun.batch").new(self, msg)
end

_M.webhooks = setmetatable({}, { __index = function(t, k)
  local m = require("mailgun.webhooks")
  for kk, v in pairs(m) do rawset(t, kk, v) end
  return m[k]
end })

-- mailgun.inbound.parse{content_type=, body= | reader=, signing_key=, ...} -> msg | nil, err
_M.inbound = setmetatable({}, { __index = function(t, k)
  local v = require("mailgun.inbound")[k]
  rawset(t, k, v)
  return v
end })

return _M

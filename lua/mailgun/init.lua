-- The Mailgun client:
--   local mailgun = require("mailgun")
--   local client = mailgun.new{api_key = "...", domain = "example.com", region = "eu"}
--   local res, err = client.messages:send{from = ..., to = ..., subject = ..., text = ...}
-- Every resource (client.domains, client.bounces, client.lists, ...) is
-- declared as data in mailgun/resources/ and run by the shared engine.
local request = require("mailgun.request")
local transports = require("mailgun.transport")
local message = require("mailgun.message")
local resource_names = require("mailgun.resources")

local type, error, ipairs, pairs, setmetatable, tostring, require =
  type, error, ipairs, pairs, setmetatable, tostring, require

local _M = { _NAME = "mailgun", _VERSION = "0.1.0" }

local REGIONS = {
  us = { base = "https://api.mailgun.net", storage = "https://storage-us-east4.api.mailgun.net" },
  eu = { base = "https://api.eu.mailgun.net", storage = "https://storage-europe-west1.api.mailgun.net" },
}
_M.REGIONS = REGIONS

-- Form booleans: Mailgun's send options and list flags take yes/no.
local YESNO = { subscribed = true, upsert = true, active = true }
local function bool(v, key)
  if key and (key:match("^[ot]:") or YESNO[key]) then return v and "yes" or "no" end
  return v and "true" or "false"
end

local function check_arg(opts, name, expected, required)
  local v = opts[name]
  if v == nil then
    if required then error("bad argument 'opts." .. name .. "' to 'mailgun.new' (" .. expected
      .. " expected, got nil)", 3) end
    return
  end
  if type(v) ~= expected then
    error("bad argument 'opts." .. name .. "' to 'mailgun.new' (" .. expected .. " expected, got "
      .. type(v) .. ")", 3)
  end
end

local Client = {}
Client.__index = Client

local specs_cache
local function specs()
  if not specs_cache then
    specs_cache = {}
    for i, name in ipairs(resource_names) do
      specs_cache[i] = require("mailgun.resources." .. name)
    end
  end
  return specs_cache
end

-- Every declared endpoint: {resource=, name=, method=, path=, deprecated=}.
function _M.endpoints()
  return request.list_endpoints(specs())
end

local function find_endpoint(spec, method, path)
  for _, ep in ipairs(spec.endpoints) do
    if ep.method == method and ep.path == path then return ep end
  end
end

-- Hand-written methods of the messages resource: the friendly send.
local function message_methods(engine, spec)
  local send_ep = find_endpoint(spec, "POST", "/v3/{domain}/messages")
  local mime_ep = find_endpoint(spec, "POST", "/v3/{domain}/messages.mime")
  local extra = {}
  -- client.messages:send(msg[, opts]) -> {id=, message=} | nil, err
  function extra.send(_, msg, opts)
    local params, err = message.to_params(msg)
    if not params then return nil, err end
    if type(msg.domain) == "string" then params.domain = msg.domain end
    opts = opts or {}
    opts.label = opts.label or "messages:send"
    return engine:call(send_ep, params, opts)
  end
  -- client.messages:send_mime{to=, message = mime_text | {path=}, ...options}
  function extra.send_mime(_, msg, opts)
    local params, err = message.to_params(msg, { mime = true })
    if not params then return nil, err end
    if type(msg.domain) == "string" then params.domain = msg.domain end
    opts = opts or {}
    opts.label = opts.label or "messages:send_mime"
    return engine:call(mime_ep, params, opts)
  end
  return extra
end

-- mailgun.new{api_key=, domain=, region="us"|"eu", base_url=, storage_url=,
--   timeout= (seconds), connect_timeout=, retries=, subaccount=,
--   user_agent=, transport=, verify=, cafile=, proxy=, backoff=}
function _M.new(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'mailgun.new' (table expected, got " .. type(opts) .. ")", 2)
  end
  check_arg(opts, "api_key", "string", true)
  check_arg(opts, "domain", "string")
  check_arg(opts, "region", "string")
  check_arg(opts, "base_url", "string")
  check_arg(opts, "subaccount", "string")
  check_arg(opts, "user_agent", "string")
  check_arg(opts, "transport", "table")
  local region = REGIONS[opts.region or "us"]
  if not region then
    error("bad argument 'opts.region' to 'mailgun.new' ('us' or 'eu' expected, got '"
      .. tostring(opts.region) .. "')", 2)
  end
  local base_url = opts.base_url or region.base
  if base_url:match("/v%d+/?$") then
    error("bad argument 'opts.base_url' to 'mailgun.new' (no version in the base URL: paths carry"
      .. " their own /v3, /v4 ...)", 2)
  end
  local user_agent = opts.user_agent or ("mailgun-lua/" .. _M._VERSION)
  local transport = opts.transport or transports.default({
    timeout = opts.timeout, connect_timeout = opts.connect_timeout, verify = opts.verify,
    cafile = opts.cafile, capath = opts.capath, proxy = opts.proxy, user_agent = user_agent,
    max_body = opts.max_body,
  })
  local core = require("mailgun.core")
  local headers = {
    Authorization = core.basic_auth("api", opts.api_key),
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
    backoff = opts.backoff,
    secrets = { opts.api_key, headers.Authorization:sub(7) },
    bool = bool,
    fill = function(name, path)
      if name == "domain" or name == "domain_name" then return domain end
      if name == "name" and path:find("/domains/{name}", 1, true) then return domain end
      return nil
    end,
    on_error = function(err, ep)
      local path = ep and ep.path or ""
      if (err.status == 401 or err.status == 404) and
         (path:find("{domain}", 1, true) or path:find("/domains/{name}", 1, true)) then
        err.message = err.message .. " (check the region: this client uses '" .. region_name
          .. "' (" .. base_url .. "); a domain lives in one region only)"
      end
    end,
  })

  local client = setmetatable({ engine = engine, transport = transport, domain = domain,
                                region = region_name, base_url = base_url }, Client)
  for _, spec in ipairs(specs()) do
    local extra = spec.name == "messages" and message_methods(engine, spec) or nil
    client[spec.name] = request.resource(engine, spec, extra)
  end
  return client
end

-- A batch of one message to many recipients (see mailgun/batch.lua).
function Client:batch(msg)
  return require("mailgun.batch").new(self, msg)
end

-- A request to any endpoint, authenticated: client:request("GET", "/v3/x", params)
function Client:request(method, path, params, opts)
  if type(method) ~= "string" then error("bad argument #1 to 'request' (string expected)", 2) end
  if type(path) ~= "string" then error("bad argument #2 to 'request' (string expected)", 2) end
  local ep = { name = "request", method = method:upper(), path = path,
               encoding = opts and opts.encoding, paging = opts and opts.paging }
  if path:match("^https?://") then
    opts = opts or {}
    opts.url = path
  end
  return self.engine:call(ep, params, opts)
end

-- The client's non-blocking loop (C core multi), or nil when the client
-- runs on a transport that is not the curl one.
function Client:loop()
  if self._loop then return self._loop end
  if self.transport.name ~= "curl" then return nil end
  self._loop = require("mailgun.async").new(self.transport.options)
  return self._loop
end

function Client:close()
  if self._loop then self._loop:close(); self._loop = nil end
  if self.transport.close then self.transport:close() end
end

_M.webhooks = setmetatable({}, { __index = function(t, k)
  local m = require("mailgun.webhooks")
  for kk, v in pairs(m) do rawset(t, kk, v) end
  return m[k]
end })

return _M

-- The MailerSend client:
--   local mailersend = require("mailersend")
--   local client = mailersend.new{token = "mlsn...."}
--   local res, err = client.email:send{from = ..., to = ..., subject = ..., text = ...}
--   print(res.message_id, res.send_paused, res.warnings)
-- Every resource (client.domains, client.templates, client.sms, ...) is
-- declared as data in mailersend/resources/ and run by the engine shared
-- with the Mailgun client: same transports, same error shape.
require("mailgun.engine.native") -- a clear error now when the C core is missing (loaded on first use)
local request = require("mailgun.engine.request")
local base = require("mailgun.engine.client")
local errors = require("mailgun.engine.errors")
local dates = require("mailgun.engine.dates")
local transports = require("mailgun.engine.transport")
local options = require("mailgun.engine.options")
local email = require("mailersend.email")
local resource_names = require("mailersend.resources")

local type, error, ipairs, pairs, setmetatable, rawset, tonumber, require =
  type, error, ipairs, pairs, setmetatable, rawset, tonumber, require
local max = math.max

local _M = { _NAME = "mailersend", _VERSION = require("mailgun.engine.version") }

_M.BASE_URL = "https://api.mailersend.com/v1"
_M.PAGE_LIMITS = { min = 10, max = 100 }

-- option -> expected type; anything else is refused (a typo is a bug).
_M.OPTIONS = {
  token = "string", base_url = "string", timeout = "number", connect_timeout = "number",
  retries = "number", user_agent = "string", transport = "table", verify = "boolean",
  cafile = "string", capath = "string", proxy = "string", backoff = "table", max_body = "number",
  deadline = "number",
}
_M.OPTION_HINTS = { api_key = "the API token goes in 'token'", key = "the API token goes in 'token'" }

local specs = base.specs_loader("mailersend.resources.", resource_names)

-- Every declared endpoint: {resource=, name=, method=, path=}.
function _M.endpoints()
  return request.list_endpoints(specs())
end

local function header(headers, name)
  return errors.header(headers, name)
end

local function headers_of(x)
  if errors.is_error(x) then return x.headers end
  local meta = request.meta(x)
  return meta and meta.headers
end

-- The rate-limit and quota headers of a result or an error:
-- {limit=, remaining=, reset= (per-minute X-RateLimit-*), quota_remaining=,
--  quota_reset= (daily X-ApiQuota-*, reset as the ISO 8601 text),
--  request_id=}; fields are nil when the answer did not carry them.
function _M.limits(x)
  if type(x) ~= "table" then
    error("bad argument #1 to 'mailersend.limits' (result or error expected, got " .. type(x) .. ")", 2)
  end
  local h = headers_of(x) or {}
  local function num(name) return tonumber(header(h, name) or "") end
  return {
    limit = num("x-ratelimit-limit"),
    remaining = num("x-ratelimit-remaining"),
    reset = num("x-ratelimit-reset"),
    quota_remaining = num("x-apiquota-remaining"),
    quota_reset = header(h, "x-apiquota-reset"),
    request_id = header(h, "x-request-id"),
  }
end

-- Explains MailerSend errors (err.code from "#MS..." in the text): a 429 is the per-minute limit (retried after
-- Retry-After by the engine) or the daily quota (#MS42901 or
-- X-ApiQuota-Remaining: 0; not worth a retry before the quota resets).
-- The engine's on_error, shared by every client.
local function explain(err, _, _, engine)
  local transport = engine.transport
  local function now()
    return transport.now and transport:now() or os.time()
  end
  local h = err.headers
  -- MailerSend's error codes ("... #MS42225") as err.code
  if err.code == nil and type(err.message) == "string" then err.code = err.message:match("#(MS%d+)") end
  if err.status == 429 then
    local remaining = tonumber(header(h, "x-apiquota-remaining") or "")
    if err.code == "MS42901" or remaining == 0 then
      err.quota = "daily"
      err.retryable = false
      local reset = header(h, "x-apiquota-reset")
      local at = reset and dates.to_epoch(reset)
      if at then err.retry_after = max(0, at - now()) end
      err.message = err.message .. " (the daily API quota is used up; it resets "
        .. (reset and ("at " .. reset) or "at midnight UTC") .. ")"
    else
      err.quota = "minute"
    end
  elseif err.status == 422 and (err.raw_body or "") == "" then
    err.message = err.message .. " (MailerSend sent no details; an unverified sending domain is"
      .. " one known cause)"
  end
end

-- A copy of the call options (checked: mailgun/engine/options.lua) with a label.
local function copy_opts(opts, label)
  if opts ~= nil then options.check(opts, options.CALL, label, { argn = 2, level = 3 }) end
  local o = { label = label }
  if opts then
    for k, v in pairs(opts) do o[k] = v end
    o.label = opts.label or label
  end
  return o
end

local function find_endpoint(spec, name)
  for _, ep in ipairs(spec.endpoints) do
    if ep.name == name then return ep end
  end
  error("mailersend.resources." .. spec.name .. " declares no '" .. name .. "' endpoint")
end

-- Copies the id header of a 202 into a real field of the result.
local function with_id(res, header_name)
  res.message_id = header(request.meta(res).headers, header_name)
  return res
end

-- Hand-written methods of some resources, shared by every client (self is
-- the client's view of the resource: self._engine, self._client).
local function extras(spec)
  if spec.name == "activity" then
    local ep = find_endpoint(spec, "list")
    -- client.activity:follow{domain_id=, ...}: see mailersend/follow.lua
    local methods = {}
    function methods.follow(self, args) return require("mailersend.follow").activity(self._engine, ep, args) end
    -- client.activity:follow_async(args, on_event) -> task (see engine/follow.lua)
    function methods.follow_async(self, args, on_event)
      return require("mailgun.engine.follow").spawn(methods.follow, self, args, on_event)
    end
    return methods
  end
  if spec.name == "email" then
    local send_ep = find_endpoint(spec, "send")
    local SEND = { label = "email:send" }
    local NO_PARAMS = {} -- never changed: the engine copies before it takes out
    return {
      -- client.email:send(msg[, opts]) -> {message_id=, send_paused=, warnings=} | nil, err
      send = function(self, msg, opts)
        opts = opts == nil and SEND or copy_opts(opts, "email:send")
        -- the common message, checked and encoded in one C call
        local encoded = email.simple_json(msg)
        local res, serr
        if encoded then
          res, serr = self._engine:call(send_ep, NO_PARAMS, opts, encoded)
        else
          local body, err = email.to_body(msg, 2, "email:send")
          if not body then return nil, err end
          res, serr = self._engine:call(send_ep, { body = body }, opts)
        end
        if not res then return nil, serr end
        local headers = request.meta(res).headers
        res.message_id = header(headers, "x-message-id")
        local paused = header(headers, "x-send-paused")
        res.send_paused = paused == "true" or paused == "1"
        return res
      end,
      -- client.email:send_bulk(list[, opts]) -> report (see mailersend/bulk.lua)
      send_bulk = function(self, list, opts)
        local bulk = require("mailersend.bulk")
        if opts ~= nil then options.check(opts, bulk.OPTIONS, "email:send_bulk", { argn = 2 }) end
        if type(list) == "table" then email.check_fields(list, 2, "email:send_bulk") end
        return bulk.send(self._client, list, opts)
      end,
      -- client.email:reconcile_bulk(report, {domain_id=, settle=}) -> report, settled
      reconcile_bulk = function(self, report, opts)
        return require("mailersend.bulk").reconcile(self._client, report, opts)
      end,
    }
  elseif spec.name == "bulk" then
    local send_ep = find_endpoint(spec, "send")
    return {
      -- client.bulk:send(list[, opts]): one call of at most 500 friendly
      -- messages -> {bulk_email_id=, message=} | nil, err
      send = function(self, list, opts)
        opts = copy_opts(opts, "bulk:send")
        if type(list) == "table" then email.check_fields(list, 2, "bulk:send") end
        local bodies, err = email.to_bodies(list, email.MAX_BULK, 2, "bulk:send")
        if not bodies then return nil, err end
        return self._engine:call(send_ep, { body = bodies }, opts)
      end,
      -- client.bulk:wait(id, {interval=, timeout=, progress=}) -> final status | nil, err
      wait = function(self, id, opts)
        return require("mailersend.bulk").wait(self._client, id, opts)
      end,
    }
  elseif spec.name == "sms" then
    local send_ep = find_endpoint(spec, "send")
    return {
      -- client.sms:send{from=, to={...}, text=} -> {message_id=} | nil, err
      send = function(self, params, opts)
        if type(params) ~= "table" then
          error("bad argument #1 to 'sms:send' (table expected, got " .. type(params) .. ")", 2)
        end
        local res, err = self._engine:call(send_ep, params, copy_opts(opts, "sms:send"))
        if not res then return nil, err end
        return with_id(res, "x-sms-message-id")
      end,
    }
  end
end

local Client = base.class("mailersend.resources.", resource_names, extras)

local function check_options(opts)
  options.check(opts, _M.OPTIONS, "mailersend.new", { hints = _M.OPTION_HINTS, level = 3 })
  if opts.token == nil or opts.token == "" then
    error("bad argument 'opts.token' to 'mailersend.new' (the API token is required)", 3)
  end
  if opts.token:find("[%s%c]") then
    error("bad argument 'opts.token' to 'mailersend.new' (the token contains spaces or control"
      .. " characters)", 3)
  end
  if opts.base_url and not opts.base_url:match("^https?://[^/]") then
    error("bad argument 'opts.base_url' to 'mailersend.new' (an http(s):// URL expected)", 3)
  end
  if opts.base_url and not opts.base_url:match("/v%d+/?$") then
    error("bad argument 'opts.base_url' to 'mailersend.new' (the API's base URL ends in its"
      .. " version, e.g. https://api.mailersend.com/v1)", 3)
  end
end

-- mailersend.new{token=, base_url= (default https://api.mailersend.com/v1),
--   timeout= (seconds), connect_timeout=, retries=, user_agent=, transport=,
--   verify=, cafile=, capath=, proxy=, backoff=, max_body=, deadline= (seconds
--   for a whole call, retries included)} (defaults: mailgun.engine.defaults)
function _M.new(opts)
  check_options(opts)
  local base_url = opts.base_url or _M.BASE_URL
  local user_agent = opts.user_agent or ("mailersend-lua/" .. _M._VERSION)
  local transport = opts.transport or transports.default({
    timeout = opts.timeout, connect_timeout = opts.connect_timeout, verify = opts.verify,
    cafile = opts.cafile, capath = opts.capath, proxy = opts.proxy, user_agent = user_agent,
    max_body = opts.max_body,
  })
  local engine = request.new({
    provider = "mailersend",
    base_url = base_url,
    headers = {
      Authorization = "Bearer " .. opts.token,
      ["User-Agent"] = user_agent,
      Accept = "application/json",
    },
    transport = transport,
    retries = opts.retries,
    timeout = opts.timeout,
    deadline = opts.deadline,
    backoff = opts.backoff,
    secrets = { opts.token },
    page_limits = _M.PAGE_LIMITS,
    list_suffix = "[]",
    reference = "mailersend.resources._reference", -- loaded with the first request
    on_error = explain,
  })
  return base.new({ engine = engine, transport = transport, base_url = base_url }, Client)
end

-- client:limits(res_or_err): as mailersend.limits.
function Client.limits(_, x)
  return _M.limits(x)
end

-- mailersend.webhooks.verify{secret=, signature=, body=} -> true | false, reason
-- mailersend.webhooks.dedupe(ttl) -> function(payload) -> true the first time
-- mailersend.webhooks.TEST_SECRET: the public secret of webhook.test pings
-- SMTP submission with the message table of email:send (mailersend/smtp.lua).
function _M.smtp(opts)
  return require("mailersend.smtp").new(opts)
end

_M.webhooks = setmetatable({}, { __index = function(t, k)
  local v = require("mailersend.webhooks")[k]
  rawset(t, k, v)
  return v
end })

-- mailersend.inbound.parse{body=, secret=, signature=, ...} -> msg | nil, err
_M.inbound = setmetatable({}, { __index = function(t, k)
  local v = require("mailersend.inbound")[k]
  rawset(t, k, v)
  return v
end })

return _M

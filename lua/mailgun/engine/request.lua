-- The engine shared by both clients: turns an endpoint description (data,
-- see docs/internals.md) and one argument table into an HTTP request, sends
-- it through a transport, retries what is safe to retry, and decodes the
-- answer into a result or nil, err. It never names a provider: everything
-- provider-specific arrives in the configuration.
local json = require("mailgun.engine.json")
local url = require("mailgun.engine.url")
local errors = require("mailgun.engine.errors")
local wire = require("mailgun.engine.wire")
local mime = require("mailgun.engine.mime")
local defaults = require("mailgun.engine.defaults")
local files = require("mailgun.engine.files")

local options = require("mailgun.engine.options")

local type, pairs, ipairs, tostring, setmetatable, getmetatable, error, next, select =
  type, pairs, ipairs, tostring, setmetatable, getmetatable, error, next, select
local random, min, max = math.random, math.min, math.max
local sort = table.sort
local loaded = package.loaded

local _M = { _VERSION = require("mailgun.engine.version") }

local Engine = {}
Engine.__index = Engine

local ENCODINGS = { query = true, multipart = true, urlencoded = true, json = true, raw = true }
local IDEMPOTENT = { GET = true, HEAD = true, PUT = true, DELETE = true, OPTIONS = true }
-- failures where the request provably never reached the server
local NEVER_SENT = { connect = true, resolve = true, proxy = true }

_M.ENCODINGS = ENCODINGS

-- cfg: base_url, storage_url, headers, transport, retries (3), timeout
-- (seconds, one attempt; default 30), deadline (seconds, one call across
-- every attempt and wait; default 120), backoff = {base=0.5, max=20, max_wait=60}, fill(name, path)
-- for default placeholder values, bool(value, key) for form booleans,
-- provider (name used in errors), secrets (strings never to show),
-- on_error(err, endpoint, req) to classify or explain errors (it may set
-- err.retryable = false), page_limits = {min=, max=} for "page" paging,
-- list_suffix ("[]": a list in the query string goes as name[]=a&name[]=b),
-- reference ("METHOD path" -> wire facts, see engine/wire.lua).
function _M.new(cfg)
  if type(cfg.transport) ~= "table" then
    error("bad argument 'transport' (table expected)", 2)
  end
  local e = setmetatable({
    base_url = (cfg.base_url or ""):gsub("/+$", ""),
    storage_url = cfg.storage_url and cfg.storage_url:gsub("/+$", ""),
    headers = cfg.headers or {},
    transport = cfg.transport,
    retries = cfg.retries == nil and 3 or cfg.retries,
    timeout = cfg.timeout or defaults.timeout,
    deadline = cfg.deadline or defaults.deadline,
    backoff = cfg.backoff or {},
    fill = cfg.fill,
    bool = cfg.bool,
    provider = cfg.provider or "client",
    secrets = cfg.secrets,
    on_error = cfg.on_error,
    page_limits = cfg.page_limits, -- {min=, max=} for the "page" paging style
    list_suffix = cfg.list_suffix,
    alias = cfg.alias, -- alias(placeholder, path) -> another accepted field name
    reference = cfg.reference,
  }, Engine)
  return e
end

-- Results ------------------------------------------------------------------

local function result_of(body_table, res)
  local meta = { status = res.status, headers = res.headers }
  return setmetatable(body_table, { __index = meta, __meta = meta })
end

-- {status=, headers=} of a result returned by the engine.
function _M.meta(res)
  local mt = type(res) == "table" and getmetatable(res)
  return mt and mt.__meta or nil
end

local function decode_body(res)
  local body = res.body or ""
  if body == "" then return {} end
  local ct = errors.header(res.headers, "content-type") or ""
  local first = body:match("^%s*(.)")
  if ct:find("json", 1, true) or first == "{" or first == "[" then
    local t = json.decode(body)
    if type(t) == "table" then return t end
  end
  return { body = body }, true -- true: not JSON
end

-- Building a request ------------------------------------------------------

local function is_file(v)
  return type(v) == "table" and v[1] == nil and (type(v.path) == "string" or type(v.data) == "string")
end
_M.is_file = is_file

local function is_list(v)
  return type(v) == "table" and v[1] ~= nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  sort(keys)
  return keys
end

local function json_text(v)
  local s = json.encode(v)
  return s or "{}"
end

-- Adds params to a C core form; returns true or nil, err (missing file).
-- A file's content type: the caller's, else from its file name.
local function fill_form(form, params, bool)
  for _, k in ipairs(sorted_keys(params)) do
    local v = params[k]
    local items = is_list(v) and v or { v }
    for _, item in ipairs(items) do
      if is_file(item) then
        local opts = { filename = item.filename, inline = item.inline,
                       content_type = item.content_type or mime.of(item.filename or item.path) }
        if item.path then
          local ok, msg = files.check_regular(item.path)
          if ok then ok, msg = form:file(k, item.path, opts) end
          if not ok then
            return nil, errors.invalid("cannot attach '" .. item.path .. "': " .. tostring(msg),
              { field = k })
          end
        else
          form:data(k, item.data, opts)
        end
      elseif type(item) == "table" then
        form:field(k, json_text(item))
      elseif type(item) == "boolean" then
        form:field(k, bool(item, k))
      else
        form:field(k, url.text(item))
      end
    end
  end
  return true
end

local function default_bool(v) return v and "true" or "false" end

-- bool(v, key) for one request: the reference's spelling of the field
-- (yes/no or true/false), else the client's.
local function bool_for(facts, kind, fallback)
  return function(v, k)
    return wire.bool(wire.field(facts, kind, k), v) or fallback(v, k)
  end
end

-- Splits the argument into path values and the rest, fills the path.
function Engine:path_for(ep, params, label)
  local names = url.placeholders(ep.path)
  local facts = wire.facts(self.reference, ep)
  local values, rest = {}, {}
  if type(params) == "table" then
    for k, v in pairs(params) do rest[k] = v end
  elseif params ~= nil then
    -- a plain string: the one placeholder besides those the client fills
    local own, filled = {}, {}
    for _, n in ipairs(names) do
      if self.fill and self.fill(n, ep.path) ~= nil then filled[#filled + 1] = n
      else own[#own + 1] = n end
    end
    local target = own[1] or filled[1]
    if #own > 1 or (#own == 0 and #filled ~= 1) then
      error("bad argument #1 to '" .. label .. "' (table expected, got " .. type(params) .. ")", 3)
    end
    values[target] = params
  end
  for _, n in ipairs(names) do
    if values[n] == nil then
      values[n] = rest[n]
      local alias = self.alias and self.alias(n, ep.path)
      -- a field of that name the operation takes itself is not the path's
      if alias and wire.declares(facts, alias) then alias = nil end
      if values[n] == nil and alias then values[n] = rest[alias] end
      if values[n] == nil and self.fill then values[n] = self.fill(n, ep.path) end
      if alias then rest[alias] = nil end
    end
    -- a name the operation also takes in its body (an alert's name) goes in both
    if not wire.in_body(facts, n) then rest[n] = nil end
  end
  local path, bad, why = url.expand(ep.path, values)
  if not path then
    error("bad argument #1 to '" .. label .. "' (field '" .. bad .. "' "
      .. (why == "dot" and "must not be '.' or '..'" or "is required") .. ")", 3)
  end
  return path, rest
end

-- Turns endpoint + argument into a transport request, or nil, err for bad
-- input (nothing sent). opts: headers, timeout, url (absolute, overrides the
-- path: pagination links), query (extra query fields), label (for messages).
function Engine:prepare(ep, params, opts)
  opts = opts or {}
  local label = opts.label or ep.name or "request"
  local ptype = type(params)
  if params ~= nil and ptype ~= "table" and ptype ~= "string" and ptype ~= "number" then
    error("bad argument #1 to '" .. label .. "' (table or string expected, got " .. ptype .. ")", 3)
  end
  local encoding = ep.encoding or ((ep.method == "GET" or ep.method == "DELETE" or ep.method == "HEAD")
    and "query" or "json")
  local path, rest
  local target = opts.url
  if target then
    rest = {}
    if ptype == "table" then for k, v in pairs(params) do rest[k] = v end end
  else
    path, rest = self:path_for(ep, params, label)
    if ep.base == "storage" and type(rest.url) == "string" then
      target = rest.url -- a storage.url from an event
      rest.url = nil
    else
      local base = (ep.base == "storage" and self.storage_url) or self.base_url
      target = base .. path
    end
  end
  local facts = wire.facts(self.reference, ep)
  local bool = self.bool or default_bool
  local headers = {}
  for k, v in pairs(self.headers) do headers[k] = v end
  if opts.headers then for k, v in pairs(opts.headers) do headers[k] = v end end

  -- names that go in the query string whatever the body encoding
  -- opts.query: explicit query fields, e.g. one named like a placeholder
  local query = {}
  if opts.query then for k, v in pairs(opts.query) do query[k] = v end end
  if ep.query then
    for _, n in ipairs(ep.query) do
      if rest[n] ~= nil then query[n] = rest[n]; rest[n] = nil end
    end
  end

  local req = { method = ep.method, headers = headers, endpoint = ep, label = label,
                timeout = opts.timeout or self.timeout, deadline = opts.deadline or self.deadline }
  -- never re-sent below the engine (libcurl on a reused connection)
  req.once = not self:idempotent(req)
  if encoding == "query" then
    for k, v in pairs(rest) do query[k] = v end
  elseif encoding == "json" then
    local body = rest
    if rest.body ~= nil and ep.body_param ~= false and type(rest.body) == "table"
      and next(rest, next(rest)) == nil then
      body = rest.body -- an explicit body, e.g. a JSON array
    end
    body = wire.shape_json(facts, body)
    if next(body) ~= nil or json.is_array(body) or ep.method ~= "GET" then
      local s, jerr = json.encode(body)
      if not s then return nil, errors.invalid("cannot encode the body as JSON: " .. tostring(jerr)) end
      req.body = s
      headers["Content-Type"] = headers["Content-Type"] or "application/json"
    end
  elseif encoding == "urlencoded" then
    rest = wire.shape_form(facts, rest, json_text)
    req.body = url.encode_pairs(url.pairs_of(rest, bool_for(facts, "form", bool), json_text))
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  elseif encoding == "multipart" and next(rest) == nil then
    req.body = nil -- no fields: no body (RFC 2046 wants at least one part)
  elseif encoding == "multipart" then
    local core = require("mailgun.core")
    local form = core.form()
    local ok, ferr = fill_form(form, wire.shape_form(facts, rest, json_text),
      bool_for(facts, "form", bool))
    if not ok then form:close(); return nil, ferr end
    req.form = form
  elseif encoding == "raw" then
    req.body = rest.body
    if rest.content_type then headers["Content-Type"] = rest.content_type end
  else
    error("endpoint '" .. label .. "' has an unknown encoding '" .. tostring(encoding) .. "'", 3)
  end
  local suffix = self.list_suffix
  if suffix then
    local renamed = {}
    for k, v in pairs(query) do
      if type(k) == "string" and is_list(v) and k:sub(-#suffix) ~= suffix then k = k .. suffix end
      renamed[k] = v
    end
    query = renamed
  end
  local q = url.encode_pairs(url.pairs_of(query, bool_for(facts, "query", bool), json_text))
  req.url = url.with_query(target, q)
  return req
end

-- Deciding what an answer means ------------------------------------------------

local function now_of(transport)
  return transport.now and transport:now() or os.time()
end

function Engine:idempotent(req)
  local ep = req.endpoint or {}
  return (IDEMPOTENT[req.method] and not ep.send) or ep.idempotent or false
end

function Engine:retryable(req, err)
  if err.uncertain then return false end -- it may have been accepted: never sent again here
  if err.retryable ~= nil then return err.retryable end
  local idempotent = self:idempotent(req)
  if err.kind == "rate_limited" then return true end
  -- a certificate that does not verify will not verify on the next try
  if err.reason == "tls" then return false end
  if err.status then
    return idempotent and (err.status == 500 or err.status == 502 or err.status == 503
      or err.status == 504 or err.status == 408) or false
  end
  if NEVER_SENT[err.reason] or err.sent == false then return true end
  return idempotent and true or false
end

-- Delay before attempt number `attempt` (1 = first retry).
function Engine:delay(attempt, err)
  local b = self.backoff
  local max_wait = b.max_wait or 60
  if err.retry_after then
    if err.retry_after > max_wait then return nil end
    -- a negative Retry-After is nonsense: never a retry at once
    return max(err.retry_after, err.retry_after < 0 and (b.min_retry_after or defaults.min_retry_after) or 0)
  end
  local cap = min(b.max or 20, (b.base or 0.5) * 2 ^ (attempt - 1))
  return cap / 2 + random() * cap / 2
end

-- Before each attempt: the deadline of the call starts with the first one;
-- an attempt gets the per-attempt timeout or what is left of the deadline.
function Engine:arm(req)
  local now = now_of(self.transport)
  req.per_attempt = req.per_attempt or req.timeout or defaults.timeout
  req.deadline_at = req.deadline_at or now + (req.deadline or defaults.deadline)
  req.timeout = max(0.001, min(req.per_attempt, req.deadline_at - now))
end

-- res, word, detail, sent as a transport returns them -> result, err,
-- delay. A delay means: wait that long, then send req again.
function Engine:decide(req, attempt, res, word, detail, sent)
  local err
  if res then
    if res.status >= 200 and res.status < 300 then
      local out = result_of(decode_body(res), res)
      -- a 2xx to a send without the id it declares: uncertain, not sent
      err = req.endpoint.send and errors.unreadable_send(req.endpoint, out, res)
      if not err then return out end
    else
      err = errors.from_response(res, now_of(self.transport))
    end
  elseif word == "unsupported" then
    -- the transport cannot work here (an nginx phase without cosockets)
    err = errors.not_supported(detail or "the transport cannot send from here", { retryable = false })
  else
    err = errors.from_transport(word, detail, sent)
  end
  local origin, path = url.split(req.url)
  err.method, err.url, err.path, err.provider = req.method, req.url, path, self.provider
  err.attempts = attempt
  if origin == nil then err.url = nil end
  if not self:idempotent(req) then errors.classify_send(err, sent) end
  if self.on_error then self.on_error(err, req.endpoint, req) end
  errors.redact(err, self.secrets)
  local retries = req.retries or self.retries
  if attempt <= retries and self:retryable(req, err) then
    local d = self:delay(attempt, err)
    if d and req.deadline_at and now_of(self.transport) + d >= req.deadline_at then
      err.message = err.message .. " (no retry: the call's deadline comes first)"
      d = nil
    end
    if d then return nil, err, d end
  end
  return nil, err
end

-- Waits seconds: inside a task of mailgun.scheduler on a timer (other
-- tasks go on), else transport:sleep. Returns false when the task waiting
-- was cancelled. Use it for any wait in hand-written methods (polling).
function Engine:sleep(seconds)
  local scheduler = loaded["mailgun.engine.scheduler"]
  if scheduler then return scheduler.sleep(self, seconds) end
  if seconds > 0 then self.transport:sleep(seconds) end
  return true
end

-- Sends a prepared request until it succeeds or may not be retried. Inside
-- a task of mailgun.scheduler the request goes to the client's
-- non-blocking loop and the task yields until it is done.
function Engine:perform(req)
  local scheduler = loaded["mailgun.engine.scheduler"]
  if scheduler then
    local handled, out, err = scheduler.perform(self, req)
    if handled then return out, err end
  end
  local attempt = 1
  local transport = self.transport
  while true do
    if req.form and attempt > 1 then req.form:rewind() end
    self:arm(req)
    local res, word, detail, sent = transport:request(req)
    local out, err, delay = self:decide(req, attempt, res, word, detail, sent)
    if not delay then
      if req.form and not req.keep_form then req.form:close() end
      return out, err
    end
    if not self:sleep(delay) then
      if req.form and not req.keep_form then req.form:close() end
      return nil, loaded["mailgun.engine.scheduler"].cancelled_error()
    end
    attempt = attempt + 1
  end
end

-- One call: endpoint description + argument (+ opts) -> result | nil, err.
function Engine:call(ep, params, opts)
  local req, err = self:prepare(ep, params, opts)
  if not req then
    if err.provider == nil then err.provider = self.provider end
    return nil, err
  end
  if opts and opts.retries then req.retries = opts.retries end
  return self:perform(req)
end

-- Builds a resource object: one method per endpoint, plus each/pages.
-- spec = {name=, endpoints={...}}; extra = table of hand-written methods.
function _M.resource(engine, spec, extra)
  local obj = { _name = spec.name, _engine = engine, _endpoints = {} }
  for _, ep in ipairs(spec.endpoints) do
    obj._endpoints[ep.name] = ep
    local label = spec.name .. ":" .. ep.name
    obj[ep.name] = function(self, params, opts)
      if self ~= obj then
        error("calling '" .. label .. "' needs ':' (" .. label .. "(...))", 2)
      end
      options.check_call(engine, ep, params, opts, label)
      opts = opts or {}
      opts.label = opts.label or label
      return engine:call(ep, params, opts)
    end
  end
  local paging = require("mailgun.engine.paging")
  paging.attach(obj, engine)
  if extra then
    for k, v in pairs(extra) do obj[k] = v end
  end
  _M.add_async(obj, engine)
  return obj
end

-- Iterators and internals have no async form (follow has its own).
local function has_async_form(name)
  return name:sub(1, 1) ~= "_" and name ~= "each" and name ~= "pages" and name ~= "follow"
    and not name:find("^each_") and not name:find("^pages_") and not name:find("_async$")
end

-- Adds name_async(..., callback) for every method of a resource object:
-- the call starts at once without waiting and callback(res, err) runs when
-- it is done (inside mailgun.poll, or on a light thread in nginx). Returns
-- a handle with :cancel() (see mailgun.scheduler). Hand-written methods
-- get it too: they run as a task, so their engine calls do not block.
function _M.add_async(obj, engine)
  local names = {}
  for k, v in pairs(obj) do
    if type(k) == "string" and type(v) == "function" and has_async_form(k) then
      names[#names + 1] = k
    end
  end
  for _, name in ipairs(names) do
    local method = obj[name]
    local label = (obj._name or "resource") .. ":" .. name .. "_async"
    obj[name .. "_async"] = function(self, ...)
      local args = { n = select("#", ...), ... }
      local callback = args[args.n]
      args[args.n] = nil
      args.n = args.n - 1
      local scheduler = require("mailgun.engine.scheduler")
      return scheduler.call_async(engine.transport.name == "resty", method, self, args, callback, label)
    end
  end
  return obj
end
_M.has_async_form = has_async_form

-- Every declared endpoint of a list of resource specs, for endpoints().
function _M.list_endpoints(specs)
  local out = {}
  for _, spec in ipairs(specs) do
    for _, ep in ipairs(spec.endpoints) do
      out[#out + 1] = { resource = spec.name, name = ep.name, method = ep.method, path = ep.path,
                        deprecated = ep.deprecated or nil }
    end
  end
  return out
end

return _M

-- The engine shared by both clients: turns an endpoint description (data,
-- see docs/internals.md) and one argument table into an HTTP request, sends
-- it through a transport, retries what is safe to retry, and decodes the
-- answer into a result or nil, err. It never names a provider: everything
-- provider-specific arrives in the configuration.
local json = require("mailgun.engine.json")
local url = require("mailgun.engine.url")
local errors = require("mailgun.engine.errors")
local clock = require("mailgun.engine.clock")
local wire = require("mailgun.engine.wire")
local defaults = require("mailgun.engine.defaults")
local options = require("mailgun.engine.options")

local type, pairs, ipairs, tostring, setmetatable, getmetatable, error, next, select, require =
  type, pairs, ipairs, tostring, setmetatable, getmetatable, error, next, select, require
local random, min, max = math.random, math.min, math.max
local find = string.find
local sort = table.sort
local native = require("mailgun.engine.native")
local core -- the C core, loaded with the first form (see engine/native.lua)
local function new_form()
  core = core or native.core()
  return core.form()
end

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
-- on_error(err, endpoint, req, engine) to classify or explain errors (it may set
-- err.retryable = false), page_limits = {min=, max=} for "page" paging,
-- list_suffix ("[]": a list in the query string goes as name[]=a&name[]=b),
-- scheduler (default mailgun.engine.scheduler: the tasks whose calls yield
-- instead of blocking), data (anything the provider's callbacks need: they
-- receive the engine as their last argument), reference ("METHOD path" ->
-- wire facts, see engine/wire.lua; a module name is loaded on first use).
-- A base URL without trailing slashes (the pattern runs only when there is
-- one: a client is made per tenant or per request).
local SLASH = string.byte("/")
local function strip_slashes(u)
  if u:byte(-1) ~= SLASH then return u end
  return (u:gsub("/+$", ""))
end

function _M.new(cfg)
  if type(cfg.transport) ~= "table" then
    error("bad argument 'transport' (table expected)", 2)
  end
  local e = setmetatable({
    base_url = strip_slashes(cfg.base_url or ""),
    storage_url = cfg.storage_url and strip_slashes(cfg.storage_url),
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
    scheduler = cfg.scheduler or require("mailgun.engine.scheduler"),
    data = cfg.data,
    reference = cfg.reference,
  }, Engine)
  return e
end

-- The engine's non-blocking loop: its transport's when the transport
-- declares one (capabilities.loop), else nil; never on a closed engine.
function Engine:loop()
  if self.closed then return nil end
  local t = self.transport
  local caps = t.capabilities
  if caps and caps.loop then return t:loop() end
  return nil
end

-- true when the transport's requests yield to an event loop of their own
-- (nginx cosockets): async calls then run on that loop's light threads.
function Engine:yields()
  local caps = self.transport.capabilities
  return caps and caps.yields or false
end

-- Ends the engine's work: its tasks and requests in flight end with err
-- (kind "cancelled"); later calls from tasks are refused the same way.
function Engine:close(err)
  if self.closed then return end
  local loop = self:loop()
  self.closed = true
  self.scheduler.cancel_engine(self, err)
  if loop then loop:cancel_engine(self, err) end
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

local OPEN_OBJECT, OPEN_ARRAY = string.byte("{"), string.byte("[")

local function decode_body(res)
  local body = res.body or ""
  if body == "" then return {} end
  local b = body:byte(1)
  local ct = errors.header(res.headers, "content-type") or ""
  local json_like = b == OPEN_OBJECT or b == OPEN_ARRAY or ct:find("json", 1, true)
  if not json_like then
    local first = body:match("^%s*(.)")
    json_like = first == "{" or first == "["
  end
  if json_like then
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
local function add_item(form, k, item, bool)
  local t = type(item)
  if t == "string" then
    form:field(k, item)
  elseif t == "table" then
    if is_file(item) then
      local opts = { filename = item.filename, inline = item.inline,
                     content_type = item.content_type
                       or require("mailgun.engine.mime").of(item.filename or item.path) }
      if item.path then
        local ok, msg = require("mailgun.engine.files").check_regular(item.path)
        if ok then ok, msg = form:file(k, item.path, opts) end
        if not ok then
          return nil, errors.invalid("cannot attach '" .. item.path .. "': " .. tostring(msg),
            { field = k })
        end
      else
        form:data(k, item.data, opts)
      end
    else
      form:field(k, json_text(item))
    end
  elseif t == "boolean" then
    form:field(k, bool(item, k))
  else
    form:field(k, url.text(item))
  end
  return true
end

-- facts: a list for a field the API takes as one text goes as its JSON
-- (wire.shape_form's rule, applied here without another pass)
local function fill_form(form, params, bool, facts)
  local keys = sorted_keys(params)
  for i = 1, #keys do
    local k = keys[i]
    local v = params[k]
    local list = type(v) == "table" and (v[1] ~= nil or json.is_array(v))
    if list and facts and wire.form_json(facts, k) then
      form:field(k, json_text(v))
    elseif list and v[1] ~= nil then
      -- the strings in one C call (a batch's 1,000 "to"), the rest one by one
      local j = form:fields(k, v)
      while j do
        local ok, err = add_item(form, k, v[j], bool)
        if not ok then return nil, err end
        j = form:fields(k, v, j + 1)
      end
    else
      local ok, err = add_item(form, k, v, bool)
      if not ok then return nil, err end
    end
  end
  return true
end

local function default_bool(v) return v and "true" or "false" end

-- bool(v, key) for one request: the reference's spelling of the field
-- (yes/no or true/false), else the client's; made once per facts, kind
-- and fallback (weak: facts of endpoints made per call go away).
local bools = setmetatable({}, { __mode = "k" })
local function bool_for(facts, kind, fallback)
  if not facts then return fallback end
  local per = bools[facts]
  if not per then per = {}; bools[facts] = per end
  local made = per[kind]
  if made and made.fallback == fallback then return made.fn end
  local function fn(v, k)
    return wire.bool(wire.field(facts, kind, k), v) or fallback(v, k)
  end
  per[kind] = { fallback = fallback, fn = fn }
  return fn
end

local EMPTY = {}

-- The engine's wire reference, loaded on first use when given by name (a
-- large module: mailgun.new does not pay for it).
local function reference_of(self)
  local ref = self.reference
  if type(ref) == "string" then
    ref = require(ref)
    self.reference = ref
  end
  return ref
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- What an endpoint's path and wire facts say, worked out once per endpoint
-- (weak: endpoints made per call by client:request go away) and engine
-- kind (its reference and alias): placeholder names, the facts, and per
-- placeholder whether the operation also takes it in its body (keep) and
-- the alias the path reads it from (alias; false: none).
local placeholders = setmetatable({}, { __mode = "k" })
local function template_of(ep, self)
  local c = placeholders[ep]
  local ref, alias_of = reference_of(self), self.alias
  if not c or c.path ~= ep.path or c.ref ~= ref or c.alias_of ~= alias_of then
    local path = ep.path
    local facts = wire.facts(ref, ep)
    c = { path = path, names = url.placeholders(path), ref = ref, alias_of = alias_of, facts = facts,
          keep = {}, alias = {} }
    for _, n in ipairs(c.names) do
      c.keep[n] = wire.in_body(facts, n)
      local alias = alias_of and alias_of(n, path, self)
      -- a field of that name the operation takes itself is not the path's
      if alias and wire.declares(facts, alias) then alias = nil end
      c.alias[n] = alias or false
    end
    -- the common case, one placeholder: prefix .. value .. suffix
    local pre, name, post = path:match("^([^{]*){([^}]+)}([^{]*)$")
    if pre then c.pre, c.name, c.post = pre, name, post end
    placeholders[ep] = c
  end
  return c
end

-- url.expand, without a pattern substitution for one placeholder.
local function expand(c, values, v)
  if c.name then
    -- (v: the one value, given without a table by path_for)
    if values then v = values[c.name] end
    -- the same value as last time (a client's domain): the same path
    if v == c.last_value and v ~= nil then return c.last_path end
    if v == nil or v == "" then return nil, c.name, "missing" end
    local given = v
    v = url.text(v)
    if v == "." or v == ".." then return nil, c.name, "dot" end
    if find(v, "[^%w%-%._~@:!$&'()*+,;=]") then v = url.escape_segment(v) end
    local path = c.pre .. v .. c.post
    if type(given) == "string" then c.last_value, c.last_path = given, path end
    return path
  end
  return url.expand(c.path, values)
end

-- Splits the argument into path values and the rest, fills the path.
-- fill and alias receive the engine as their last argument.
local path_error

-- The common case: a table of params and one placeholder (no values table).
local function path_for_one(self, ep, params, label, template)
  local n = template.name
  local alias, keep = template.alias[n], template.keep[n]
  local v = params[n]
  if v == nil and alias then v = params[alias] end
  if v == nil and self.fill then v = self.fill(n, ep.path, self) end
  local rest = params
  -- a name the operation also takes in its body (an alert's name) goes in both
  if (params[n] ~= nil and not keep) or (alias and params[alias] ~= nil) then
    rest = copy(params)
    if not keep then rest[n] = nil end
    if alias then rest[alias] = nil end
  end
  local path, bad, why = expand(template, nil, v)
  if not path then path_error(self, ep, label, bad, why) end
  return path, rest, template.facts
end

function Engine:path_for(ep, params, label)
  local template = template_of(ep, self)
  if type(params) == "table" then
    if template.name then return path_for_one(self, ep, params, label, template) end
    -- no placeholder: the path as it is, the params all the rest
    if template.names[1] == nil then return template.path, params, template.facts end
  end
  local names, aliases, keeps = template.names, template.alias, template.keep
  local values, rest = {}, EMPTY
  local fill = self.fill
  if type(params) == "table" then
    rest = params -- copied before anything is taken out of it
  elseif params ~= nil then
    -- a plain string: the one placeholder besides those the client fills
    local own, filled = {}, {}
    for _, n in ipairs(names) do
      if fill and fill(n, ep.path, self) ~= nil then filled[#filled + 1] = n
      else own[#own + 1] = n end
    end
    local target = own[1] or filled[1]
    if #own > 1 or (#own == 0 and #filled ~= 1) then
      error("bad argument #1 to '" .. label .. "' (table expected, got " .. type(params) .. ")", 3)
    end
    values[target] = params
  end
  for i = 1, #names do
    local n = names[i]
    local alias
    if values[n] == nil then
      values[n] = rest[n]
      alias = aliases[n]
      if values[n] == nil and alias then values[n] = rest[alias] end
      if values[n] == nil and fill then values[n] = fill(n, ep.path, self) end
    end
    -- a name the operation also takes in its body (an alert's name) goes in both
    local keep = keeps[n]
    if (rest[n] ~= nil and not keep) or (alias and rest[alias] ~= nil) then
      if rest == params then rest = copy(params) end
      if not keep then rest[n] = nil end
      if alias then rest[alias] = nil end
    end
  end
  if rest == EMPTY then rest = {} end
  local path, bad, why = expand(template, values)
  if not path then path_error(self, ep, label, bad, why) end
  return path, rest, template.facts
end
-- Raises for a path placeholder without a usable value.
function path_error(self, ep, label, bad, why)
  local fill, alias_of = self.fill, self.alias
  local alias = alias_of and alias_of(bad, ep.path)
  error("bad argument #1 to '" .. label .. "' (field '" .. bad .. "' "
    .. (alias and ("(or '" .. alias .. "') ") or "")
    .. (why == "dot" and "must not be '.' or '..'"
      or (fill and alias and "is required: the client has no default " .. alias .. " (set it in its options)"
        or "is required")) .. ")", _M.caller_level())
end

local NO_OPTS = {}

-- The engine's headers plus Content-Type: one table per engine and type,
-- shared by the requests that add nothing else (transports only read it).
local function with_type(self, headers, ctype)
  if headers ~= self.headers then
    headers["Content-Type"] = headers["Content-Type"] or ctype
    return headers
  end
  if headers["Content-Type"] then return headers end
  local cache = self._typed_headers
  if not cache then cache = {}; self._typed_headers = cache end
  local h = cache[ctype]
  if not h then
    h = {}
    for k, v in pairs(headers) do h[k] = v end
    h["Content-Type"] = ctype
    cache[ctype] = h
  end
  return h
end

-- Turns endpoint + argument into a transport request, or nil, err for bad
-- input (nothing sent). opts: headers, timeout, url (absolute, overrides the
-- path: pagination links), query (extra query fields), label (for messages).
-- body: what the caller encoded itself (a JSON text for a json endpoint, a
-- core.form for a multipart one); params then fill only the path.
-- req.headers may be shared between requests: never change it.
function Engine:prepare(ep, params, opts, body)
  opts = opts or NO_OPTS
  local label = opts.label or ep.name or "request"
  local ptype = type(params)
  if params ~= nil and ptype ~= "table" and ptype ~= "string" and ptype ~= "number" then
    error("bad argument #1 to '" .. label .. "' (table or string expected, got " .. ptype .. ")", 3)
  end
  local method = ep.method
  local encoding = ep.encoding or ((method == "GET" or method == "DELETE" or method == "HEAD")
    and "query" or "json")
  local path, rest, facts
  local target = opts.url
  if target then
    rest = ptype == "table" and params or {}
    facts = ep.path and template_of(ep, self).facts or nil
  else
    path, rest, facts = self:path_for(ep, params, label)
    if ep.base == "storage" and type(rest.url) == "string" then
      target = rest.url -- a storage.url from an event
      if rest == params then rest = copy(params) end
      rest.url = nil
    else
      local base = (ep.base == "storage" and self.storage_url) or self.base_url
      target = base .. path
    end
  end
  local bool = self.bool or default_bool
  local headers = self.headers
  if opts.headers then
    headers = {}
    for k, v in pairs(self.headers) do headers[k] = v end
    for k, v in pairs(opts.headers) do headers[k] = v end
  end

  -- names that go in the query string whatever the body encoding
  -- opts.query: explicit query fields, e.g. one named like a placeholder
  local query
  if opts.query then
    query = {}
    for k, v in pairs(opts.query) do query[k] = v end
  end
  if ep.query then
    for _, n in ipairs(ep.query) do
      if rest[n] ~= nil then
        query = query or {}
        if rest == params then rest = copy(params) end
        query[n] = rest[n]; rest[n] = nil
      end
    end
  end
  -- rest may be the caller's params itself from here on: only read it

  -- (the fields set later named here too: the table is made at its size)
  local req = { method = method, headers = headers, endpoint = ep, label = label,
                timeout = opts.timeout or self.timeout, deadline = opts.deadline or self.deadline,
                once = false, url = nil, body = nil, form = nil, per_attempt = nil, deadline_at = nil }
  -- never re-sent below the engine (libcurl on a reused connection; a
  -- shared transport reuses connections across clients)
  req.once = not self:idempotent(req)
  if body ~= nil then
    if next(rest) ~= nil then
      error("endpoint '" .. label .. "' takes either params or an encoded body, not both", 3)
    elseif encoding == "json" and type(body) == "string" then
      req.body = body
      req.headers = with_type(self, headers, "application/json")
    elseif encoding == "multipart" and type(body) == "userdata" then
      req.form = body
    else
      error("endpoint '" .. label .. "' (" .. tostring(encoding) .. ") cannot take a " .. type(body)
        .. " as its encoded body", 3)
    end
  elseif encoding == "query" then
    if next(rest) ~= nil then
      query = query or {}
      for k, v in pairs(rest) do query[k] = v end
    end
  elseif encoding == "json" then
    local json_body = rest
    if rest.body ~= nil and ep.body_param ~= false and type(rest.body) == "table"
      and next(rest, next(rest)) == nil then
      json_body = rest.body -- an explicit body, e.g. a JSON array
    end
    json_body = wire.shape_json(facts, json_body)
    if next(json_body) ~= nil or json.is_array(json_body) or method ~= "GET" then
      local s, jerr = json.encode(json_body)
      if not s then return nil, errors.invalid("cannot encode the body as JSON: " .. tostring(jerr)) end
      req.body = s
      req.headers = with_type(self, headers, "application/json")
    end
  elseif encoding == "urlencoded" then
    rest = wire.shape_form(facts, rest, json_text)
    req.body = url.encode_pairs(url.pairs_of(rest, bool_for(facts, "form", bool), json_text))
    req.headers = with_type(self, headers, "application/x-www-form-urlencoded")
  elseif encoding == "multipart" and next(rest) == nil then
    req.body = nil -- no fields: no body (RFC 2046 wants at least one part)
  elseif encoding == "multipart" then
    local form = new_form()
    local ok, ferr = fill_form(form, rest, bool_for(facts, "form", bool), facts)
    if not ok then form:close(); return nil, ferr end
    req.form = form
  elseif encoding == "raw" then
    req.body = rest.body
    if rest.content_type then
      if headers == self.headers then
        headers = {}
        for k, v in pairs(self.headers) do headers[k] = v end
        req.headers = headers
      end
      headers["Content-Type"] = rest.content_type
    end
  else
    error("endpoint '" .. label .. "' has an unknown encoding '" .. tostring(encoding) .. "'", 3)
  end
  if query then
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
  else
    req.url = target
  end
  return req
end

-- Deciding what an answer means ------------------------------------------------

local function now_of(transport)
  return transport.now and transport:now() or clock.epoch()
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
  if self.on_error then self.on_error(err, req.endpoint, req, self) end
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

-- Waits seconds: inside a task of the engine's scheduler on a timer (other
-- tasks go on), else transport:sleep. Returns false when the task waiting
-- was cancelled. Use it for any wait in hand-written methods (polling).
function Engine:sleep(seconds)
  return self.scheduler.sleep(self, seconds)
end

-- Sends a prepared request until it succeeds or may not be retried. Inside
-- a task of the engine's scheduler the request goes to the engine's
-- non-blocking loop and the task yields until it is done.
function Engine:perform(req)
  local sched = self.scheduler
  if sched.current() then
    local handled, out, err = sched.perform(self, req)
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
      return nil, sched.cancelled_error()
    end
    attempt = attempt + 1
  end
end

-- The stack level of the first function outside the library (for error()
-- from deep inside: tail calls make fixed levels unreliable).
local LIB = debug.getinfo(1, "S").source:match("^@(.*/)mailgun/engine/[^/]+$")
function _M.caller_level()
  if not LIB then return 3 end
  local level = 3
  while true do
    local info = debug.getinfo(level, "S")
    if not info then return 3 end
    local src = info.source
    if src:sub(1, 1) ~= "@" or src:sub(2, #LIB + 1) ~= LIB then return level - 1 end
    level = level + 1
  end
end

-- One call: endpoint description + argument (+ opts, + an encoded body:
-- see prepare) -> result | nil, err.
function Engine:call(ep, params, opts, body)
  local req, err = self:prepare(ep, params, opts, body)
  if not req then
    if err.provider == nil then err.provider = self.provider end
    return nil, err
  end
  if opts and opts.retries then req.retries = opts.retries end
  return self:perform(req)
end

-- The arguments of an async method: (..., callback), the callback last.
local function split_callback(...)
  local n = select("#", ...)
  local callback = n > 0 and select(n, ...) or nil
  local params = n >= 2 and (...) or nil
  if n >= 3 then return callback, params, (select(2, ...)) end
  return callback, params, nil
end
_M.split_callback = split_callback

-- Raises, as the blocking call would, when the last argument (number n) is
-- not the callback.
local function check_callback(callback, n, label)
  if type(callback) ~= "function" then
    error("bad argument #" .. n .. " to '" .. label .. "' (the last argument must be the callback"
      .. " function, got " .. type(callback) .. ")", 3)
  end
end
_M.check_callback = check_callback

-- A handle for an async call that failed before anything was sent:
-- callback(nil, err) runs now.
function _M.failed(callback, err)
  callback(nil, err)
  return setmetatable({ done = true, err = err }, require("mailgun.engine.async").Job)
end

-- engine:call without waiting: callback(res, err) runs inside a later poll
-- (or at once for bad input). Returns a handle with cancel(), status(),
-- result(). On the engine's loop the request is submitted directly (no
-- task); without a loop it runs as a task of the scheduler.
function Engine:call_async(ep, params, opts, callback, label, body)
  local loop = self:loop()
  if not loop then
    local engine = self
    return self.scheduler.call_async(self:yields(), function()
      return engine:call(ep, params, opts, body)
    end, nil, { n = 0 }, callback, label)
  end
  check_callback(callback, "?", label or "async call")
  local req, err = self:prepare(ep, params, opts, body)
  if not req then
    if err.provider == nil then err.provider = self.provider end
    return _M.failed(callback, err)
  end
  if opts and opts.retries then req.retries = opts.retries end
  return loop:submit(self, req, callback)
end

-- The view a client hands out for a resource: {_engine=, _client=} with a
-- resource class as metatable.
local function check_view(self, class, label)
  if getmetatable(self) ~= class then
    error("calling '" .. label .. "' needs ':' (" .. label .. "(...))", 3)
  end
end
_M.check_view = check_view

-- Builds the class of a resource, once per provider: one method per
-- endpoint, plus each/pages, the hand-written methods in `extra` and the
-- _async form of each. Its objects are views {_engine=, _client=} (see
-- mailgun.engine.client). spec = {name=, endpoints={...}}.
function _M.resource_class(spec, extra)
  local class = { _name = spec.name, _endpoints = {} }
  class.__index = class
  for _, ep in ipairs(spec.endpoints) do
    class._endpoints[ep.name] = ep
    local label = spec.name .. ":" .. ep.name
    local default_opts = { label = label }
    class[ep.name] = function(self, params, opts)
      check_view(self, class, label)
      options.check_call(self._engine, ep, params, opts, label)
      if opts == nil then opts = default_opts
      elseif opts.label == nil then opts.label = label end
      return self._engine:call(ep, params, opts)
    end
    -- without a hand-written method of that name: submitted directly
    if not (extra and extra[ep.name]) then
      local async_label = label .. "_async"
      class[ep.name .. "_async"] = function(self, ...)
        check_view(self, class, async_label)
        local callback, params, opts = split_callback(...)
        check_callback(callback, select("#", ...), async_label)
        options.check_call(self._engine, ep, params, opts, async_label)
        if opts == nil then opts = default_opts
        elseif opts.label == nil then opts.label = label end
        return self._engine:call_async(ep, params, opts, callback, async_label)
      end
    end
  end
  local paging = require("mailgun.engine.paging")
  paging.attach(class)
  if extra then
    for k, v in pairs(extra) do
      if type(v) == "function" and type(k) == "string" and k:sub(1, 1) ~= "_" then
        -- client.messages.send(msg) (a dot) names the mistake; the tail
        -- call keeps the method's own error levels
        local label = spec.name .. ":" .. k
        class[k] = function(self, ...)
          check_view(self, class, label)
          return v(self, ...)
        end
      else
        class[k] = v
      end
    end
  end
  _M.add_async(class)
  return class
end

-- Iterators and internals have no async form (follow has its own).
local function has_async_form(name)
  return name:sub(1, 1) ~= "_" and name ~= "each" and name ~= "pages" and name ~= "follow"
    and not name:find("^each_") and not name:find("^pages_") and not name:find("_async$")
end

-- Adds name_async(..., callback) for every method of a resource class:
-- the call starts at once without waiting and callback(res, err) runs when
-- it is done (inside mailgun.poll, or on a light thread in nginx). Returns
-- a handle with :cancel() (see mailgun.scheduler). Hand-written methods
-- get it too: they run as a task, so their engine calls do not block.
function _M.add_async(class)
  local names = {}
  for k, v in pairs(class) do
    if type(k) == "string" and type(v) == "function" and has_async_form(k)
      and class[k .. "_async"] == nil then
      names[#names + 1] = k
    end
  end
  for _, name in ipairs(names) do
    local method = class[name]
    local label = (class._name or "resource") .. ":" .. name .. "_async"
    class[name .. "_async"] = function(self, ...)
      local args = { n = select("#", ...), ... }
      local callback = args[args.n]
      args[args.n] = nil
      args.n = args.n - 1
      local engine = self._engine
      return engine.scheduler.call_async(engine:yields(), method, self, args, callback, label)
    end
  end
  return class
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

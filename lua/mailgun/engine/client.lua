-- What every client (Mailgun, MailerSend) has besides its resources: the
-- engine and transport, resource objects built from data (shared per
-- provider, see class), the raw pass-through request, the non-blocking
-- loop, close.
local request = require("mailgun.engine.request")
local errors = require("mailgun.engine.errors")
local transports = require("mailgun.engine.transport")
local options = require("mailgun.engine.options")

local type, error, ipairs, pairs, setmetatable, rawget, rawset, require =
  type, error, ipairs, pairs, setmetatable, rawget, rawset, require

local _M = {}

local Client = {}
Client.__index = Client

-- client:request opts: the call options and an endpoint's shape.
local REQUEST_OPTIONS = { encoding = "string", paging = "string", items = "string" }
for k, v in pairs(options.CALL) do REQUEST_OPTIONS[k] = v end
_M.REQUEST_OPTIONS = REQUEST_OPTIONS
_M.Client = Client

-- Loads resource specs from modules named prefix .. name, once.
function _M.specs_loader(prefix, names)
  local cache
  return function()
    if not cache then
      cache = {}
      for i, name in ipairs(names) do cache[i] = require(prefix .. name) end
    end
    return cache
  end
end

-- A provider class: the common methods, plus one resource per name of
-- `names` (spec module prefix .. name), shared by every client of the
-- provider. Nothing is copied per client: client.<name> is a two-field
-- view {_engine=, _client=} made on first use, whose methods live in the
-- resource class, itself built (and its spec loaded) on first use.
-- extras(spec) -> the hand-written methods of a resource (self is the
-- view) or nil.
function _M.class(prefix, names, extras)
  local class = setmetatable({}, { __index = Client })
  local known, classes = {}, {}
  for _, name in ipairs(names or {}) do known[name] = true end
  class.__index = function(client, key)
    local v = class[key]
    if v ~= nil or not known[key] then return v end
    local rclass = classes[key]
    if not rclass then
      local spec = require(prefix .. key)
      rclass = request.resource_class(spec, extras and extras(spec))
      classes[key] = rclass
    end
    local view = setmetatable({ _engine = rawget(client, "engine"), _client = client }, rclass)
    rawset(client, key, view)
    return view
  end
  return class
end

-- fields: engine, transport, plus anything the provider keeps; they become
-- the client itself.
function _M.new(fields, class)
  return setmetatable(fields, class)
end

-- An authenticated request to any endpoint (a path relative to the base
-- URL, or an absolute URL): client:request("GET", "/v3/x", params, opts).
-- opts.encoding and opts.paging as in an endpoint description.
function Client:request(method, path, params, opts)
  if type(method) ~= "string" then error("bad argument #1 to 'request' (string expected)", 2) end
  if type(path) ~= "string" then error("bad argument #2 to 'request' (string expected)", 2) end
  if opts ~= nil then
    options.check(opts, REQUEST_OPTIONS, "request", { argn = 4 })
  end
  local ep = _M.endpoint_for(method, path, opts)
  local call_opts = {}
  for k, v in pairs(opts or {}) do call_opts[k] = v end
  if path:match("^https?://") then call_opts.url = path end
  call_opts.label = call_opts.label or "request"
  return self.engine:call(ep, params, call_opts)
end

function _M.endpoint_for(method, path, opts)
  return { name = "request", method = method:upper(), path = path,
           encoding = opts and opts.encoding, paging = opts and opts.paging,
           items = opts and opts.items }
end

-- The client's non-blocking loop (the engine's: its transport's), or nil
-- when the transport has none (see docs/internals.md, transports).
function Client:loop()
  return self.engine:loop()
end

-- Drives the requests started without waiting (async methods, tasks of
-- mailgun.scheduler): waits at most timeout_ms (0 = never), runs the
-- callbacks of what finished (for at most about budget_ms when given);
-- returns how many things completed. The same as mailgun.poll: one call
-- drives every client.
function Client:poll(timeout_ms, budget_ms)
  return require("mailgun.engine.scheduler").step(timeout_ms, budget_ms)
end

-- A view of the client whose resource methods take the same arguments
-- plus a trailing callback(res, err) and return a handle with :cancel():
--   client:async().messages:send(msg, function(res, err) ... end)
-- (the same as client.messages:send_async(msg, callback)).
function Client:async()
  local view = rawget(self, "_async_view")
  if view then return view end
  local client = self
  view = setmetatable({}, { __index = function(t, name)
    local res = client[name]
    if type(res) ~= "table" or rawget(res, "_engine") == nil then return nil end
    local rview = setmetatable({}, { __index = function(rt, method)
      local fn = type(method) == "string" and res[method .. "_async"]
      if type(fn) ~= "function" then return nil end
      local wrapper = function(_, ...) return fn(res, ...) end
      rt[method] = wrapper
      return wrapper
    end })
    t[name] = rview
    return rview
  end })
  self._async_view = view
  return view
end

-- Closes the client: requests in flight and tasks using it end, their
-- callbacks getting nil, err{kind="cancelled"}; then its transport is
-- released (closed once no client shares it any more).
function Client:close()
  self._closed = true
  self.engine:close(errors.new({ kind = "cancelled", message = "the client was closed" }))
  transports.release(self.transport)
end

return _M

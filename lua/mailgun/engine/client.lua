-- What every client (Mailgun, MailerSend) has besides its resources: the
-- engine and transport, resource objects built from data, the raw
-- pass-through request, the non-blocking loop, close.
local request = require("mailgun.engine.request")
local options = require("mailgun.engine.options")

local type, error, ipairs, pairs, setmetatable, rawget =
  type, error, ipairs, pairs, setmetatable, rawget
local loaded = package.loaded

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

-- fields: engine, transport, plus anything the provider keeps; class: a
-- table of provider methods (its __index falls back to Client);
-- extras(engine, spec) -> hand-written methods of a resource or nil.
function _M.new(fields, class, specs, extras)
  local client = setmetatable(fields, class)
  -- the engine reaches the loop through the client (tasks, see scheduler)
  fields.engine.get_loop = function() return client:loop() end
  for _, spec in ipairs(specs) do
    client[spec.name] = request.resource(fields.engine, spec, extras and extras(fields.engine, spec))
  end
  return client
end

-- A provider class inheriting the common methods.
function _M.class()
  local class = setmetatable({}, { __index = Client })
  class.__index = class
  return class
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

-- The client's non-blocking loop (C core multi), or nil when the client
-- runs on a transport other than the curl one.
function Client:loop()
  if self._loop then return self._loop end
  if self._closed or self.transport.name ~= "curl" then return nil end
  self._loop = require("mailgun.engine.async").new(self.transport.options)
  return self._loop
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
-- callbacks getting nil, err{kind="cancelled"}; then the connections.
function Client:close()
  self._closed = true
  self.engine.closed = true
  local scheduler = loaded["mailgun.engine.scheduler"]
  if scheduler then
    scheduler.cancel_engine(self.engine, scheduler.cancelled_error("the client was closed"))
  end
  if self._loop then
    local loop = self._loop
    self._loop = nil
    loop:close()
  end
  if self.transport.close then self.transport:close() end
end

return _M

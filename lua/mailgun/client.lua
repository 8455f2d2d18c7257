-- What every client (Mailgun, MailerSend) has besides its resources: the
-- engine and transport, resource objects built from data, the raw
-- pass-through request, the non-blocking loop, close.
local request = require("mailgun.request")

local type, error, ipairs, pairs, setmetatable = type, error, ipairs, pairs, setmetatable

local _M = {}

local Client = {}
Client.__index = Client
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
  if self.transport.name ~= "curl" then return nil end
  self._loop = require("mailgun.async").new(self.transport.options)
  return self._loop
end

function Client:close()
  if self._loop then self._loop:close(); self._loop = nil end
  if self.transport.close then self.transport:close() end
end

return _M

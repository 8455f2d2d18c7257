-- The default transport: a C core session (libcurl, one kept-alive
-- connection per host), a blocking sleep, and a non-blocking loop
-- (mailgun.engine.async on a C core multi) for async calls and tasks.
-- The C core (libcurl) is loaded with the first request, not before.
local clock = require("mailgun.engine.clock")
local defaults = require("mailgun.engine.defaults")

local setmetatable, tostring, require = setmetatable, tostring, require

local _M = {}
local mt = { __index = _M }

-- What this transport can do (see docs/internals.md): it has a loop.
_M.capabilities = { loop = true }

-- opts: timeout (one attempt, whole; default 30), connect_timeout
-- (default 10) in seconds, verify, cafile, capath, proxy, user_agent,
-- max_body (bytes, default 32 MiB). libcurl caps response headers itself.
function _M.new(opts)
  return setmetatable({ name = "curl", options = opts or {} }, mt)
end

-- The C core session, opened on first use.
local function session_of(self)
  local session = self.session
  if session then return session end
  local opts = self.options
  session = require("mailgun.engine.native").core().session({
    timeout = (opts.timeout or defaults.timeout) * 1000,
    connect_timeout = (opts.connect_timeout or defaults.connect_timeout) * 1000,
    verify = opts.verify,
    cafile = opts.cafile,
    capath = opts.capath,
    proxy = opts.proxy,
    user_agent = opts.user_agent,
    max_body = opts.max_body or defaults.max_body,
  })
  self.session = session
  return session
end

-- Opens the session now (it is otherwise opened by the first request);
-- returns the transport.
function _M:open()
  session_of(self)
  return self
end

-- req: method, url, headers, body | form, timeout (seconds), once (never
-- re-sent by libcurl on a reused connection: non-idempotent requests)
-- -> res | nil, word, detail, sent (false: provably never left; true: the
-- request may have reached the server; nil: unknown)
function _M:request(req)
  -- the session's request table, one per transport: a request blocks (no
  -- other Lua runs meanwhile), and the table keeps nothing afterwards
  local r = self._request
  if not r then r = {}; self._request = r end
  r.method, r.url, r.headers, r.body, r.form = req.method, req.url, req.headers, req.body, req.form
  r.timeout = req.timeout and req.timeout * 1000 or nil
  r.once = req.once or nil
  local res, word, _, detail, sent = session_of(self):request(r)
  r.url, r.headers, r.body, r.form = nil, nil, nil, nil
  if not res then return nil, word, detail and tostring(detail) or nil, sent end
  return res
end

-- Wall-clock seconds since the epoch (Retry-After dates are compared
-- with it).
function _M:now()
  return clock.epoch()
end

function _M:sleep(seconds)
  if seconds > 0 then clock.sleep(seconds) end
end

-- The non-blocking loop of this transport, made on first use with the same
-- options; one per transport, so clients sharing it share one queue.
function _M:loop()
  local loop = self._loop
  if not loop or loop.closed then
    loop = require("mailgun.engine.async").new(self.options)
    self._loop = loop
  end
  return loop
end

function _M:close()
  if self._loop then self._loop:close() end
  if self.session then self.session:close() end
end

return _M

-- The default transport: a C core session (libcurl, one kept-alive
-- connection per host), and a blocking sleep.
local core = require("mailgun.core")
local defaults = require("mailgun.engine.defaults")

local setmetatable, tostring = setmetatable, tostring

local _M = {}
local mt = { __index = _M }

-- opts: timeout (one attempt, whole; default 30), connect_timeout
-- (default 10) in seconds, verify, cafile, capath, proxy, user_agent,
-- max_body (bytes, default 32 MiB). libcurl caps response headers itself.
function _M.new(opts)
  opts = opts or {}
  local session = core.session({
    timeout = (opts.timeout or defaults.timeout) * 1000,
    connect_timeout = (opts.connect_timeout or defaults.connect_timeout) * 1000,
    verify = opts.verify,
    cafile = opts.cafile,
    capath = opts.capath,
    proxy = opts.proxy,
    user_agent = opts.user_agent,
    max_body = opts.max_body or defaults.max_body,
  })
  return setmetatable({ session = session, name = "curl", options = opts }, mt)
end

-- req: method, url, headers, body | form, timeout (seconds), once (never
-- re-sent by libcurl on a reused connection: non-idempotent requests)
-- -> res | nil, word, detail, sent (false: provably never left; true: the
-- request may have reached the server; nil: unknown)
function _M:request(req)
  local res, word, _, detail, sent = self.session:request({
    method = req.method,
    url = req.url,
    headers = req.headers,
    body = req.body,
    form = req.form,
    timeout = req.timeout and req.timeout * 1000 or nil,
    once = req.once or nil,
  })
  if not res then return nil, word, detail and tostring(detail) or nil, sent end
  return res
end

local function monotonic()
  return core.now and core.now() or os.time()
end

function _M:now()
  return monotonic()
end

function _M:sleep(seconds)
  if seconds <= 0 then return end
  if core.sleep then return core.sleep(seconds) end
  local t = os.clock() + seconds
  repeat until os.clock() >= t -- only when the core lacks sleep
end

function _M:close()
  self.session:close()
end

return _M

-- Spec helper: one sandbox (bin/mailgun-sandbox) per busted run, started
-- lazily on first use and stopped by pid when the process ends (a __gc
-- sentinel; the sandbox also watches this process's pid and stops itself).
--
--   local sandbox = require("support.sandbox")
--   sandbox.url()                 -- "http://127.0.0.1:PORT" (starts it)
--   sandbox.reset()               -- DELETE /sandbox
--   sandbox.requests{path=...}    -- recorded requests (list)
--   sandbox.messages{to=...}      -- delivered per-recipient copies (list)
--   sandbox.fault{method=, path=, status=, retry_after=, delay_ms=, drop=, truncate=, count=}
--   sandbox.event{event="opened", message_id=..., recipient=...}
--   sandbox.hooks(), sandbox.webhooks(), sandbox.config{rate_limit=}
--   sandbox.request{method=, path=, auth="mailgun"|"mailersend"|false, form=, json=, body=, headers=}
local cjson = require("cjson.safe")

local _M = {
  MAILGUN_KEY = "key-sandbox",
  DOMAIN = "sandbox.test",
  MAILERSEND_TOKEN = "mlsn.sandbox",
  SIGNING_KEY = "sandbox-signing-key",
}

local state = {}

local function own_pid()
  local f = io.open("/proc/self/stat", "r")
  if not f then return nil end
  local pid = f:read("l"):match("^(%d+)")
  f:close()
  return pid
end

local function root()
  -- the repository root: this file is spec/support/sandbox.lua
  local src = debug.getinfo(1, "S").source:gsub("^@", "")
  local dir = src:match("^(.*)/spec/support/[^/]+$")
  return dir or "."
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function _M.stop()
  if not state.pidfile then return end
  os.execute(shell_quote(state.root .. "/bin/mailgun-sandbox") .. " --stop --pid-file "
    .. shell_quote(state.pidfile) .. " >/dev/null 2>&1")
  os.remove(state.pidfile)
  local oracle = package.loaded["support.oracle"]
  if oracle and oracle.url == state.url then oracle.url = nil end
  state.pidfile, state.url, state.sentinel = nil, nil, nil
end

function _M.start(extra_args)
  if state.url then return state.url end
  local dir = root()
  local pidfile = os.tmpname()
  os.remove(pidfile)
  local cmd = shell_quote(dir .. "/bin/mailgun-sandbox") .. " --daemon --quiet --pid-file "
    .. shell_quote(pidfile)
  local pid = own_pid()
  if pid then cmd = cmd .. " --watch-pid " .. pid end
  if extra_args then cmd = cmd .. " " .. extra_args end
  local p = assert(io.popen(cmd .. " 2>&1", "r"))
  local out = p:read("a")
  p:close()
  local url = out:match("(http://[%w%.%-]+:%d+)")
  if not url then error("the sandbox did not start:\n" .. out, 2) end
  state.url, state.pidfile, state.root = url, pidfile, dir
  local oracle = package.loaded["support.oracle"] -- spec/support/helper.lua
  if oracle then oracle.url = url end
  state.sentinel = setmetatable({}, { __gc = function() _M.stop() end })
  return url
end

_M.url = _M.start

-- HTTP ----------------------------------------------------------------------

local session
local function http()
  if not session then
    session = require("mailgun.core").session({ timeout = 30000 })
  end
  return session
end

local function urlencode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end
_M.urlencode = urlencode

function _M.basic(user, pass)
  return require("mailgun.core").basic_auth(user, pass)
end

-- form: a list of {name, value} or {name, data=, filename=, content_type=},
-- or a map name -> value | {values}.
local function build_form(spec)
  local form = require("mailgun.core").form()
  local function add(name, v)
    if type(v) == "table" and v.data then
      form:data(name, v.data, { filename = v.filename or name, content_type = v.content_type })
    else
      form:field(name, tostring(v))
    end
  end
  if spec[1] then
    for _, pair in ipairs(spec) do add(pair[1], pair[2] ~= nil and pair[2] or pair) end
  else
    for k, v in pairs(spec) do
      if type(v) == "table" and not v.data then
        for _, x in ipairs(v) do add(k, x) end
      elseif v ~= false then
        add(k, v)
      end
    end
  end
  return form
end

local function urlencoded(spec)
  local out = {}
  local function add(k, v) out[#out + 1] = urlencode(k) .. "=" .. urlencode(v) end
  if spec[1] then
    for _, pair in ipairs(spec) do add(pair[1], pair[2]) end
  else
    local keys = {}
    for k in pairs(spec) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v = spec[k]
      if type(v) == "table" then
        for _, x in ipairs(v) do add(k, x) end
      else
        add(k, v)
      end
    end
  end
  return table.concat(out, "&")
end

-- -> res {status, headers, body, json} ; raises on a network error unless opts.raw_errors
function _M.request(opts)
  local url = opts.url or (_M.url() .. opts.path)
  if opts.query then url = url .. (url:find("?", 1, true) and "&" or "?") .. urlencoded(opts.query) end
  -- hand-made requests test the sandbox itself: the oracle checks the client's
  local headers = { ["X-Sandbox-Oracle"] = opts.oracle and "on" or "off" }
  for k, v in pairs(opts.headers or {}) do headers[k] = v end
  local auth = opts.auth
  if auth == nil and opts.path and not opts.path:find("^/sandbox") then auth = "mailgun" end
  if auth == "mailgun" then
    headers.Authorization = _M.basic("api", opts.key or _M.MAILGUN_KEY)
  elseif auth == "mailersend" then
    headers.Authorization = "Bearer " .. (opts.token or _M.MAILERSEND_TOKEN)
  elseif type(auth) == "string" then
    headers.Authorization = auth
  end
  local req = { method = opts.method or "GET", url = url, headers = headers }
  if opts.form then
    req.form = build_form(opts.form)
  elseif opts.urlencoded then
    req.body = urlencoded(opts.urlencoded)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  elseif opts.json ~= nil then
    req.body = type(opts.json) == "string" and opts.json or assert(cjson.encode(opts.json))
    headers["Content-Type"] = "application/json"
  elseif opts.body then
    req.body = opts.body
  end
  local sess = opts.fresh and require("mailgun.core").session({ timeout = 30000 }) or http()
  local res, word, _, detail = sess:request(req)
  if opts.fresh then sess:close() end
  if not res then
    if opts.raw_errors then return nil, word, detail end
    error("request to " .. url .. " failed: " .. tostring(word) .. " " .. tostring(detail), 2)
  end
  res.json = cjson.decode(res.body ~= "" and res.body or "null")
  return res
end

function _M.mailgun(method, path, opts)
  opts = opts or {}
  opts.method, opts.path, opts.auth = method, path, opts.auth or "mailgun"
  return _M.request(opts)
end

function _M.mailersend(method, path, opts)
  opts = opts or {}
  opts.method, opts.path, opts.auth = method, "/v1" .. path, opts.auth or "mailersend"
  return _M.request(opts)
end

local function control(method, path, body, query)
  local res = _M.request({ method = method, path = path, auth = false, json = body, query = query })
  if res.status >= 300 then
    error("sandbox control " .. method .. " " .. path .. ": " .. res.status .. " " .. res.body, 3)
  end
  return res.json
end

-- Control API -------------------------------------------------------------------

function _M.reset() return control("DELETE", "/sandbox") end
function _M.info() return control("GET", "/sandbox") end
function _M.requests(filter) return control("GET", "/sandbox/requests", nil, filter).items end
-- Requests that broke the API reference since the last clear (the oracle).
function _M.violations() return control("GET", "/sandbox/violations").items end
function _M.clear_violations() return control("DELETE", "/sandbox/violations") end
function _M.messages(filter) return control("GET", "/sandbox/messages", nil, filter).items end
function _M.fault(rule) return control("POST", "/sandbox/faults", rule).items[1] end
function _M.faults() return control("GET", "/sandbox/faults").items end
function _M.event(spec) return control("POST", "/sandbox/events", spec).items end
function _M.hooks(filter) return control("GET", "/sandbox/hooks", nil, filter).items end
function _M.webhooks(filter) return control("GET", "/sandbox/webhooks", nil, filter).items end
function _M.config(values)
  if values then return control("PUT", "/sandbox/config", values) end
  return control("GET", "/sandbox/config")
end

-- A URL on the sandbox's own webhook receiver.
function _M.hook_url(name) return _M.url() .. "/sandbox/hooks/" .. name end

-- An independent HMAC-SHA256 (lowercase hex): the openssl command line.
function _M.openssl_hmac(key, msg)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(msg)
  f:close()
  local p = assert(io.popen("openssl dgst -sha256 -hmac " .. shell_quote(key) .. " " .. path))
  local out = p:read("a")
  p:close()
  os.remove(path)
  return out:match("([0-9a-f]+)%s*$")
end

local function sleep(s)
  local ok, core = pcall(require, "mailgun.core")
  if ok and core.sleep then core.sleep(s) else os.execute("sleep " .. s) end
end
_M.sleep = sleep

-- Poll fn until it returns a truthy value (webhooks are delivered async).
function _M.wait(fn, timeout)
  local deadline = os.time() + (timeout or 5)
  repeat
    local v = fn()
    if v then return v end
    sleep(0.05)
  until os.time() > deadline
  return fn()
end

return _M

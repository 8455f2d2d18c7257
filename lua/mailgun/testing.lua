-- A sandbox for your own test suites (busted or plain Lua): a real local
-- server that speaks the Mailgun and MailerSend APIs, records deliveries
-- and injects faults.
--
--   local testing = require("mailgun.testing")
--   local sb = testing.start()            -- raises when it cannot start
--   local client = mailgun.new(sb.mailgun)  -- {api_key=, domain=, base_url=}
--   local ms = mailersend.new(sb.mailersend) -- {token=, base_url=}
--   ... client.messages:send{...}
--   sb:deliveries{to = "ann@example.com"}  -- one entry per recipient copy
--   sb:fault{path = "/v3/sandbox.test/messages", status = 503, count = 1}
--   sb:reset()                             -- forget messages, faults, data
--   sb:stop()                              -- also at exit of the process
--
-- The launcher (mailgun-sandbox, nginx with lua-nginx-module) is found
-- from $MAILGUN_SANDBOX, beside this library (a checkout or an install
-- made with `make install install-sandbox`), or on PATH.
local core = require("mailgun.core")
local cjson = require("cjson.safe")

local type, tostring, error, setmetatable, pairs, ipairs =
  type, tostring, error, setmetatable, pairs, ipairs
local concat, sort = table.concat, table.sort

local _M = {}

local Sandbox = {}
Sandbox.__index = Sandbox

local DEFAULTS = {
  mailgun_key = "key-sandbox",
  domain = "sandbox.test",
  mailersend_token = "mlsn.sandbox",
  signing_key = "sandbox-signing-key",
}

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() end
  return f ~= nil
end

-- The launcher: $MAILGUN_SANDBOX, then relative to this file
-- (checkout: ROOT/lua/mailgun/testing.lua; install:
-- PREFIX/share/lua/5.x/mailgun/testing.lua), then PATH.
local function launcher()
  local env = os.getenv("MAILGUN_SANDBOX")
  if env and env ~= "" then return env end
  local src = debug.getinfo(1, "S").source:gsub("^@", "")
  local dir = src:match("^(.*)/mailgun/testing%.lua$") or "."
  for _, candidate in ipairs({ dir .. "/../bin/mailgun-sandbox", dir .. "/../../../bin/mailgun-sandbox" }) do
    if exists(candidate) then return candidate end
  end
  return "mailgun-sandbox"
end
_M.launcher = launcher

local function own_pid()
  local f = io.open("/proc/self/stat", "r")
  if not f then return nil end
  local pid = f:read("*l"):match("^(%d+)")
  f:close()
  return pid
end

local START_OPTIONS = { port = "number", mailgun_key = "string", domain = "string",
                        mailersend_token = "string", signing_key = "string" }

-- testing.start{port=, mailgun_key=, domain=, mailersend_token=,
--   signing_key=} -> sandbox; raises when the sandbox cannot start.
function _M.start(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("bad argument #1 to 'testing.start' (table expected, got " .. type(opts) .. ")", 2)
  end
  for k, v in pairs(opts) do
    if START_OPTIONS[k] == nil then
      error("bad argument #1 to 'testing.start' (unknown option '" .. tostring(k) .. "')", 2)
    elseif type(v) ~= START_OPTIONS[k] then
      error("bad argument 'opts." .. k .. "' to 'testing.start' (" .. START_OPTIONS[k]
        .. " expected, got " .. type(v) .. ")", 2)
    end
  end
  local cfg = {}
  for k, v in pairs(DEFAULTS) do cfg[k] = opts[k] or v end
  local pidfile = os.tmpname()
  os.remove(pidfile)
  local cmd = { quote(launcher()), "--daemon --quiet --pid-file", quote(pidfile),
    "--mailgun-key", quote(cfg.mailgun_key), "--domain", quote(cfg.domain),
    "--mailersend-token", quote(cfg.mailersend_token), "--signing-key", quote(cfg.signing_key) }
  if opts.port then cmd[#cmd + 1] = "--port " .. opts.port end
  local pid = own_pid()
  if pid then cmd[#cmd + 1] = "--watch-pid " .. pid end
  local p = assert(io.popen(concat(cmd, " ") .. " 2>&1", "r"))
  local out = p:read("*a")
  p:close()
  local url = out:match("(http://[%w%.%-]+:%d+)")
  if not url then error("mailgun.testing: the sandbox did not start: " .. out, 2) end
  local sb = setmetatable({
    url = url,
    pidfile = pidfile,
    mailgun_key = cfg.mailgun_key,
    domain = cfg.domain,
    mailersend_token = cfg.mailersend_token,
    signing_key = cfg.signing_key,
    -- ready-made options for mailgun.new / mailersend.new
    mailgun = { api_key = cfg.mailgun_key, domain = cfg.domain, base_url = url },
    mailersend = { token = cfg.mailersend_token, base_url = url .. "/v1" },
  }, Sandbox)
  -- stopped when the sandbox object is collected (and at exit); the
  -- sandbox also watches this process and stops when it is gone
  sb._sentinel = setmetatable({}, { __gc = function() sb:stop() end })
  return sb
end

function Sandbox:stop()
  if not self.pidfile then return end
  os.execute(quote(launcher()) .. " --stop --pid-file " .. quote(self.pidfile) .. " >/dev/null 2>&1")
  os.remove(self.pidfile)
  self.pidfile = nil
  if self._session then self._session:close(); self._session = nil end
end

local function encode_query(filter)
  if not filter then return "" end
  local keys, out = {}, {}
  for k in pairs(filter) do keys[#keys + 1] = k end
  sort(keys)
  for _, k in ipairs(keys) do
    local v = tostring(filter[k]):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end)
    out[#out + 1] = k .. "=" .. v
  end
  return "?" .. concat(out, "&")
end

-- One request to the sandbox's control API; raises on failure (a test
-- helper: a broken sandbox should stop the test).
function Sandbox:control(method, path, body, filter)
  if not self.pidfile then error("mailgun.testing: the sandbox was stopped", 3) end
  self._session = self._session or core.session({ timeout = 30000 })
  local req = { method = method, url = self.url .. path .. encode_query(filter), headers = {} }
  if body ~= nil then
    req.body = assert(cjson.encode(body))
    req.headers["Content-Type"] = "application/json"
  end
  local res, word, _, detail = self._session:request(req)
  if not res then
    error("mailgun.testing: " .. method .. " " .. path .. ": " .. tostring(word) .. " " .. tostring(detail), 3)
  end
  if res.status >= 300 then
    error("mailgun.testing: " .. method .. " " .. path .. ": " .. res.status .. " " .. res.body, 3)
  end
  return cjson.decode(res.body ~= "" and res.body or "null")
end

-- Delivered per-recipient copies, optionally filtered ({to=, provider=, ...}).
function Sandbox:deliveries(filter)
  return self:control("GET", "/sandbox/messages", nil, filter).items
end

-- Every request the sandbox recorded ({path=, method=} filters).
function Sandbox:requests(filter)
  return self:control("GET", "/sandbox/requests", nil, filter).items
end

-- A fault rule: {method=, path=, status=, retry_after=, delay_ms=, drop=,
-- truncate=, count=}; see docs/sandbox.md.
function Sandbox:fault(rule)
  if type(rule) ~= "table" then
    error("bad argument #1 to 'sandbox:fault' (table expected, got " .. type(rule) .. ")", 2)
  end
  return self:control("POST", "/sandbox/faults", rule).items[1]
end

-- Forgets messages, events, faults and data created by the tests.
function Sandbox:reset()
  self:control("DELETE", "/sandbox")
  return self
end

return _M

-- Spec helper: a real SMTP server (aiosmtpd, spec/support/smtp_server.py)
-- on 127.0.0.1 with STARTTLS (a self-signed certificate made with openssl
-- at start) and AUTH; it saves each accepted message.
--
--   local smtp_server = require("support.smtp_server")
--   local s = smtp_server.start{drop_after = bytes, no_tls = true}
--   s.port, s.cafile, s.user, s.password
--   s:count()          -- messages saved so far
--   s:raw(n)           -- the bytes of message n as received
--   s:envelope(n)      -- {mail_from=, rcpt_tos=, peer_port=, login=, tls=}
--   s:inspect(n)       -- Python's strict parser: {headers=, parts=, defects=, max_line=}
--   s:stop()           -- also when collected, and when this process ends
local cjson = require("cjson.safe")
local shell = require("support.shell")

local _M = { USER = "smtp-user", PASSWORD = "smtp-secret-pw" }

-- Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv shim)
local PYTHON = io.open("/usr/bin/python3", "r") and "/usr/bin/python3" or "python3"

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function root()
  local src = debug.getinfo(1, "S").source:gsub("^@", "")
  return src:match("^(.*)/spec/support/[^/]+$") or "."
end

local function mktemp_dir()
  local p = assert(io.popen("mktemp -d /tmp/mg-smtp.XXXXXX"))
  local dir = p:read("*l")
  p:close()
  return dir
end

local certs
local function certificate()
  if certs then return certs end
  local dir = mktemp_dir()
  local ok = shell.execute("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
    .. " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " .. quote(dir .. "/key.pem")
    .. " -out " .. quote(dir .. "/cert.pem") .. " >/dev/null 2>&1")
  assert(ok, "openssl could not make a certificate")
  certs = { dir = dir, cert = dir .. "/cert.pem", key = dir .. "/key.pem" }
  return certs
end

local Server = {}
Server.__index = Server

function _M.start(opts)
  opts = opts or {}
  local c = certificate()
  local dir = mktemp_dir()
  local ready = dir .. "/ready"
  local cmd = PYTHON .. " " .. quote(root() .. "/spec/support/smtp_server.py")
    .. " --dir " .. quote(dir) .. " --cert " .. quote(c.cert) .. " --key " .. quote(c.key)
    .. " --user " .. quote(_M.USER) .. " --password " .. quote(_M.PASSWORD)
    .. " --ready " .. quote(ready)
  if opts.drop_after then cmd = cmd .. " --drop-after " .. opts.drop_after end
  if opts.no_tls then cmd = cmd .. " --no-tls" end
  local pid = shell.own_pid()
  if pid then cmd = cmd .. " --watch-pid " .. pid end
  local p = assert(io.popen(cmd .. " >" .. quote(dir .. "/log") .. " 2>&1 & echo $!"))
  local server_pid = p:read("*l")
  p:close()
  local port
  -- python's start can take many seconds on a loaded machine; stop waiting
  -- early only when the process is gone
  for _ = 1, 1200 do
    local text = shell.read_file(ready)
    port = text and tonumber(text:match("%d+"))
    if port or not shell.execute("kill -0 " .. server_pid .. " 2>/dev/null") then break end
    require("mailgun.core").sleep(0.05)
  end
  if not port then
    error("the SMTP server did not start:\n" .. (shell.read_file(dir .. "/log") or ""), 2)
  end
  local s = setmetatable({ port = port, dir = dir, pid = server_pid, cafile = c.cert,
                           user = _M.USER, password = _M.PASSWORD }, Server)
  s.sentinel = setmetatable({}, { __gc = function() s:stop() end })
  return s
end

function Server:stop()
  if self.pid then
    os.execute("kill " .. self.pid .. " 2>/dev/null")
    self.pid = nil
  end
end

function Server:count()
  local n = 0
  while shell.read_file(self.dir .. "/" .. (n + 1) .. ".json") do n = n + 1 end
  return n
end

function Server:raw(n)
  return shell.read_file(self.dir .. "/" .. n .. ".eml")
end

function Server:envelope(n)
  return cjson.decode(shell.read_file(self.dir .. "/" .. n .. ".json") or "null")
end

function Server:inspect(n)
  local p = assert(io.popen(PYTHON .. " " .. quote(root() .. "/spec/support/smtp_server.py")
    .. " --inspect " .. quote(self.dir .. "/" .. n .. ".eml") .. " 2>&1"))
  local out = p:read("*a")
  p:close()
  return cjson.decode(out) or error("the strict parser failed:\n" .. out)
end

-- the options for mailgun.smtp / mailersend.smtp pointing at this server
function Server:options(extra)
  local o = { host = "127.0.0.1", port = self.port, username = self.user,
              password = self.password, cafile = self.cafile, timeout = 60 }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

return _M

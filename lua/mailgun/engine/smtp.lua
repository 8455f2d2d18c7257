-- SMTP submission on the core (core.smtp + core.mime), for any provider:
--   local s = smtp.session(opts, "provider name")
--   s:deliver{from = {email=, name=}, recipients = {"a@x", ...},
--             headers = {{name, value}, ...}, text =, html =,
--             attachments = {{path= | data=, filename=, content_type=}},
--             inline = {{..., cid=}}} -> {message_id = "<...>"} | nil, err
--   s:close()
--   smtp.client(s, build) -> object with :send(msg) and :close() (the
--   providers' smtp objects; build maps their message table)
-- opts: host (required), port (587), username, password, tls = "starttls"
-- (default; required, never falls back to clear text) | "implicit" (smtps,
-- the default on port 465), allow_insecure (STARTTLS when offered, clear
-- text otherwise), verify (true), cafile, capath, timeout, connect_timeout
-- (seconds). One connection is kept and reused for the next messages.
local core = require("mailgun.core")
local errors = require("mailgun.engine.errors")

local type, error, pairs, ipairs, tostring, setmetatable, floor =
  type, error, pairs, ipairs, tostring, setmetatable, math.floor

local _M = {}

local OPTIONS = {
  host = "string", port = "number", username = "string", password = "string", tls = "string",
  allow_insecure = "boolean", verify = "boolean", cafile = "string", capath = "string",
  timeout = "number", connect_timeout = "number",
}
_M.OPTIONS = OPTIONS

-- {email=, name=} from "a@x", "Name <a@x>", '"Name" <a@x>' or
-- {email= | address=, name=}; nil, message otherwise.
function _M.address(v)
  local email, name
  if type(v) == "string" then
    local n, e = v:match("^%s*(.-)%s*<([^<>]*)>%s*$")
    if e then
      email, name = e, n:match('^"(.*)"$') or n
      name = name:gsub('\\(.)', "%1")
    else
      email = v:match("^%s*(.-)%s*$")
    end
  elseif type(v) == "table" then
    email, name = v.email or v.address, v.name
  end
  if type(email) ~= "string" or not email:find("^[^@%s<>]+@[^@%s<>]+$") then
    return nil, "not an email address: " .. tostring(email or v)
  end
  if name ~= nil and type(name) ~= "string" then return nil, "a name must be a string" end
  if name == "" then name = nil end
  return { email = email, name = name }
end

-- A list of addresses from one address or a list of them.
function _M.addresses(v)
  if v == nil then return {} end
  if type(v) == "string" or (type(v) == "table" and v[1] == nil) then v = { v } end
  local out = {}
  for i, item in ipairs(v) do
    local a, err = _M.address(item)
    if not a then return nil, err end
    out[i] = a
  end
  return out
end

local KIND = { auth = "auth", timeout = "timeout", rejected = "rejected" }

local TEXT = {
  auth = "the server refused the login",
  tls = "TLS could not be set up (STARTTLS refused or not offered, or the certificate failed)",
  rejected = "the server refused the message",
  connect = "could not connect", resolve = "could not resolve the host",
  timeout = "the server did not answer in time",
  send = "the connection failed while sending", recv = "the connection failed while receiving",
  closed = "the server closed the connection", file = "an attachment could not be read",
}

local Session = {}
Session.__index = Session

function _M.session(opts, provider)
  if type(opts) ~= "table" then
    error("bad argument #1 to '" .. provider .. ".smtp' (table expected, got " .. type(opts) .. ")", 3)
  end
  for k, v in pairs(opts) do
    if not OPTIONS[k] then
      error("bad argument #1 to '" .. provider .. ".smtp' (unknown option '" .. tostring(k) .. "')", 3)
    end
    if type(v) ~= OPTIONS[k] then
      error("bad argument 'opts." .. k .. "' to '" .. provider .. ".smtp' (" .. OPTIONS[k]
        .. " expected, got " .. type(v) .. ")", 3)
    end
  end
  if not opts.host then
    error("bad argument 'opts.host' to '" .. provider .. ".smtp' (string expected, got nil)", 3)
  end
  if not opts.host:find("^[%w%.%-:]+$") then
    error("bad argument 'opts.host' to '" .. provider .. ".smtp' (a host name or IP address expected)", 3)
  end
  local port = opts.port or 587
  if port < 1 or port > 65535 or port % 1 ~= 0 then
    error("bad argument 'opts.port' to '" .. provider .. ".smtp' (1 to 65535 expected)", 3)
  end
  local tls = opts.tls or (port == 465 and "implicit" or "starttls")
  if tls ~= "starttls" and tls ~= "implicit" then
    error("bad argument 'opts.tls' to '" .. provider .. ".smtp' ('starttls' or 'implicit' expected)", 3)
  end
  local host = opts.host:find(":", 1, true) and ("[" .. opts.host .. "]") or opts.host
  local session = core.smtp{
    url = (tls == "implicit" and "smtps://" or "smtp://") .. host .. ":" .. floor(port),
    username = opts.username, password = opts.password, allow_insecure = opts.allow_insecure,
    verify = opts.verify, cafile = opts.cafile, capath = opts.capath,
    timeout = opts.timeout and floor(opts.timeout * 1000),
    connect_timeout = opts.connect_timeout and floor(opts.connect_timeout * 1000),
  }
  return setmetatable({ session = session, provider = provider, host = opts.host,
                        secrets = { opts.password } }, Session)
end

function Session:deliver(m)
  local domain = m.from.email:match("@([^@]+)$")
  local mime, msg = core.mime{ headers = m.headers, text = m.text, html = m.html,
                               attachments = m.attachments, inline = m.inline, domain = domain }
  if not mime then return nil, errors.invalid(msg, { provider = self.provider }) end
  local ok, word, code, detail, reply, sent = self.session:send{
    from = m.from.email, to = m.recipients, message = mime }
  local message_id = mime:message_id()
  mime:close()
  if ok then return { message_id = message_id } end
  local err = errors.new({
    provider = self.provider, kind = KIND[word] or "network", reason = word, code = code,
    sent = sent, -- true: part of the message went out, but it was not accepted
    status = reply and reply >= 400 and reply or nil,
    message = (TEXT[word] or word) .. (detail and detail ~= "" and (": " .. detail) or "")
      .. " (smtp " .. self.host .. ")",
  })
  return nil, errors.redact(err, self.secrets)
end

function Session:close()
  self.session:close()
end

-- A provider's SMTP object: client:send(msg) maps the provider's message
-- table with build(msg) -> parts for deliver | nil, err, then delivers it.
local Client = {}
Client.__index = Client

function _M.client(session, build)
  return setmetatable({ session = session, build = build }, Client)
end

function Client:send(msg)
  if type(msg) ~= "table" then
    error("bad argument #1 to 'smtp:send' (table expected, got " .. type(msg) .. ")", 2)
  end
  local m, err = self.build(msg)
  if not m then return nil, err end
  return self.session:deliver(m)
end

function Client:close()
  self.session:close()
end

return _M

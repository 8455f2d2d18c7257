-- The OpenResty transport: HTTP/1.1 on ngx.socket.tcp, so a request made
-- from a content/access/rewrite handler or a timer yields to nginx instead
-- of stalling the worker. TLS with certificate verification and SNI
-- (nginx needs `lua_ssl_trusted_certificate` for verification), keep-alive
-- pools per host:port(:tls), Content-Length and chunked answers, request
-- bodies from a string or streamed from a C core form. Same contract as
-- transport/curl.lua:
--   transport:request(req) -> res {status, headers (lowercase), body}
--                           | nil, word, detail
--   transport:sleep(seconds)   (ngx.sleep)   transport:now() (ngx.now)
local defaults = require("mailgun.engine.defaults")
local ngx = ngx
local tcp = ngx.socket.tcp
local ngx_sleep, ngx_now, update_time, get_phase = ngx.sleep, ngx.now, ngx.update_time, ngx.get_phase

local type, tostring, tonumber, pairs, ipairs, setmetatable, pcall =
  type, tostring, tonumber, pairs, ipairs, setmetatable, pcall
local concat = table.concat
local lower, find, sub, match, format = string.lower, string.find, string.sub, string.match,
  string.format
local min, floor = math.min, math.floor

local _M = { _VERSION = require("mailgun.engine.version") }
local mt = { __index = _M }

-- What this transport can do (see docs/internals.md): its requests yield
-- to nginx's event loop, so async calls run on light threads (no loop).
_M.capabilities = { yields = true }

-- Phases where cosockets may be used (ngx_lua's documentation).
local COSOCKET_PHASES = {
  rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true,
}
_M.COSOCKET_PHASES = COSOCKET_PHASES

local CHUNK = 65536               -- form bytes read and sent at a time

-- opts: timeout (one attempt, whole: default 30), connect_timeout (default
-- 10) in seconds, verify (default true), user_agent, max_body (bytes,
-- default 32 MiB), max_header_bytes (status line + headers, default 64 KiB),
-- keepalive_timeout (seconds, default 60), pool_size (default 32). cafile/capath/proxy are nginx settings here
-- (lua_ssl_trusted_certificate) and are ignored; proxy is refused.
function _M.new(opts)
  opts = opts or {}
  return setmetatable({
    name = "resty",
    options = opts,
    timeout = opts.timeout or defaults.timeout,
    connect_timeout = opts.connect_timeout or defaults.connect_timeout,
    verify = opts.verify ~= false,
    user_agent = opts.user_agent,
    max_body = opts.max_body or defaults.max_body,
    max_header_bytes = opts.max_header_bytes or defaults.max_header_bytes,
    keepalive_timeout = opts.keepalive_timeout or 60,
    pool_size = opts.pool_size or 32,
    proxy = opts.proxy,
  }, mt)
end

-- nil when cosockets work here, else the plain explanation.
function _M.unavailable()
  local phase = get_phase and get_phase() or "unknown"
  if COSOCKET_PHASES[phase] then return nil end
  return "cosockets are not available in the " .. phase .. " phase; call from a"
    .. " content/access/rewrite handler or ngx.timer.at"
end

-- "https://user@host:port/path?q" -> tls, host, port, target
local function split_url(u)
  local scheme, rest = match(u, "^(%a[%w+.-]*)://(.*)$")
  if not scheme then return nil, "not an absolute URL" end
  scheme = lower(scheme)
  if scheme ~= "http" and scheme ~= "https" then
    return nil, "unsupported scheme '" .. scheme .. "'"
  end
  local authority, target = match(rest, "^([^/?#]*)(.*)$")
  target = target:gsub("#.*$", "")
  if target == "" then target = "/" elseif sub(target, 1, 1) == "?" then target = "/" .. target end
  if find(authority, "@", 1, true) then
    return nil, "credentials in the URL are not supported"
  end
  local host, port = match(authority, "^%[([^%]]+)%]:?(%d*)$") -- [IPv6]:port
  if not host then host, port = match(authority, "^([^:]+):?(%d*)$") end
  if not host or host == "" then return nil, "no host in the URL" end
  local tls = scheme == "https"
  port = tonumber(port) or (tls and 443 or 80)
  return { tls = tls, host = lower(host), port = port, target = target,
           authority = authority }
end

local function has_line_break(s)
  return find(s, "[\r\n]") ~= nil
end

-- RFC 7230 token
local function is_token(s)
  return find(s, "^[!#$%%&'*+%-.^_`|~%w]+$") ~= nil
end

-- The request head, or nil, detail.
local function head_of(self, req, u, length, content_type)
  local lines = { (req.method or "GET") .. " " .. u.target .. " HTTP/1.1" }
  local seen = {}
  for name, value in pairs(req.headers or {}) do
    local lname = lower(name)
    if lname ~= "host" and lname ~= "content-length" and lname ~= "transfer-encoding"
      and lname ~= "connection" then
      if type(name) ~= "string" or not is_token(name) then
        return nil, "header name '" .. tostring(name):gsub("[%c]", "?") .. "' is not an RFC 7230 token"
      end
      local values = type(value) == "table" and value or { value }
      for _, v in ipairs(values) do
        if type(v) ~= "string" and type(v) ~= "number" then
          return nil, "header '" .. name .. "' has a " .. type(v) .. " value (a string is expected)"
        end
        v = tostring(v)
        if has_line_break(v) then
          return nil, "header '" .. name .. "' contains a line break"
        end
        lines[#lines + 1] = name .. ": " .. v
      end
      seen[lname] = true
    end
  end
  lines[#lines + 1] = "Host: " .. u.authority
  if not seen["user-agent"] and self.user_agent then
    lines[#lines + 1] = "User-Agent: " .. self.user_agent
  end
  if content_type and not seen["content-type"] then
    lines[#lines + 1] = "Content-Type: " .. content_type
  end
  if length then
    lines[#lines + 1] = "Content-Length: " .. format("%d", length)
  end
  lines[#lines + 1] = "Connection: keep-alive"
  lines[#lines + 1] = ""
  lines[#lines + 1] = ""
  return concat(lines, "\r\n")
end

local function add_header(headers, name, value)
  local old = headers[name]
  if old == nil then
    headers[name] = value
  elseif type(old) == "table" then
    old[#old + 1] = value
  else
    headers[name] = { old, value }
  end
end

local function first(v)
  if type(v) == "table" then return v[#v] end
  return v
end

-- Reading with a deadline ---------------------------------------------------
-- nginx re-arms a cosocket's read timeout on every byte that arrives, so a
-- server dripping one byte per second would hold receive("*l") forever.
-- Every read here is one receiveany() whose timeout is what is left of the
-- attempt: the attempt ends at its deadline whatever the server does.

local function left_ms(deadline)
  update_time()
  return floor((deadline - ngx_now()) * 1000)
end

-- Arms sock for one operation; false when the deadline has passed.
local function arm(sock, deadline)
  local ms = left_ms(deadline)
  if ms <= 0 then return false end
  sock:settimeout(ms)
  return true
end

local Reader = {}
Reader.__index = Reader

local function reader(sock, deadline)
  return setmetatable({ sock = sock, deadline = deadline, buf = "" }, Reader)
end

-- More bytes into buf; -> true | nil, word, detail
function Reader:fill(what)
  if not arm(self.sock, self.deadline) then
    return nil, "timeout", what .. ": the attempt's timeout ran out"
  end
  local data, err = self.sock:receiveany(CHUNK)
  if not data then
    if err == "timeout" then return nil, "timeout", what .. ": the attempt's timeout ran out" end
    return nil, err == "closed" and "closed" or "recv", what .. ": " .. tostring(err)
  end
  self.buf = self.buf .. data
  return true
end

-- One line without its CRLF; the line and what it counts against
-- (budget.left bytes) may not grow past the budget.
function Reader:line(budget, what)
  while true do
    local i = find(self.buf, "\n", 1, true)
    if i then
      budget.left = budget.left - i
      if budget.left < 0 then return nil, "too_large", budget.message end
      local line = sub(self.buf, 1, i - 1)
      self.buf = sub(self.buf, i + 1)
      if sub(line, -1) == "\r" then line = sub(line, 1, -2) end
      return line
    end
    if #self.buf > budget.left then return nil, "too_large", budget.message end
    local ok, word, detail = self:fill(what)
    if not ok then return nil, word, detail end
  end
end

-- Exactly n bytes (n = nil: until the server closes), appended to parts;
-- -> true | nil, word, detail. size.total counts against max_body.
function Reader:bytes(n, parts, size, max_body)
  while n == nil or n > 0 do
    if self.buf == "" then
      local ok, word, detail = self:fill("reading the body")
      if not ok then
        if n == nil and word == "closed" then return true end
        return nil, word, detail
      end
    end
    local take = n and min(n, #self.buf) or #self.buf
    size.total = size.total + take
    if max_body and size.total > max_body then
      return nil, "too_large", "the body is larger than max_body (" .. max_body .. " bytes)"
    end
    parts[#parts + 1] = sub(self.buf, 1, take)
    self.buf = sub(self.buf, take + 1)
    if n then n = n - take end
  end
  return true
end

-- A chunked body; trailers count against the header budget.
local function read_chunked(r, max_body, budget)
  local parts, size = {}, { total = 0 }
  local line_budget = { left = 0, message = "a chunk size line is too long" }
  while true do
    line_budget.left = 1024
    local line, word, detail = r:line(line_budget, "reading a chunk size")
    if not line then return nil, word, detail end
    local n = tonumber(match(line, "^%s*(%x+)"), 16)
    if not n then return nil, "recv", "bad chunk size line" end
    if n == 0 then
      repeat
        line, word, detail = r:line(budget, "reading trailers")
        if not line then return nil, word, detail end
      until line == ""
      return concat(parts)
    end
    if max_body and size.total + n > max_body then
      return nil, "too_large", "the body is larger than max_body (" .. max_body .. " bytes)"
    end
    local ok
    ok, word, detail = r:bytes(n, parts, size, max_body)
    if not ok then return nil, word, detail end
    line_budget.left = 2
    line, word, detail = r:line(line_budget, "reading a chunk end")
    if not line then return nil, word, detail end
  end
end

-- Sends the body: a string or the C core form streamed with :read(n).
local function send_body(sock, req, deadline)
  if req.form then
    while true do
      local data = req.form:read(CHUNK)
      if not data then return true end
      if not arm(sock, deadline) then return nil, "timeout" end
      local ok, err = sock:send(data)
      if not ok then return nil, err end
    end
  elseif req.body and req.body ~= "" then
    if not arm(sock, deadline) then return nil, "timeout" end
    return sock:send(req.body)
  end
  return true
end

-- Connects and does the TLS handshake. -> sock | nil, word, detail (never
-- sent). A `once` request (not idempotent) never takes a pooled connection:
-- one the server closed while it idled would fail after the request was
-- written, and nobody could tell whether the server had read it. Such
-- connections are closed after use, so their pool stays empty.
local function connect(self, u, deadline, once)
  local pool = u.host .. ":" .. u.port .. (u.tls and ":tls" or "") .. (once and ":once" or "")
  local address = u.host == "localhost" and "127.0.0.1" or u.host
  local sock = tcp()
  local ms = left_ms(deadline)
  if ms <= 0 then return nil, "timeout", "connecting to " .. u.authority .. " timed out" end
  sock:settimeouts(min(ms, self.connect_timeout * 1000), ms, ms)
  local ok, err = sock:connect(address, u.port, { pool = pool })
  if not ok then
    if err and find(err, "resolve", 1, true) then
      return nil, "resolve", err .. (find(err, "no resolver", 1, true)
        and " (add a `resolver` directive to the nginx configuration)" or "")
    end
    if err == "timeout" then return nil, "timeout", "connecting to " .. u.authority .. " timed out" end
    return nil, "connect", tostring(err)
  end
  if u.tls and (sock:getreusedtimes() or 0) == 0 then
    if not arm(sock, deadline) then sock:close(); return nil, "timeout", "the TLS handshake timed out" end
    local session
    session, err = sock:sslhandshake(nil, u.host, self.verify)
    if not session then
      sock:close()
      if err == "timeout" then return nil, "timeout", "the TLS handshake timed out" end
      return nil, "tls", tostring(err)
    end
  end
  return sock
end

-- Status line and headers, skipping 1xx; -> status, version, headers | nil, word, detail
local function read_head(self, r)
  local budget = { left = self.max_header_bytes,
                   message = "the response headers are larger than " .. self.max_header_bytes .. " bytes" }
  while true do
    local line, word, detail = r:line(budget, "waiting for the answer")
    if not line then
      if word == "closed" then
        return nil, "closed", "the server closed the connection without an answer"
      end
      return nil, word, detail
    end
    local version, status = match(line, "^HTTP/(%d%.%d) (%d%d%d)")
    status = tonumber(status)
    if not status then return nil, "recv", "bad status line" end
    local headers = {}
    while true do
      line, word, detail = r:line(budget, "reading the headers")
      if not line then return nil, word == "closed" and "recv" or word, detail end
      if line == "" then break end
      local name, value = match(line, "^([^:]+):%s*(.-)%s*$")
      if name then add_header(headers, lower(name), value) end
    end
    if status >= 200 or status == 101 then return status, version, headers, budget end
  end
end

-- The body per the head; -> body, keep | nil, word, detail
local function read_body(self, r, req, status, version, headers, budget)
  local keep = version == "1.1"
  local connection = lower(first(headers["connection"]) or "")
  if connection == "close" then keep = false elseif connection == "keep-alive" then keep = true end
  if req.method == "HEAD" or status == 204 or status == 304 or status < 200 then
    return "", keep
  end
  local te = lower(first(headers["transfer-encoding"]) or "")
  local cl = tonumber(first(headers["content-length"]) or "")
  local max_body = self.max_body
  if find(te, "chunked", 1, true) then
    local body, word, detail = read_chunked(r, max_body, budget)
    if not body then return nil, word, detail end
    return body, keep
  end
  local parts, size = {}, { total = 0 }
  if cl then
    if max_body and cl > max_body then
      return nil, "too_large", "the body is larger than max_body (" .. max_body .. " bytes)"
    end
    local ok, word, detail = r:bytes(cl, parts, size, max_body)
    if not ok then return nil, word == "closed" and "recv" or word, detail end
    return concat(parts), keep
  end
  local ok, word, detail = r:bytes(nil, parts, size, max_body)
  if not ok then return nil, word, detail end
  return concat(parts), false
end

-- One attempt on one connection, ending by `deadline` (ngx.now() seconds).
-- -> res | nil, word, detail, sent (false only when nothing was written)
local function attempt(self, req, u, deadline)
  local length, content_type
  if req.form then
    length, content_type = req.form:length(), req.form:content_type()
  elseif req.body then
    length = #req.body
  elseif req.method ~= "GET" and req.method ~= "HEAD" and req.method ~= "DELETE"
    and req.method ~= "OPTIONS" then
    length = 0
  end
  local head, herr = head_of(self, req, u, length, content_type)
  if not head then return nil, "error", herr, false end
  local sock, word, detail = connect(self, u, deadline, req.once)
  if not sock then return nil, word, detail, false end

  -- from here on the server may have the request: never sent again here
  local ok, err
  if arm(sock, deadline) then ok, err = sock:send(head) else err = "timeout" end
  if ok then ok, err = send_body(sock, req, deadline) end
  if not ok then
    sock:close()
    if err == "timeout" then return nil, "timeout", "sending timed out", true end
    return nil, "send", tostring(err), true
  end
  local r = reader(sock, deadline)
  local status, version, headers, budget = read_head(self, r)
  if not status then sock:close(); return nil, version, headers, true end
  local body, keep
  body, keep, detail = read_body(self, r, req, status, version, headers, budget)
  if not body then sock:close(); return nil, keep, detail, true end
  if keep and r.buf == "" and not req.once then
    sock:setkeepalive(self.keepalive_timeout * 1000, self.pool_size)
  else
    sock:close()
  end
  return { status = status, headers = headers, body = body }
end

-- req: method, url, headers, body | form, timeout (seconds, the whole
-- attempt), once (not idempotent: a fresh connection) -> res | nil, word,
-- detail, sent. Nothing is ever re-sent here: every attempt is the engine's.
function _M:request(req)
  local why = _M.unavailable()
  if why then return nil, "unsupported", why, false end
  if self.proxy then
    return nil, "proxy", "proxies are not supported by the OpenResty transport", false
  end
  local u, uerr = split_url(req.url or "")
  if not u then return nil, "url", uerr, false end
  update_time()
  local deadline = ngx_now() + (req.timeout or self.timeout)
  local ok, res, word, detail, sent = pcall(attempt, self, req, u, deadline)
  if not ok then return nil, "error", tostring(res) end
  if not res then return nil, word, detail, sent end
  return res
end

function _M:now()
  update_time()
  return ngx_now()
end

function _M:sleep(seconds)
  if seconds and seconds > 0 then ngx_sleep(seconds) end
end

function _M:close()
end

-- exported for the specs
_M.split_url = split_url

return _M

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
local ngx = ngx
local tcp = ngx.socket.tcp
local ngx_sleep, ngx_now, update_time, get_phase = ngx.sleep, ngx.now, ngx.update_time, ngx.get_phase

local type, tostring, tonumber, pairs, ipairs, setmetatable, pcall =
  type, tostring, tonumber, pairs, ipairs, setmetatable, pcall
local concat = table.concat
local lower, find, sub, match, format = string.lower, string.find, string.sub, string.match,
  string.format
local min, floor = math.min, math.floor

local _M = { _VERSION = "0.1.0" }
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

local DEFAULT_TIMEOUT = 60        -- seconds, a whole request
local DEFAULT_CONNECT_TIMEOUT = 10
local CHUNK = 65536               -- form bytes read and sent at a time

-- opts: timeout, connect_timeout (seconds), verify (default true),
-- user_agent, max_body (bytes), keepalive_timeout (seconds, default 60),
-- pool_size (default 32). cafile/capath/proxy are nginx settings here
-- (lua_ssl_trusted_certificate) and are ignored; proxy is refused.
function _M.new(opts)
  opts = opts or {}
  return setmetatable({
    name = "resty",
    options = opts,
    timeout = opts.timeout or DEFAULT_TIMEOUT,
    connect_timeout = opts.connect_timeout or DEFAULT_CONNECT_TIMEOUT,
    verify = opts.verify ~= false,
    user_agent = opts.user_agent,
    max_body = opts.max_body,
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

-- The request head, or nil, detail.
local function head_of(self, req, u, length, content_type)
  local lines = { (req.method or "GET") .. " " .. u.target .. " HTTP/1.1" }
  local seen = {}
  for name, value in pairs(req.headers or {}) do
    local lname = lower(name)
    if lname ~= "host" and lname ~= "content-length" and lname ~= "transfer-encoding"
      and lname ~= "connection" then
      local values = type(value) == "table" and value or { value }
      for _, v in ipairs(values) do
        v = tostring(v)
        if has_line_break(v) or has_line_break(name) then
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

-- ngx error text -> contract word
local function read_word(err)
  if err == "timeout" then return "timeout" end
  return "recv"
end

-- Reads a chunked body; -> body | nil, word, detail
local function read_chunked(sock, max_body)
  local parts, size = {}, 0
  while true do
    local line, err = sock:receive("*l")
    if not line then return nil, read_word(err), "reading a chunk size: " .. tostring(err) end
    local n = tonumber(match(line, "^%s*(%x+)"), 16)
    if not n then return nil, "recv", "bad chunk size line" end
    if n == 0 then
      -- trailers until the empty line
      repeat
        line, err = sock:receive("*l")
        if not line then return nil, read_word(err), "reading trailers: " .. tostring(err) end
      until line == ""
      return concat(parts)
    end
    size = size + n
    if max_body and size > max_body then
      return nil, "too_large", "the body is larger than " .. max_body .. " bytes"
    end
    local data
    data, err = sock:receive(n)
    if not data then return nil, read_word(err), "reading a chunk: " .. tostring(err) end
    parts[#parts + 1] = data
    local crlf
    crlf, err = sock:receive("*l")
    if not crlf then return nil, read_word(err), "reading a chunk end: " .. tostring(err) end
  end
end

-- Reads until the server closes the connection.
local function read_to_close(sock, max_body)
  local parts, size = {}, 0
  while true do
    local data, err, partial = sock:receive(CHUNK)
    data = data or partial
    if data and data ~= "" then
      size = size + #data
      if max_body and size > max_body then
        return nil, "too_large", "the body is larger than " .. max_body .. " bytes"
      end
      parts[#parts + 1] = data
    end
    if err == "closed" then return concat(parts) end
    if err then return nil, read_word(err), "reading the body: " .. tostring(err) end
  end
end

-- Sends the body: a string or the C core form streamed with :read(n).
local function send_body(sock, req)
  if req.form then
    while true do
      local data = req.form:read(CHUNK)
      if not data then return true end
      local ok, err = sock:send(data)
      if not ok then return nil, err end
    end
  elseif req.body and req.body ~= "" then
    return sock:send(req.body)
  end
  return true
end

-- One attempt on one connection. -> res | nil, word, detail, retry_fresh
-- (retry_fresh: a reused keep-alive connection failed before any answer).
local function attempt(self, req, u, timeout_ms)
  local sock = tcp()
  local connect_ms = min(timeout_ms, self.connect_timeout * 1000)
  sock:settimeouts(connect_ms, timeout_ms, timeout_ms)
  local pool = u.host .. ":" .. u.port .. (u.tls and ":tls" or "")
  local address = u.host == "localhost" and "127.0.0.1" or u.host
  local ok, err = sock:connect(address, u.port, { pool = pool })
  if not ok then
    if err and find(err, "resolve", 1, true) then
      return nil, "resolve", err .. (find(err, "no resolver", 1, true)
        and " (add a `resolver` directive to the nginx configuration)" or "")
    end
    if err == "timeout" then return nil, "timeout", "connecting to " .. u.authority .. " timed out" end
    return nil, "connect", tostring(err)
  end
  local reused = (sock:getreusedtimes() or 0) > 0
  if u.tls and not reused then
    local session
    session, err = sock:sslhandshake(nil, u.host, self.verify)
    if not session then
      sock:close()
      if err == "timeout" then return nil, "timeout", "the TLS handshake timed out" end
      return nil, "tls", tostring(err)
    end
  end

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
  if not head then sock:close(); return nil, "error", herr end
  local sent
  sent, err = sock:send(head)
  if sent then sent, err = send_body(sock, req) end
  if not sent then
    sock:close()
    if err == "timeout" then return nil, "timeout", "sending timed out" end
    return nil, "send", tostring(err), reused
  end

  -- status line, skipping 1xx answers
  local status, version, line, headers
  repeat
    line, err = sock:receive("*l")
    if not line then
      sock:close()
      if err == "timeout" then return nil, "timeout", "waiting for the answer timed out" end
      return nil, "closed", "the server closed the connection without an answer", reused
    end
    version, status = match(line, "^HTTP/(%d%.%d) (%d%d%d)")
    status = tonumber(status)
    if not status then sock:close(); return nil, "recv", "bad status line" end
    headers = {}
    while true do
      line, err = sock:receive("*l")
      if not line then
        sock:close()
        return nil, read_word(err), "reading the headers: " .. tostring(err)
      end
      if line == "" then break end
      local name, value = match(line, "^([^:]+):%s*(.-)%s*$")
      if name then add_header(headers, lower(name), value) end
    end
  until status >= 200 or status == 101

  local body = ""
  local keep = version == "1.1"
  local connection = lower(first(headers["connection"]) or "")
  if connection == "close" then keep = false elseif connection == "keep-alive" then keep = true end
  local no_body = req.method == "HEAD" or status == 204 or status == 304 or status < 200
  if not no_body then
    local te = lower(first(headers["transfer-encoding"]) or "")
    local cl = tonumber(first(headers["content-length"]) or "")
    local word, detail
    if find(te, "chunked", 1, true) then
      body, word, detail = read_chunked(sock, self.max_body)
    elseif cl then
      if self.max_body and cl > self.max_body then
        body, word, detail = nil, "too_large", "the body is larger than " .. self.max_body .. " bytes"
      elseif cl > 0 then
        body, err = sock:receive(cl)
        if not body then word, detail = read_word(err), "reading the body: " .. tostring(err) end
      end
    else
      body, word, detail = read_to_close(sock, self.max_body)
      keep = false
    end
    if not body then sock:close(); return nil, word, detail end
  end
  if keep then
    sock:setkeepalive(self.keepalive_timeout * 1000, self.pool_size)
  else
    sock:close()
  end
  return { status = status, headers = headers, body = body }
end

-- req: method, url, headers, body | form, timeout (seconds)
-- -> res | nil, word, detail
function _M:request(req)
  local why = _M.unavailable()
  if why then return nil, "unsupported", why end
  if self.proxy then
    return nil, "proxy", "proxies are not supported by the OpenResty transport"
  end
  local u, uerr = split_url(req.url or "")
  if not u then return nil, "url", uerr end
  local timeout_ms = floor((req.timeout or self.timeout) * 1000)
  local ok, res, word, detail, retry_fresh = pcall(attempt, self, req, u, timeout_ms)
  local tries = 1
  while ok and not res and retry_fresh and tries <= self.pool_size do
    -- a pooled connection the server had closed: again, on another one
    if req.form then req.form:rewind() end
    ok, res, word, detail, retry_fresh = pcall(attempt, self, req, u, timeout_ms)
    tries = tries + 1
  end
  if not ok then return nil, "error", tostring(res) end
  if not res then return nil, word, detail end
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

-- The other side of inbound routes (POST /sandbox/inbound): posts an
-- inbound message to a URL the way Mailgun's forward() (fully parsed,
-- urlencoded or multipart; raw MIME for URLs ending in "mime") or a
-- MailerSend inbound route (signed JSON) does, and answers what the
-- receiver said.  Large attachments are generated while they are sent.
--   {provider = "mailgun" | "mailersend", url =, recipient =, sender =, from =,
--    to =, cc =, subject =, text =, html =, stripped_text =, message_id =,
--    in_reply_to =, references =, attachments = {{filename =, content_type =,
--    content = | size = (bytes 0..255 repeated), content_id =}},
--    mime = true (Mailgun raw MIME), encoding = "urlencoded" | "multipart",
--    secret = (MailerSend), bad_signature = true, truncate = bytes,
--    extra_fields = n}
-- -> 200 {status =, body =, sent = bytes}
local store = require("sandbox.store")
local util = require("sandbox.util")
local crypto = require("sandbox.crypto")

local tonumber, tostring, ipairs, pairs, type = tonumber, tostring, ipairs, pairs, type
local concat, floor = table.concat, math.floor

local _M = {}

local BLOCK
local function block()
  if not BLOCK then
    local bytes = {}
    for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
    BLOCK = concat(bytes):rep(256)
  end
  return BLOCK
end

-- the generated content of an attachment of n bytes (small ones only)
local function generated(n)
  local b = block()
  local parts = {}
  while n > 0 do
    parts[#parts + 1] = b:sub(1, n)
    n = n - #b
  end
  return concat(parts)
end

local function piece_len(p)
  return type(p) == "string" and #p or p.size
end

local function urlencode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function signature(key, bad)
  local ts = tostring(floor(ngx.now()))
  local token = util.hex(50)
  local sig = crypto.hmac_sha256(key, ts .. token)
  if bad then sig = crypto.hmac_sha256("not-" .. key, ts .. token) end
  return { timestamp = ts, token = token, signature = sig }
end

local function headers_of(v)
  local list = {
    { "Received", "from mx.example.net by sandbox; " .. os.date("!%a, %d %b %Y %H:%M:%S +0000") },
    { "From", v.from }, { "To", v.to or v.recipient }, { "Subject", v.subject or "" },
    { "Message-Id", "<" .. (v.message_id or util.hex(12) .. "@example.net") .. ">" },
  }
  if v.cc then list[#list + 1] = { "Cc", v.cc } end
  if v.in_reply_to then list[#list + 1] = { "In-Reply-To", "<" .. v.in_reply_to .. ">" } end
  if v.references then list[#list + 1] = { "References", v.references } end
  return list
end

local function content(a)
  return a.content or generated(tonumber(a.size) or 0)
end

-- a raw RFC 5322 message (Mailgun's body-mime)
local function mime_message(v)
  local b = "sandbox-mime-" .. util.hex(8)
  local out = {}
  for _, h in ipairs(headers_of(v)) do out[#out + 1] = h[1] .. ": " .. h[2] end
  out[#out + 1] = "MIME-Version: 1.0"
  out[#out + 1] = 'Content-Type: multipart/mixed; boundary="' .. b .. '"'
  out[#out + 1] = ""
  out[#out + 1] = "--" .. b
  out[#out + 1] = "Content-Type: text/plain; charset=utf-8"
  out[#out + 1] = "Content-Transfer-Encoding: base64"
  out[#out + 1] = ""
  out[#out + 1] = ngx.encode_base64(v.text or "")
  if v.html then
    out[#out + 1] = "--" .. b
    out[#out + 1] = "Content-Type: text/html; charset=utf-8"
    out[#out + 1] = ""
    out[#out + 1] = v.html
  end
  for _, a in ipairs(v.attachments or {}) do
    out[#out + 1] = "--" .. b
    out[#out + 1] = "Content-Type: " .. (a.content_type or "application/octet-stream")
    out[#out + 1] = "Content-Disposition: attachment; filename*=utf-8''" .. urlencode(a.filename)
    if a.content_id then out[#out + 1] = "Content-Id: <" .. a.content_id .. ">" end
    out[#out + 1] = "Content-Transfer-Encoding: base64"
    out[#out + 1] = ""
    out[#out + 1] = ngx.encode_base64(content(a)):gsub(("."):rep(76), "%0\r\n")
  end
  out[#out + 1] = "--" .. b .. "--"
  out[#out + 1] = ""
  return concat(out, "\r\n")
end

-- Mailgun: the fields of a forward() POST, in order
local function mailgun_fields(v)
  local sig = signature(store.mg.signing_key, v.bad_signature)
  local f = {
    { "recipient", v.recipient }, { "sender", v.sender or v.from }, { "from", v.from },
    { "subject", v.subject or "" },
  }
  if v.mime then
    f[#f + 1] = { "body-mime", mime_message(v) }
  else
    local hl = util.array()
    for _, h in ipairs(headers_of(v)) do hl[#hl + 1] = util.array({ h[1], h[2] }) end
    f[#f + 1] = { "body-plain", v.text or "" }
    f[#f + 1] = { "stripped-text", v.stripped_text or v.text or "" }
    if v.html then
      f[#f + 1] = { "body-html", v.html }
      f[#f + 1] = { "stripped-html", v.html }
    end
    f[#f + 1] = { "message-headers", util.encode(hl) }
    local cids = {}
    for i, a in ipairs(v.attachments or {}) do
      if a.content_id then cids["<" .. a.content_id .. ">"] = "attachment-" .. i end
    end
    f[#f + 1] = { "content-id-map", util.encode(util.object(cids)) }
    f[#f + 1] = { "attachment-count", tostring(#(v.attachments or {})) }
  end
  for i = 1, tonumber(v.extra_fields) or 0 do f[#f + 1] = { "X-Extra-" .. i, "x" } end
  f[#f + 1] = { "timestamp", sig.timestamp }
  f[#f + 1] = { "token", sig.token }
  f[#f + 1] = { "signature", sig.signature }
  return f
end

local function mailgun_body(v)
  local fields = mailgun_fields(v)
  local files = (not v.mime) and v.attachments or {}
  if v.encoding == "urlencoded" or (v.encoding == nil and #files == 0) then
    local pairs_ = {}
    for _, kv in ipairs(fields) do pairs_[#pairs_ + 1] = urlencode(kv[1]) .. "=" .. urlencode(kv[2]) end
    return { concat(pairs_, "&") }, "application/x-www-form-urlencoded"
  end
  local b = "sandbox-form-" .. util.hex(12)
  local pieces = {}
  for _, kv in ipairs(fields) do
    pieces[#pieces + 1] = "--" .. b .. '\r\nContent-Disposition: form-data; name="' .. kv[1]
      .. '"\r\n\r\n' .. kv[2] .. "\r\n"
  end
  for i, a in ipairs(files) do
    pieces[#pieces + 1] = "--" .. b .. '\r\nContent-Disposition: form-data; name="attachment-' .. i
      .. '"; filename="' .. tostring(a.filename):gsub('"', "%%22") .. '"\r\nContent-Type: '
      .. (a.content_type or "application/octet-stream") .. "\r\n\r\n"
    pieces[#pieces + 1] = a.content or { size = tonumber(a.size) or 0 }
    pieces[#pieces + 1] = "\r\n"
  end
  pieces[#pieces + 1] = "--" .. b .. "--\r\n"
  return pieces, "multipart/form-data; boundary=" .. b
end

local function mailersend_body(v)
  local function addr(s)
    local name, email = tostring(s):match("^%s*(.-)%s*<([^>]+)>")
    return { email = email or s, name = name ~= "" and name or util.null }
  end
  local headers = {}
  for _, h in ipairs(headers_of(v)) do headers[h[1]] = h[2] end
  local atts = util.array()
  for _, a in ipairs(v.attachments or {}) do
    local data = content(a)
    atts[#atts + 1] = { file_name = a.filename, content_type = a.content_type or "application/octet-stream",
      content_disposition = "attachment", content_id = a.content_id or util.null, size = #data,
      content = ngx.encode_base64(data) }
  end
  local to = util.array({ addr(v.to or v.recipient) })
  local payload = {
    type = "inbound.message", inbound_id = "sandbox-route", created_at = util.iso(),
    data = {
      object = "message", id = util.hex(24), created_at = util.iso(),
      raw = mime_message(v), subject = v.subject or "", text = v.text or "", html = v.html or "",
      from = addr(v.from), sender = { email = v.sender or addr(v.from).email },
      recipients = { rcptTo = util.array({ { email = v.recipient } }),
        to = { raw = v.to or v.recipient, data = to } },
      headers = headers, attachments = atts,
      spf_check = { code = "+", value = util.null }, dkim_check = false, is_spam = false,
    },
  }
  local raw = util.encode(payload)
  local key = v.secret or "sandbox-inbound-secret"
  local sig = crypto.hmac_sha256(v.bad_signature and ("not-" .. key) or key, raw)
  return { raw }, "application/json", { Signature = sig }
end

local function send(url, pieces, ctype, extra, truncate)
  local host, port, path = url:match("^http://([^/:]+):?(%d*)(.*)$")
  if not host then return nil, "url must be http://host[:port]/path" end
  if path == "" then path = "/" end
  local total = 0
  for _, p in ipairs(pieces) do total = total + piece_len(p) end
  local limit = tonumber(truncate) or total
  local sock = ngx.socket.tcp()
  sock:settimeout(120000)
  local ok, err = sock:connect(host == "localhost" and "127.0.0.1" or host, tonumber(port) or 80)
  if not ok then return nil, "connect: " .. tostring(err) end
  -- HTTP/1.0: the answer comes whole, never chunked
  local head = { "POST " .. path .. " HTTP/1.0", "Host: " .. host .. ":" .. (port or "80"),
    "User-Agent: mailgun-sandbox/1.0", "Content-Type: " .. ctype,
    "Content-Length: " .. limit, "Connection: close" }
  for k, v in pairs(extra or {}) do head[#head + 1] = k .. ": " .. v end
  ok, err = sock:send(concat(head, "\r\n") .. "\r\n\r\n")
  local sent = 0
  for _, p in ipairs(pieces) do
    if not ok or sent >= limit then break end
    if type(p) == "string" then
      local s = p:sub(1, limit - sent)
      ok, err = sock:send(s)
      sent = sent + #s
    else
      local left, b = p.size, block()
      while ok and left > 0 and sent < limit do
        local n = math.min(left, #b, limit - sent)
        ok, err = sock:send(n == #b and b or b:sub(1, n))
        left, sent = left - n, sent + n
      end
    end
  end
  if not ok then
    sock:close()
    return nil, "send: " .. tostring(err)
  end
  local status_line = sock:receive("*l")
  local status = status_line and tonumber(status_line:match("^HTTP/%d%.?%d?%s+(%d+)"))
  local rest = sock:receive("*a") or ""
  sock:close()
  return { status = status or util.null, body = rest:match("\r\n\r\n(.*)$") or "", sent = sent }
end

function _M.post(v)
  if type(v) ~= "table" or type(v.url) ~= "string" then return 400, { message = "url is required" } end
  if v.provider ~= "mailgun" and v.provider ~= "mailersend" then
    return 400, { message = "provider must be mailgun or mailersend" }
  end
  if not v.recipient or not v.from then return 400, { message = "recipient and from are required" } end
  local pieces, ctype, extra
  if v.provider == "mailgun" then
    pieces, ctype = mailgun_body(v)
  else
    pieces, ctype, extra = mailersend_body(v)
  end
  local res, err = send(v.url, pieces, ctype, extra, v.truncate)
  if not res then return 502, { message = err } end
  return 200, res
end

return _M

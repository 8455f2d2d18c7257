-- The one error shape of both clients: a table with kind, status, message,
-- body, headers, retry_after, code, errors, method, url, provider, and a
-- __tostring that never shows a secret. The engine names no provider: the
-- client that made the request (or the provider's own checks, through
-- errors.bound) sets err.provider; tostring starts with it when set.
local json = require("mailgun.engine.json")
local dates = require("mailgun.engine.dates")

local setmetatable, getmetatable, type, tostring, tonumber, pairs, ipairs =
  setmetatable, getmetatable, type, tostring, tonumber, pairs, ipairs
local concat, sort = table.concat, table.sort

local _M = {}

local error_mt = { __name = "mailgun.error" }

error_mt.__tostring = function(e)
  local parts = { e.provider and (e.provider .. ": ") or "" }
  if e.status then parts[#parts + 1] = tostring(e.status) .. " " end
  parts[#parts + 1] = e.kind or "error"
  if e.message then parts[#parts + 1] = ": " .. e.message end
  if e.method and e.path then
    parts[#parts + 1] = " (" .. e.method .. " " .. e.path .. ")"
  end
  return concat(parts)
end

function _M.is_error(v)
  return type(v) == "table" and getmetatable(v) == error_mt
end

-- Builds an error; fields as listed above.
function _M.new(fields)
  return setmetatable(fields, error_mt)
end

-- A bad input from the user: nothing was sent.
function _M.invalid(message, fields)
  fields = fields or {}
  fields.kind = "invalid"
  fields.message = message
  return setmetatable(fields, error_mt)
end

function _M.not_supported(message, fields)
  fields = fields or {}
  fields.kind = "not_supported"
  fields.message = message
  return setmetatable(fields, error_mt)
end

-- The constructors of one provider: invalid, not_supported and new set
-- fields.provider (unless given), so its own checks name it.
function _M.bound(provider)
  local function with(fields)
    fields = fields or {}
    if fields.provider == nil then fields.provider = provider end
    return fields
  end
  return {
    provider = provider,
    invalid = function(message, fields) return _M.invalid(message, with(fields)) end,
    not_supported = function(message, fields) return _M.not_supported(message, with(fields)) end,
    new = function(fields) return _M.new(with(fields)) end,
  }
end

local KIND_BY_STATUS = {
  [400] = "validation", [401] = "auth", [403] = "auth", [404] = "not_found",
  [413] = "validation", [422] = "validation", [429] = "rate_limited",
}

function _M.kind_for_status(status)
  return KIND_BY_STATUS[status] or "http"
end

-- Seconds since the epoch of an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT").
local function http_date(s)
  return (dates.to_epoch(s))
end
_M.http_date = http_date

local function header(headers, name)
  local v = headers and headers[name]
  if type(v) == "table" then v = v[#v] end
  return v
end
_M.header = header

-- Seconds to wait before retrying, from Retry-After (seconds or HTTP-date)
-- or X-RateLimit-Reset (epoch seconds); nil when the server says nothing.
function _M.retry_after(headers, now)
  local ra = header(headers, "retry-after")
  if ra then
    local n = tonumber(ra)
    if n then return n end -- a negative value is clamped by the engine
    local t = http_date(ra)
    if t and now then return t > now and t - now or 0 end
  end
  local reset = tonumber(header(headers, "x-ratelimit-reset") or "")
  if reset and now then
    if reset > 1e9 then return reset > now and reset - now or 0 end
    return reset -- some servers send a delay in seconds
  end
  return nil
end

-- Flattens an errors map ({field = {messages}}) into "field: msg; field: msg".
local function flatten_errors(errors)
  local keys = {}
  for k in pairs(errors) do keys[#keys + 1] = tostring(k) end
  sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = errors[k]
    if type(v) == "table" then
      local msgs = {}
      for _, m in ipairs(v) do msgs[#msgs + 1] = tostring(m) end
      v = concat(msgs, " ")
    end
    out[#out + 1] = k .. ": " .. tostring(v)
  end
  return concat(out, "; ")
end

-- Failures where the request provably never reached the server.
local NEVER_SENT = { connect = true, resolve = true, proxy = true, tls = true }
_M.NEVER_SENT = NEVER_SENT

-- Three outcomes of a non-idempotent request (a send): sent, failed
-- (provably not accepted: never reached the server, a 4xx, a 429 never
-- processed) or uncertain (it may have been accepted: the connection
-- failed after the request was written, a timeout after sending, a 5xx, an
-- answer too large to read). Sets err.uncertain = true for the last.
-- sent: the transport's own word (false = no byte reached the server).
function _M.classify_send(err, sent)
  if sent == nil then sent = err.sent end
  if err.kind == "cancelled" or err.kind == "invalid" or err.kind == "not_supported" then return err end
  if err.status then
    if err.status >= 500 then err.uncertain = true end
  elseif sent ~= false and not NEVER_SENT[err.reason] then
    err.uncertain = true
  end
  return err
end

-- A 2xx answer to a send that does not carry the id the endpoint declares
-- (ep.result_id: a body field; ep.result_header: a header): the server
-- may have accepted the message, so that is an uncertain error.
function _M.unreadable_send(ep, result, res)
  local id
  if ep.result_id then
    id = type(result) == "table" and result[ep.result_id]
  elseif ep.result_header then
    id = header(res.headers, ep.result_header)
  else
    return nil
  end
  if type(id) == "string" and id ~= "" then return nil end
  return setmetatable({ kind = "http", status = res.status, uncertain = true, raw_body = res.body,
    message = "the answer has no readable " .. (ep.result_id or ep.result_header)
      .. ": the message may have been accepted" }, error_mt)
end

local STATUS_TEXT = {
  [400] = "bad request", [401] = "unauthorized", [403] = "forbidden",
  [404] = "not found", [405] = "method not allowed", [408] = "request timeout",
  [413] = "payload too large", [422] = "unprocessable entity",
  [429] = "too many requests", [500] = "internal server error",
  [502] = "bad gateway", [503] = "service unavailable", [504] = "gateway timeout",
}

-- An error from a non-2xx HTTP answer.
function _M.from_response(res, now)
  local body = res.body or ""
  local decoded = json.decode(body)
  local message, errors
  if type(decoded) == "table" then
    message = decoded.message or decoded.Message or decoded.Reason or decoded.reason
      or decoded.Description or decoded.error or decoded.detail
    if type(decoded.errors) == "table" then errors = decoded.errors end
  elseif body ~= "" and #body < 300 and not body:find("<", 1, true) then
    message = body:gsub("%s+$", "")
  end
  if type(message) ~= "string" then message = nil end
  if errors then
    local flat = flatten_errors(errors)
    if flat ~= "" then
      message = message and (message .. " " .. flat) or flat
    end
  end
  message = message or ("HTTP " .. res.status .. " " .. (STATUS_TEXT[res.status] or "error"))
  return setmetatable({
    kind = KIND_BY_STATUS[res.status] or "http",
    status = res.status,
    message = message,
    body = type(decoded) == "table" and decoded or body,
    raw_body = body,
    headers = res.headers,
    errors = errors,
    retry_after = _M.retry_after(res.headers, now),
  }, error_mt)
end

local NETWORK_TEXT = {
  timeout = "the request timed out",
  connect = "could not connect",
  resolve = "could not resolve the host",
  tls = "TLS handshake or certificate verification failed",
  send = "the connection failed while sending",
  recv = "the connection failed while receiving",
  too_large = "the response is larger than max_body",
}

-- An error from a transport failure (no HTTP answer).
-- sent: false when the request provably never left (nil: unknown).
function _M.from_transport(word, detail, sent)
  return setmetatable({
    kind = word == "timeout" and "timeout" or "network",
    reason = word,
    sent = sent,
    message = (NETWORK_TEXT[word] or word or "transport error")
      .. (detail and detail ~= "" and (": " .. detail) or ""),
  }, error_mt)
end

-- Each secret (at least 4 bytes) replaced by "[redacted]" in a string.
local function scrub_text(v, secrets)
  for _, secret in ipairs(secrets) do
    if type(secret) == "string" and #secret >= 4 and v:find(secret, 1, true) then
      local out, i = {}, 1
      while true do
        local a, b = v:find(secret, i, true)
        if not a then break end
        out[#out + 1] = v:sub(i, a - 1)
        out[#out + 1] = "[redacted]"
        i = b + 1
      end
      out[#out + 1] = v:sub(i)
      v = concat(out)
    end
  end
  return v
end

-- Scrubs strings in place through nested tables (keys too): a decoded body
-- may echo the Authorization header anywhere.
local function scrub_table(t, secrets, seen)
  if seen[t] then return end
  seen[t] = true
  local renamed = {}
  for k, v in pairs(t) do
    if type(v) == "string" then
      t[k] = scrub_text(v, secrets)
    elseif type(v) == "table" then
      scrub_table(v, secrets, seen)
    end
    if type(k) == "string" then
      local clean = scrub_text(k, secrets)
      if clean ~= k then renamed[k] = clean end
    end
  end
  for k, clean in pairs(renamed) do
    t[clean], t[k] = t[k], nil
  end
end

-- Replaces every occurrence of each secret in the error: its text fields
-- and, recursively, the decoded body, errors and headers.
function _M.redact(e, secrets)
  if not secrets then return e end
  scrub_table(e, secrets, {})
  return e
end

return _M

-- Sending answers: JSON tables, raw strings, empty bodies, injected
-- faults and truncated bodies.
local util = require("sandbox.util")

local type, pairs, tostring = type, pairs, tostring

local _M = {}

local function encode(status, body, headers)
  headers = headers or {}
  local ctype = headers["Content-Type"]
  local out
  if type(body) == "table" then
    out = util.encode(body)
    ctype = ctype or "application/json"
  elseif body ~= nil then
    out = tostring(body)
    ctype = ctype or "text/plain; charset=utf-8"
  else
    out = ""
  end
  if status == 204 then out = "" end
  return out, ctype
end

function _M.send(status, body, headers)
  local out, ctype = encode(status, body, headers)
  ngx.status = status
  if ctype and out ~= "" then ngx.header["Content-Type"] = ctype end
  for k, v in pairs(headers or {}) do
    if k ~= "Content-Type" then ngx.header[k] = v end
  end
  if out ~= "" then ngx.print(out) end
  return ngx.exit(status)
end

local REASONS = { [429] = "Too Many Requests", [500] = "Internal Server Error",
  [502] = "Bad Gateway", [503] = "Service Unavailable", [504] = "Gateway Timeout" }

function _M.fault(ctx, f)
  local headers = {}
  for k, v in pairs(ctx.extra_headers or {}) do headers[k] = v end
  if f.retry_after then headers["Retry-After"] = tostring(f.retry_after) end
  if f.status == 429 then
    headers["X-RateLimit-Reset"] = tostring(math.floor(ngx.now()) + (f.retry_after or 1))
    if ctx.provider == "mailersend" then
      headers["X-RateLimit-Remaining"] = "0"
    end
  end
  local body = f.body
  if body == nil then
    local msg = REASONS[f.status] or "sandbox fault"
    if f.status == 429 and ctx.provider == "mailersend" then msg = "Too Many Attempts." end
    body = { message = msg }
  end
  return _M.send(f.status, body, headers)
end

-- Promise the whole body in Content-Length, send half, close.
function _M.truncated(status, body, headers)
  local out, ctype = encode(status, body, headers)
  if out == "" then out = "{\"message\":\"truncated\"}" end
  local lines = { "HTTP/1.1 " .. status .. " Sandbox" }
  lines[#lines + 1] = "Content-Type: " .. (ctype or "application/json")
  lines[#lines + 1] = "Content-Length: " .. #out
  for k, v in pairs(headers or {}) do
    if k ~= "Content-Type" then lines[#lines + 1] = k .. ": " .. tostring(v) end
  end
  lines[#lines + 1] = "Connection: close"
  local sock, err = ngx.req.socket(true)
  if not sock then
    ngx.log(ngx.ERR, "truncate: no raw socket: ", err)
    return ngx.exit(444)
  end
  sock:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. out:sub(1, math.floor(#out / 2)))
  return ngx.exit(444)
end

return _M

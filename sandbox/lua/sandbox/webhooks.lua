-- Outgoing webhook deliveries: an HTTP/1.1 POST made with a cosocket in a
-- zero-delay timer, logged in store.webhook_log (GET /sandbox/webhooks).
local store = require("sandbox.store")
local util = require("sandbox.util")

local tonumber, pairs, concat = tonumber, pairs, table.concat

local _M = {}

local function parse_url(url)
  local scheme, host, port, path = url:match("^(https?)://([^/:]+):?(%d*)(.*)$")
  if not scheme then return nil end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if path == "" then path = "/" end
  if host == "localhost" then host = "127.0.0.1" end
  return scheme, host, port, path
end

local function post(entry)
  local scheme, host, port, path = parse_url(entry.url)
  if not scheme then
    entry.error = "bad url"
    return
  end
  local sock = ngx.socket.tcp()
  sock:settimeout(5000)
  local ok, err = sock:connect(host, port)
  if not ok then
    entry.error = "connect: " .. tostring(err)
    return
  end
  if scheme == "https" then
    ok, err = sock:sslhandshake(nil, host, false)
    if not ok then
      entry.error = "tls: " .. tostring(err)
      sock:close()
      return
    end
  end
  local lines = {
    "POST " .. path .. " HTTP/1.1",
    "Host: " .. host .. ((port ~= 80 and port ~= 443) and (":" .. port) or ""),
    "User-Agent: mailgun-sandbox/1.0",
    "Content-Type: application/json",
    "Content-Length: " .. #entry.body,
    "Connection: close",
  }
  for k, v in pairs(entry.headers) do lines[#lines + 1] = k .. ": " .. v end
  ok, err = sock:send(concat(lines, "\r\n") .. "\r\n\r\n" .. entry.body)
  if not ok then
    entry.error = "send: " .. tostring(err)
    sock:close()
    return
  end
  local status_line = sock:receive("*l")
  entry.status = status_line and tonumber(status_line:match("^HTTP/%d%.?%d?%s+(%d+)")) or nil
  if not entry.status then entry.error = "no answer" end
  sock:close()
end

-- Queue one delivery: {provider, url, body (string), headers, event}
function _M.deliver(entry)
  entry.id = store.next_id()
  entry.queued_at = ngx.now()
  entry.status = util.null
  local log = store.webhook_log
  log[#log + 1] = entry
  local ok, err = ngx.timer.at(0, function(premature)
    if premature then return end
    post(entry)
    entry.delivered_at = ngx.now()
  end)
  if not ok then entry.error = "timer: " .. tostring(err) end
  return entry
end

return _M

-- On-demand Mailgun events (POST /sandbox/events): what a recipient does
-- after delivery. {event = "opened" | "clicked" | "complained" |
-- "unsubscribed" | "failed", message_id = "<...>" (or domain), recipient = "a@b",
-- url = (clicked), severity = "permanent" | "temporary" (failed), tag = (unsubscribed),
-- late = seconds (the event happened that long ago but only shows up now)}
local store = require("sandbox.store")
local util = require("sandbox.util")
local events = require("sandbox.mg_events")
local suppressions = require("sandbox.mg_suppressions")

local ipairs, tostring, tonumber = ipairs, tostring, tonumber

local _M = {}

local KNOWN = { opened = true, clicked = true, complained = true, unsubscribed = true,
  failed = true }

local CLIENT = {
  ["client-type"] = "browser", ["client-os"] = "Linux", ["device-type"] = "desktop",
  ["client-name"] = "Firefox", ["user-agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
  ip = "127.0.0.1",
}
local GEO = { country = "US", region = "CA", city = "San Francisco" }

-- The deliveries the request designates (latest message when none named).
local function targets(v)
  local want_id = v.message_id and tostring(v.message_id)
  if want_id and not want_id:find("^<") then want_id = "<" .. want_id .. ">" end
  local rcpt = v.recipient and util.bare(v.recipient)
  local out = {}
  local last_id
  for i = #store.deliveries, 1, -1 do
    local d = store.deliveries[i]
    if d.provider == "mailgun" and d.status == "delivered"
      and (not want_id or d.id == want_id) and (not rcpt or d.recipient == rcpt)
      and (not v.domain or d.domain == v.domain) then
      last_id = last_id or d.id
      if d.id == last_id then out[#out + 1] = d end
    end
  end
  return out
end

function _M.trigger(v)
  local ev = v.event
  if not KNOWN[ev] then
    return nil, "event must be one of opened, clicked, complained, unsubscribed, failed"
  end
  local list = targets(v)
  if #list == 0 then return nil, "no delivered Mailgun message matches" end
  local out = util.array()
  for _, d in ipairs(list) do
    local msg = store.mg.messages[d.storage_key]
    if msg then
      local extra = {}
      if ev == "opened" or ev == "clicked" or ev == "unsubscribed" or ev == "complained" then
        extra["client-info"] = CLIENT
        extra.geolocation = GEO
        extra.ip = "127.0.0.1"
      end
      if tonumber(v.late) then extra.timestamp = ngx.now() - tonumber(v.late) end
      if ev == "clicked" then extra.url = v.url or "https://example.com/" end
      if ev == "failed" then
        local sev = v.severity == "temporary" and "temporary" or "permanent"
        extra.severity = sev
        extra["log-level"] = sev == "permanent" and "error" or "warn"
        extra.reason = v.reason or (sev == "permanent" and "bounce" or "generic")
        extra["delivery-status"] = { code = sev == "permanent" and 550 or 421,
          message = v.message or (sev == "permanent" and "5.1.1 No such user"
            or "4.2.1 Try again later"),
          description = "", ["attempt-no"] = 1 }
        if sev == "permanent" then
          suppressions.add(msg.domain, "bounces", { address = d.recipient, code = "550",
            error = extra["delivery-status"].message })
        end
      elseif ev == "complained" then
        suppressions.add(msg.domain, "complaints", { address = d.recipient })
      elseif ev == "unsubscribed" then
        suppressions.add(msg.domain, "unsubscribes", { address = d.recipient,
          tags = { v.tag or "*" } })
      end
      out[#out + 1] = events.emit(msg, d.recipient, ev, extra)
    end
  end
  return out
end

return _M

-- client.logs:follow and client.events:follow: Mailgun's event logs read as
-- an endless, resumable stream (see engine/follow.lua for the procedure).
--   for event, err, cursor in client.logs:follow{start=, filter=, events=,
--       cursor=, poll=, window=, limit=} do ... end
--   for event, err, cursor in client.events:follow{begin=, filter=, ...} do ... end
local follow = require("mailgun.engine.follow")
local dates = require("mailgun.engine.dates")

local type, pairs = type, pairs
local floor, ceil = math.floor, math.ceil

local _M = {}

local COMMON = "cursor poll window limit map filter "
local function set(words)
  local t = {}
  for w in words:gmatch("%S+") do t[w] = true end
  return t
end
local LOGS, EVENTS = set(COMMON .. "events"), set(COMMON)

-- the Logs API: POST /v1/analytics/logs, ascending, token pagination
function _M.logs(engine, ep, args)
  local label = "logs:follow"
  local start
  args, start = follow.check(args, label, "start", LOGS)
  local function pages(since, now)
    return follow.item_pages(engine, ep, { start = dates.rfc2822(floor(since)),
      ["end"] = dates.rfc2822(ceil(now)), filter = args.filter, events = args.events,
      pagination = { sort = "timestamp:asc", limit = args.limit or 100 } })
  end
  return follow.run(engine, args, start, label, pages, function(item)
    return (dates.to_epoch(item["@timestamp"] or item.timestamp or ""))
  end)
end

-- the v3 events log: GET /v3/{domain}/events, ascending from `begin`;
-- filter holds the v3 query fields (event=, recipient=, tags=, ...)
function _M.events(engine, ep, args)
  local label = "events:follow"
  local start
  args, start = follow.check(args, label, "begin", EVENTS)
  local function pages(since, now)
    local params = { begin = floor(since), ["end"] = ceil(now), ascending = "yes",
      limit = args.limit or 300 }
    for k, v in pairs(type(args.filter) == "table" and args.filter or {}) do params[k] = v end
    return follow.item_pages(engine, ep, params)
  end
  return follow.run(engine, args, start, label, pages, function(item) return item.timestamp end)
end

return _M

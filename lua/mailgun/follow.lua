-- client.logs:follow and client.events:follow: Mailgun's event logs read as
-- an endless, resumable stream (see engine/follow.lua for the procedure).
--   for event, err, cursor in client.logs:follow{start=, filter=, events=,
--       cursor=, poll=, window=, limit=} do ... end
--   for event, err, cursor in client.events:follow{begin=, filter=, ...} do ... end
local follow = require("mailgun.engine.follow")
local paging = require("mailgun.engine.paging")
local dates = require("mailgun.engine.dates")
local clock = require("mailgun.engine.clock")

local type, pairs, error, tostring = type, pairs, error, tostring
local floor, ceil = math.floor, math.ceil

local _M = {}

local OPTIONS = { start = true, begin = true, filter = true, events = true, cursor = true,
  poll = true, window = true, limit = true, map = true }

local function check(args, label, start_name)
  if args == nil then args = {} end
  if type(args) ~= "table" then
    error("bad argument #1 to '" .. label .. "' (table expected, got " .. type(args) .. ")", 4)
  end
  for k in pairs(args) do
    if not OPTIONS[k] or (k == "start" or k == "begin") and k ~= start_name then
      error("bad argument 'opts." .. tostring(k) .. "' to '" .. label .. "' (unknown option)", 4)
    end
  end
  local start = args[start_name]
  if start ~= nil then
    local t = dates.to_epoch(start)
    if not t then
      error("bad argument 'opts." .. start_name .. "' to '" .. label .. "' (a date expected)", 4)
    end
    start = t
  end
  for _, k in pairs({ "poll", "window", "limit" }) do
    if args[k] ~= nil and (type(args[k]) ~= "number" or args[k] < 0) then
      error("bad argument 'opts." .. k .. "' to '" .. label .. "' (a non-negative number expected)", 4)
    end
  end
  return args, start
end

-- items of each page of an endpoint, as the follower wants them
local function item_pages(engine, ep, params)
  local next_page = paging.pages(engine, ep, params)
  return function()
    local page, err = next_page()
    if page == false then return false, err end
    return page and page.items
  end
end

local function iterate(engine, args, start, label, pages, time)
  return follow.iterate{ label = label, pages = pages, start = start, cursor = args.cursor,
    window = args.window, poll = args.poll, map = args.map,
    id = function(item) return item.id end, time = time,
    sleep = function(s) engine:sleep(s) end, now = clock.epoch }
end

-- the Logs API: POST /v1/analytics/logs, ascending, token pagination
function _M.logs(engine, ep, args)
  local label = "logs:follow"
  local start
  args, start = check(args, label, "start")
  local function pages(since, now)
    return item_pages(engine, ep, { start = dates.rfc2822(floor(since)),
      ["end"] = dates.rfc2822(ceil(now)), filter = args.filter, events = args.events,
      pagination = { sort = "timestamp:asc", limit = args.limit or 100 } })
  end
  return iterate(engine, args, start, label, pages, function(item)
    return (dates.to_epoch(item["@timestamp"] or item.timestamp or ""))
  end)
end

-- the v3 events log: GET /v3/{domain}/events, ascending from `begin`;
-- filter holds the v3 query fields (event=, recipient=, tags=, ...)
function _M.events(engine, ep, args)
  local label = "events:follow"
  local start
  args, start = check(args, label, "begin")
  local function pages(since, now)
    local params = { begin = floor(since), ["end"] = ceil(now), ascending = "yes",
      limit = args.limit or 300 }
    for k, v in pairs(type(args.filter) == "table" and args.filter or {}) do params[k] = v end
    return item_pages(engine, ep, params)
  end
  return iterate(engine, args, start, label, pages, function(item) return item.timestamp end)
end

return _M

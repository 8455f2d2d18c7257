-- client.activity:follow: MailerSend's email activity read as an endless,
-- resumable stream (see mailgun/engine/follow.lua for the procedure).
--   for event, err, cursor in client.activity:follow{domain_id=, date_from=,
--       event = {"delivered", ...}, cursor=, poll=, window=, limit=} do ... end
-- The activity list has no ascending order: each poll reads the whole
-- window and sorts it by created_at.
local follow = require("mailgun.engine.follow")
local paging = require("mailgun.engine.paging")
local dates = require("mailgun.engine.dates")

local type, error, tostring = type, error, tostring
local floor, ceil, max, sort = math.floor, math.ceil, math.max, table.sort

local _M = {}

local ALLOWED = { domain_id = true, event = true, cursor = true, poll = true, window = true,
  limit = true, map = true }

local function time_of(item)
  return (dates.to_epoch(type(item) == "table" and item.created_at or ""))
end

function _M.activity(engine, ep, args)
  local label = "activity:follow"
  local start
  args, start = follow.check(args, label, "date_from", ALLOWED)
  if type(args.domain_id) ~= "string" then
    error("bad argument 'opts.domain_id' to '" .. label .. "' (string expected, got "
      .. type(args.domain_id) .. ")", 3)
  end
  local function pages(since, now)
    local done = false
    return function()
      if done then return nil end
      done = true
      local items = {}
      local from = floor(since)
      for item, err in paging.each(engine, ep, { domain_id = args.domain_id, date_from = from,
        date_to = max(ceil(now), from + 1), event = args.event, limit = args.limit or 100 }) do
        if item == false then return false, err end
        if time_of(item) then items[#items + 1] = item end
      end
      sort(items, function(a, b)
        local ta, tb = time_of(a), time_of(b)
        if ta ~= tb then return ta < tb end
        return tostring(a.id) < tostring(b.id)
      end)
      return items
    end
  end
  return follow.run(engine, args, start, label, pages, time_of)
end

return _M

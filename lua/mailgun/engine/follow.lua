-- Following an event log that may index recent events late (Mailgun's
-- events guide, "Event Polling"): every poll reads the log again from a
-- trailing window (`window` seconds, default half an hour) up to now,
-- ascending, and hands out the events not seen yet, deduplicated by id.
-- Events older than the window are trusted to be complete, so the window's
-- start (`since`) moves up to them and the ids before it are forgotten.
--
-- The cursor handed out with each event is a string holding `since` and the
-- ids seen at or after it: a process restarted from it reads the same window
-- again and neither misses nor repeats an event (unless one arrives later
-- than the window, which the log's own guidance rules out).
--
-- follow.iterate{pages = function(since, now) -> page iterator (yields a
--   list of items, false, err on failure, nil at the end), id = function(item),
--   time = function(item) -> epoch seconds, start = epoch, cursor = string,
--   window = seconds, poll = seconds | nil, sleep = function(s), now = function(),
--   map = function(item, time) -> event, label = "logs:follow"}
-- -> iterator, follower   (for event, err, cursor in iterator, follower do)
-- The iterator yields event, nil, cursor; on a failure false, err, cursor
-- (then it ends, or with `poll` waits and polls again); it ends when the log
-- is caught up unless `poll` is given.  follower:cursor() is the cursor now.
local core = require("mailgun.core")
local json = require("mailgun.engine.json")
local paging = require("mailgun.engine.paging")
local dates = require("mailgun.engine.dates")
local clock = require("mailgun.engine.clock")

local type, pairs, tostring, tonumber, error, ipairs, setmetatable =
  type, pairs, tostring, tonumber, error, ipairs, setmetatable
local floor, sort = math.floor, table.sort

local _M = {}

_M.WINDOW = 1800
local PREFIX = "mgfollow1."

local function encode(since, seen)
  local ids = {}
  for id, ts in pairs(seen) do
    -- a second of slack: the APIs take whole seconds as the window's start
    if ts >= since - 1 then ids[#ids + 1] = { id, ts } end
  end
  sort(ids, function(a, b) return a[2] < b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  return PREFIX .. core.base64_encode(json.encode({ s = since, i = ids }))
end

-- -> since, seen | nil when the string is not one of our cursors
local function decode(cursor)
  if type(cursor) ~= "string" or cursor:sub(1, #PREFIX) ~= PREFIX then return nil end
  local raw = core.base64_decode(cursor:sub(#PREFIX + 1))
  local t = raw and json.decode(raw)
  if type(t) ~= "table" or type(t.s) ~= "number" or type(t.i) ~= "table" then return nil end
  local seen = {}
  for _, pair in ipairs(t.i) do
    if type(pair) ~= "table" or type(pair[1]) ~= "string" or type(pair[2]) ~= "number" then
      return nil
    end
    seen[pair[1]] = pair[2]
  end
  return t.s, seen
end
_M.decode = decode

local Follower = {}
Follower.__index = Follower

function Follower:cursor()
  return encode(self.since, self.seen)
end

function _M.iterate(o)
  local label = o.label or "follow"
  local since, seen
  if o.cursor ~= nil then
    since, seen = decode(o.cursor)
    if not since then
      error("bad argument 'opts.cursor' to '" .. label .. "' (not a cursor this library handed out)",
        o.level or 3)
    end
  else
    since, seen = tonumber(o.start) or (o.now() - (o.window or _M.WINDOW)), {}
  end
  local f = setmetatable({ since = since, seen = seen }, Follower)
  local window = o.window or _M.WINDOW
  local pages, page, index, poll_now
  local done, pause = false, false

  local function forget()
    for id, ts in pairs(f.seen) do
      if ts < f.since - 1 then f.seen[id] = nil end
    end
  end

  local function iterator()
    while not done do
      if page and index < #page then
        index = index + 1
        local item = page[index]
        local id, ts = o.id(item), tonumber(o.time(item))
        if id ~= nil and ts and not f.seen[tostring(id)] then
          f.seen[tostring(id)] = ts
          -- older than the window: nothing before it can still arrive
          if ts < poll_now - window and ts > f.since then f.since = ts end
          local event = o.map and o.map(item, ts) or item
          return event, nil, f:cursor()
        end
      elseif pages then
        local p, err = pages()
        if p == false then
          pages, page = nil, nil
          if not o.poll then done = true end
          pause = true
          return false, err, f:cursor()
        elseif p == nil then
          pages, page = nil, nil
          local horizon = floor(poll_now - window)
          if horizon > f.since then f.since = horizon end
          forget()
          if not o.poll then done = true else pause = true end
        else
          page, index = p, 0
        end
      else
        if pause then o.sleep(o.poll) end
        pause = false
        poll_now = o.now()
        pages = o.pages(f.since, poll_now)
      end
    end
    return nil
  end
  return iterator, f
end

local OPTIONS = { start = true, begin = true, date_from = true, filter = true, events = true,
  event = true, cursor = true, poll = true, window = true, limit = true, map = true, domain_id = true }

-- Checks a follow method's options (raising on a wrong type or an unknown
-- name); start_name is the option giving the first moment. -> args, start
function _M.check(args, label, start_name, allowed)
  if args == nil then args = {} end
  if type(args) ~= "table" then
    error("bad argument #1 to '" .. label .. "' (table expected, got " .. type(args) .. ")", 4)
  end
  for k in pairs(args) do
    local starts = k == "start" or k == "begin" or k == "date_from"
    if not OPTIONS[k] or (starts and k ~= start_name) or (allowed and not allowed[k] and not starts) then
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
function _M.item_pages(engine, ep, params)
  local next_page = paging.pages(engine, ep, params)
  return function()
    local page, err = next_page()
    if page == false then return false, err end
    return page and page.items
  end
end

-- The async face of a follow method: a task of mailgun.engine.scheduler
-- runs the follower (its requests and its waits between polls never block
-- the host: drive it with mailgun.poll from the host's loop) and calls
-- on_event(event, err, cursor) for each; on_event returning false stops it.
-- -> the task (task:cancel() stops it too)
function _M.spawn(follow_method, resource, args, on_event)
  if type(on_event) ~= "function" then
    error("bad argument #2 to 'follow_async' (function expected, got " .. type(on_event) .. ")", 3)
  end
  local iterator, state = follow_method(resource, args)
  return require("mailgun.engine.scheduler").spawn(function()
    for event, err, cursor in iterator, state do
      if on_event(event, err, cursor) == false then break end
    end
  end)
end

-- iterate over an engine's endpoint pages with the checked options
function _M.run(engine, args, start, label, pages, time)
  return _M.iterate{ label = label, level = 5, pages = pages, start = start, cursor = args.cursor,
    window = args.window, poll = args.poll, map = args.map,
    id = function(item) return item.id end, time = time,
    sleep = function(s) engine:sleep(s) end, now = clock.epoch }
end

return _M

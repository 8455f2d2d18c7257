-- Mailgun events: created per recipient, fired to the domain's and the
-- account's webhooks (signed), queried through GET /v3/{domain}/events
-- (paging URLs) and POST /v1/analytics/logs (pagination in the body).
local store = require("sandbox.store")
local util = require("sandbox.util")
local crypto = require("sandbox.crypto")
local paging = require("sandbox.paging")
local webhooks = require("sandbox.webhooks")
local render = require("sandbox.render")

local ipairs, pairs, type, tostring, tonumber = ipairs, pairs, type, tostring, tonumber
local floor = math.floor

local _M = {}

-- webhook ids (v3) for an event
local function webhook_id(ev)
  if ev.event == "failed" then
    return ev.severity == "temporary" and "temporary_fail" or "permanent_fail"
  end
  return ev.event
end
_M.webhook_id = webhook_id

local function has(list, v)
  for _, x in ipairs(list or {}) do
    if x == v then return true end
  end
  return false
end

function _M.signature(key)
  local ts = tostring(floor(ngx.now()))
  local token = util.hex(50)
  return { timestamp = ts, token = token, signature = crypto.hmac_sha256(key, ts .. token) }
end

function _M.fire(domain_name, ev)
  local mg = store.mg
  local id = webhook_id(ev)
  local urls, seen = {}, {}
  local d = mg.domains[domain_name]
  if d and d.webhooks[id] then
    for _, u in ipairs(d.webhooks[id].urls) do
      if not seen[u] then seen[u] = true; urls[#urls + 1] = u end
    end
  end
  for _, wid in ipairs(mg.account_webhook_order) do
    local w = mg.account_webhooks[wid]
    if w and has(w.event_types, id) and not seen[w.url] then
      seen[w.url] = true
      urls[#urls + 1] = w.url
    end
  end
  for _, url in ipairs(urls) do
    local payload = { signature = _M.signature(mg.signing_key), ["event-data"] = ev }
    webhooks.deliver({ provider = "mailgun", url = url, event = id, domain = domain_name,
      headers = {}, body = util.encode(payload) })
  end
end

-- Build, store and fire one event.
-- msg: the stored message; rcpt: bare recipient address; extra: fields to add
function _M.emit(msg, rcpt, event, extra)
  local now = ngx.now()
  local ev = {
    id = util.token(22),
    timestamp = now,
    event = event,
    ["log-level"] = "info",
    recipient = rcpt,
    ["recipient-domain"] = rcpt:match("@(.+)$") or "",
    method = "HTTP",
    tags = util.array(util.shallow_copy(msg.tags)),
    ["user-variables"] = util.object(util.shallow_copy(msg.user_vars)),
    flags = { ["is-authenticated"] = true, ["is-test-mode"] = msg.testmode and true or false,
      ["is-routed"] = false, ["is-system-test"] = false },
    envelope = { sender = util.bare(msg.from) or "", targets = rcpt, transport = "smtp",
      ["sending-ip"] = "127.0.0.1" },
    message = {
      headers = { to = msg.to_header or rcpt, ["message-id"] = msg.id:gsub("^<", ""):gsub(">$", ""),
        from = msg.from, subject = msg.subject or "" },
      attachments = util.map(msg.files or {}, function(f)
        return { filename = f.filename, ["content-type"] = f.content_type, size = f.size }
      end),
      size = msg.size or 0,
    },
    storage = { key = msg.key, url = msg.base .. "/v3/domains/" .. msg.domain .. "/messages/"
      .. msg.key, region = "sandbox" },
    domain = { name = msg.domain },
  }
  for k, v in pairs(extra or {}) do ev[k] = v end
  local events = store.mg.events
  events[#events + 1] = ev
  _M.fire(msg.domain, ev)
  return ev
end

-- Query ------------------------------------------------------------------

-- The events in time order: a late event (POST /sandbox/events with late=)
-- lands among the older ones, as in Mailgun's storage.
function _M.by_time()
  local list, order = {}, {}
  for i, ev in ipairs(store.mg.events) do list[i] = ev; order[ev] = i end
  table.sort(list, function(a, b)
    if a.timestamp ~= b.timestamp then return a.timestamp < b.timestamp end
    return order[a] < order[b]
  end)
  return list
end

local function field(q, name)
  local v = q[name]
  if type(v) == "table" then v = v[1] end
  if v == true then v = "" end
  return v
end

-- "a OR b" -> set
local function alternatives(s)
  local set = {}
  for part in (" " .. s .. " "):gsub("%s+OR%s+", "\0"):gmatch("[^%z]+") do
    set[(part:match("^%s*(.-)%s*$")):lower()] = true
  end
  return set
end

local function matches(ev, f)
  if f.domain and ev.domain.name ~= f.domain then return false end
  if f.event and not f.event[ev.event] then return false end
  if f.recipient and ev.recipient ~= f.recipient then return false end
  if f.to and not tostring(ev.message.headers.to):lower():find(f.to, 1, true) then
    return false
  end
  if f.from and not tostring(ev.message.headers.from):lower():find(f.from, 1, true) then
    return false
  end
  if f.subject and not tostring(ev.message.headers.subject):find(f.subject, 1, true) then
    return false
  end
  if f.message_id and ev.message.headers["message-id"] ~= f.message_id then return false end
  if f.tags and not has(ev.tags, f.tags) then return false end
  if f.severity and ev.severity ~= f.severity then return false end
  if f.begin and ev.timestamp < f.begin then return false end
  if f["end"] and ev.timestamp > f["end"] then return false end
  return true
end

local FILTERS = { "event", "recipient", "to", "from", "subject", "message-id", "tags",
  "severity", "begin", "end", "ascending", "limit" }

-- GET /v3/{domain}/events[/{token}]
function _M.query(ctx, domain)
  local q = ctx.query
  local offset = 0
  if ctx.params.token then
    local raw = ngx.decode_base64((ctx.params.token:gsub("-", "+"):gsub("_", "/")))
    local t = raw and util.decode(raw)
    if type(t) ~= "table" then return 400, { message = "Invalid page token" } end
    q = t.q or {}
    offset = tonumber(t.o) or 0
  end
  local limit = util.int(field(q, "limit"), 100)
  if limit < 1 or limit > 300 then
    return 400, { message = "'limit' parameter is invalid. Must be between 1 and 300" }
  end
  local f = { domain = domain }
  local ev = field(q, "event")
  if ev and ev ~= "" then f.event = alternatives(ev) end
  f.recipient = field(q, "recipient")
  if f.recipient then f.recipient = f.recipient:lower() end
  f.to = field(q, "to") and field(q, "to"):lower()
  f.from = field(q, "from") and field(q, "from"):lower()
  f.subject = field(q, "subject")
  f.message_id = field(q, "message-id")
  if f.message_id then f.message_id = f.message_id:gsub("^<", ""):gsub(">$", "") end
  f.tags = field(q, "tags")
  f.severity = field(q, "severity")
  local b, e = field(q, "begin"), field(q, "end")
  if b then
    f.begin = util.parse_time(b)
    if not f.begin then return 400, { message = "'begin' parameter is not a valid time" } end
  end
  if e then
    f["end"] = util.parse_time(e)
    if not f["end"] then return 400, { message = "'end' parameter is not a valid time" } end
  end
  local asc = field(q, "ascending")
  local ascending = asc and util.truthy(asc)
  if asc == nil and f.begin and f["end"] then ascending = f.begin < f["end"] end
  local all = {}
  for _, x in ipairs(_M.by_time()) do
    if matches(x, f) then all[#all + 1] = x end
  end
  if not ascending then
    local rev = {}
    for i = #all, 1, -1 do rev[#rev + 1] = all[i] end
    all = rev
  end
  local items = util.map(util.slice(all, offset + 1, limit), function(x)
    local c = util.shallow_copy(x)
    c.domain = nil
    return c
  end)
  local keep = {}
  for _, k in ipairs(FILTERS) do keep[k] = field(q, k) end
  keep.limit = limit
  local function url(o)
    local tok = ngx.encode_base64(util.encode({ o = o, q = keep })):gsub("+", "-")
      :gsub("/", "_"):gsub("=", "")
    return paging.base(ctx) .. "/v3/" .. domain .. "/events/" .. tok
  end
  return 200, {
    items = items,
    paging = {
      first = url(0),
      last = url(math.max(0, #all - limit)),
      next = url(offset + limit),
      previous = url(math.max(0, offset - limit)),
    },
  }
end

local function log_item(ev)
  local c = util.shallow_copy(ev)
  c["@timestamp"] = os.date("!%Y-%m-%dT%H:%M:%S", floor(ev.timestamp))
    .. string.format(".%03dZ", floor((ev.timestamp % 1) * 1000))
  c.timestamp = nil
  c.account = { id = "5f3c1b2a9d8e7f6a5b4c3d2e" }
  return c
end

local function filter_ok(item, filter)
  if type(filter) ~= "table" or type(filter.AND) ~= "table" then return true end
  for _, c in ipairs(filter.AND) do
    local attr = c.attribute
    if attr == "domain" then attr = "domain.name" end
    if attr == "tag" then attr = "tags" end
    local v = render.lookup(item, attr or "")
    local any = false
    for _, val in ipairs(c.values or {}) do
      local want = type(val) == "table" and (val.value or val.label) or val
      if type(v) == "table" then
        if has(v, want) then any = true end
      elseif tostring(v) == tostring(want) then
        any = true
      end
    end
    if c.comparator == "!=" then any = not any end
    if not any then return false end
  end
  return true
end

-- POST /v1/analytics/logs
function _M.logs(ctx)
  local body = ctx.body.json
  if type(body) ~= "table" then
    return 400, { message = "request body must be JSON" }
  end
  local now = ngx.now()
  local t_end = body["end"] and util.parse_time(body["end"]) or now
  local t_start = body.start and util.parse_time(body.start) or (t_end - 86400)
  if not t_end or not t_start then
    return 400, { message = "start and end must be RFC 2822 dates" }
  end
  local pg = type(body.pagination) == "table" and body.pagination or {}
  local limit = tonumber(pg.limit) or 10
  if limit < 1 or limit > 100 then
    return 400, { message = "pagination.limit must be between 1 and 100" }
  end
  local events = type(body.events) == "table" and body.events or nil
  local evset
  if events and #events > 0 then
    evset = {}
    for _, e in ipairs(events) do evset[e] = true end
  end
  local all = {}
  for _, ev in ipairs(_M.by_time()) do
    if ev.timestamp >= t_start and ev.timestamp <= t_end + 1 and (not evset or evset[ev.event]) then
      local it = log_item(ev)
      if filter_ok(it, body.filter) then all[#all + 1] = it end
    end
  end
  local desc = pg.sort == nil or tostring(pg.sort):find("desc", 1, true)
  if desc then
    local rev = {}
    for i = #all, 1, -1 do rev[#rev + 1] = all[i] end
    all = rev
  end
  local offset = 0
  if pg.token and pg.token ~= "" then
    offset = tonumber(ngx.decode_base64(pg.token) or "") or 0
  end
  local items = util.slice(all, offset + 1, limit)
  local function tok(o) return ngx.encode_base64(tostring(o)) end
  local pag = { first = tok(0), last = tok(math.max(0, #all - limit)), total = #all }
  if offset + limit < #all then pag.next = tok(offset + limit) end
  if offset > 0 then pag.previous = tok(math.max(0, offset - limit)) end
  local counts = {}
  for _, it in ipairs(all) do counts[it.event] = (counts[it.event] or 0) + 1 end
  return 200, {
    start = util.rfc2822(t_start),
    ["end"] = util.rfc2822(t_end),
    items = items,
    pagination = pag,
    aggregates = { all = #all, metrics = counts },
  }
end

local function events_handler(ctx)
  local d = ctx.params.domain
  if not store.mg.domains[d] then return 404, { message = "Domain not found" } end
  return _M.query(ctx, d)
end

function _M.routes(r)
  r:add("GET", "/v3/{domain}/events", events_handler)
  r:add("GET", "/v3/{domain}/events/{token}", events_handler)
  r:add("POST", "/v1/analytics/logs", _M.logs)
end

return _M

-- Mailgun suppressions (bounces, unsubscribes, complaints, whitelists),
-- per domain, honoured when sending.
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local paging = require("sandbox.paging")

local ipairs, type, tostring, pairs = ipairs, type, tostring, pairs
local sort = table.sort

local _M = {}

local TYPES = { bounces = true, unsubscribes = true, complaints = true, whitelists = true }
local LABEL = { bounces = "bounces", unsubscribes = "unsubscribes", complaints = "complaints",
  whitelists = "allowlist" }

local function tables(domain)
  local s = store.mg.suppressions[domain]
  if not s then
    s = {}
    for t in pairs(TYPES) do s[t] = {} end
    store.mg.suppressions[domain] = s
  end
  return s
end

local function key_of(kind) return kind == "whitelists" and "value" or "address" end

local function sorted(kind, map)
  local list = {}
  for _, r in pairs(map) do list[#list + 1] = r end
  local k = key_of(kind)
  sort(list, function(a, b) return a[k] < b[k] end)
  return list
end

local function make(kind, src)
  local now = util.rfc2822()
  local addr = src.address and tostring(src.address):lower() or nil
  if kind == "bounces" then
    return { address = addr, code = tostring(src.code or "550"),
      error = src.error or "", created_at = src.created_at or now }
  elseif kind == "unsubscribes" then
    local tags = src.tags or src.tag
    if type(tags) ~= "table" then tags = { tags or "*" } end
    return { address = addr, tags = util.array(tags), created_at = src.created_at or now }
  elseif kind == "complaints" then
    return { address = addr, count = 1, created_at = src.created_at or now }
  end
  local value, typ = addr, "address"
  if not value and src.domain then value, typ = tostring(src.domain):lower(), "domain" end
  return { value = value, type = typ, reason = src.reason or "", createdAt = now }
end

function _M.add(domain, kind, src)
  local rec = make(kind, src)
  local k = rec[key_of(kind)]
  if not k or k == "" then return nil end
  local map = tables(domain)[kind]
  if kind == "unsubscribes" and map[k] then
    local have = {}
    for _, t in ipairs(map[k].tags) do have[t] = true end
    for _, t in ipairs(rec.tags) do
      if not have[t] then map[k].tags[#map[k].tags + 1] = t end
    end
    return map[k]
  end
  map[k] = rec
  return rec
end

-- -> reason | nil : why a recipient must not get this message
function _M.check(domain, rcpt, tags)
  local s = tables(domain)
  local dom = rcpt:match("@(.+)$")
  if s.whitelists[rcpt] or (dom and s.whitelists[dom]) then return nil end
  if s.bounces[rcpt] then return "suppress-bounce", s.bounces[rcpt] end
  local u = s.unsubscribes[rcpt]
  if u then
    for _, t in ipairs(u.tags) do
      if t == "*" then return "suppress-unsubscribe", u end
      for _, mt in ipairs(tags or {}) do
        if mt == t then return "suppress-unsubscribe", u end
      end
    end
  end
  if s.complaints[rcpt] then return "suppress-complaint", s.complaints[rcpt] end
  return nil
end

local function parse_csv(data)
  local rows, header = {}, nil
  for line in (data or ""):gmatch("[^\r\n]+") do
    local cols = {}
    for c in (line .. ","):gmatch('%s*"?([^,"]*)"?%s*,') do cols[#cols + 1] = c end
    if not header then
      header = cols
    else
      local r = {}
      for i, h in ipairs(header) do
        if cols[i] and cols[i] ~= "" then r[h] = cols[i] end
      end
      rows[#rows + 1] = r
    end
  end
  return rows
end

local function check_domain(ctx)
  local d = ctx.params.domain
  if not store.mg.domains[d] then return nil, 404, { message = "Domain not found" } end
  local kind = ctx.params.kind
  if not TYPES[kind] then return nil, 404, { message = "Not found" } end
  return d, kind
end

function _M.list(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  local list = sorted(kind, tables(d)[kind])
  local term = args.get(ctx, "term")
  if term and term ~= "" then
    list = util.filter(list, function(r) return r[key_of(kind)]:sub(1, #term) == term:lower() end)
  end
  local limit = util.int(ctx.query.limit, 100)
  if limit > 10000 then return 400, { message = "Limit can't be greater than 10000" } end
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, list, key_of(kind), "address", 100, 10000)
  return 200, { items = items, paging = pg }
end

function _M.get(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  local r = tables(d)[kind][ctx.params.address:lower()]
  if not r then
    return 404, { message = "Address not found in " .. LABEL[kind] .. " table" }
  end
  return 200, r
end

function _M.create(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  local j = ctx.body.json
  if type(j) == "table" and j[1] ~= nil then
    if #j > 1000 then
      return 400, { message = "Batch size should be less than 1000" }
    end
    local n = 0
    for _, rec in ipairs(j) do
      if type(rec) == "table" and _M.add(d, kind, rec) then n = n + 1 end
    end
    return 200, { message = n .. " addresses have been added to the " .. LABEL[kind] .. " table" }
  end
  local src = {
    address = args.get(ctx, "address"), domain = args.get(ctx, "domain"),
    code = args.get(ctx, "code"), error = args.get(ctx, "error"),
    created_at = args.get(ctx, "created_at"), reason = args.get(ctx, "reason"),
  }
  local tags = args.all(ctx, "tag")
  if #tags == 0 then tags = args.all(ctx, "tags") end
  if #tags > 0 then src.tags = tags end
  if not src.address and not (kind == "whitelists" and src.domain) then
    return 400, { message = "address parameter is missing" }
  end
  if src.address and not util.valid_email(src.address) and kind ~= "whitelists" then
    return 400, { message = "'address' parameter is not a valid address" }
  end
  local rec = _M.add(d, kind, src)
  if kind == "whitelists" then
    return 200, { message = "Address/Domain has been added to the allowlist", type = rec.type,
      value = rec.value }
  end
  return 200, { message = "1 address has been added to the " .. LABEL[kind] .. " table",
    address = rec.address }
end

function _M.import(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  local file = ctx.body.files[1]
  if not file then return 400, { message = "'file' parameter is missing" } end
  if file.size > 25 * 1024 * 1024 then return 400, { message = "file is too large" } end
  for _, r in ipairs(parse_csv(file.data)) do
    if r.tags then r.tags = { r.tags } end
    _M.add(d, kind, r)
  end
  return 202, { message = "file uploaded successfully for processing. "
    .. "standby to see the progress of the file processing" }
end

function _M.delete_one(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  local map = tables(d)[kind]
  local addr = ctx.params.address:lower()
  local r = map[addr]
  if not r then
    return 404, { message = "Address not found in " .. LABEL[kind] .. " table" }
  end
  local tag = args.get(ctx, "tag")
  if kind == "unsubscribes" and tag and tag ~= "" then
    util.remove_value(r.tags, function(t) return t == tag end)
    if #r.tags == 0 then map[addr] = nil end
  else
    map[addr] = nil
  end
  if kind == "whitelists" then
    return 200, { message = "Allowlist address/domain has been removed", value = addr }
  end
  local what = ({ bounces = "Bounced address", unsubscribes = "Unsubscribe event",
    complaints = "Spam complaint" })[kind]
  return 200, { message = what .. " has been removed", address = addr }
end

function _M.delete_all(ctx)
  local d, kind, err = check_domain(ctx)
  if not d then return kind, err end
  tables(d)[kind] = {}
  store.mg.suppressions[d][kind] = {}
  return 200, { message = ({ bounces = "Bounced addresses for this domain have been removed",
    unsubscribes = "Unsubscribe addresses for this domain have been removed",
    complaints = "Complaint addresses for this domain have been removed",
    whitelists = "Allowlist addresses/domains for this domain have been removed" })[kind] }
end

function _M.routes(r)
  for kind in pairs(TYPES) do
    local base, fixed = "/v3/{domain}/" .. kind, { kind = kind }
    r:add("POST", base .. "/import", _M.import, fixed)
    r:add("GET", base, _M.list, fixed)
    r:add("POST", base, _M.create, fixed)
    r:add("DELETE", base, _M.delete_all, fixed)
    r:add("GET", base .. "/{address}", _M.get, fixed)
    r:add("DELETE", base .. "/{address}", _M.delete_one, fixed)
  end
end

_M.TYPES = TYPES
return _M

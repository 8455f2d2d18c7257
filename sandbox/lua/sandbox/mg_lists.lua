-- Mailgun mailing lists and members (with members.json / members.csv bulk
-- adds). Sending to a list address reaches its subscribed members, whose
-- vars become %recipient.x% values.
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local paging = require("sandbox.paging")

local ipairs, pairs, type, tostring = ipairs, pairs, type, tostring
local sort = table.sort

local _M = {}

local function view(l)
  return { address = l.address, name = l.name, description = l.description,
    access_level = l.access_level, reply_preference = l.reply_preference,
    created_at = l.created_at, members_count = l.members_count }
end

local function member_view(m)
  return { address = m.address, name = m.name, vars = util.object(m.vars or {}),
    subscribed = m.subscribed }
end

local function get_list(ctx)
  local l = store.mg.lists[ctx.params.list:lower()]
  if not l then return nil, 404, { message = "Mailing list " .. ctx.params.list .. " not found" } end
  return l
end

local function count(l)
  local n = 0
  for _ in pairs(l.members) do n = n + 1 end
  l.members_count = n
end

function _M.create(ctx)
  local addr = args.get(ctx, "address")
  if not addr or addr == "" then return 400, { message = "address parameter is missing" } end
  if not util.valid_email(addr) then
    return 400, { message = "'address' parameter is not a valid address" }
  end
  addr = addr:lower()
  if store.mg.lists[addr] then
    return 400, { message = "Duplicate object: list " .. addr .. " already exists" }
  end
  local access = args.get(ctx, "access_level") or "readonly"
  if access ~= "readonly" and access ~= "members" and access ~= "everyone" then
    return 400, { message = "Invalid access level" }
  end
  local l = { address = addr, name = args.get(ctx, "name") or "",
    description = args.get(ctx, "description") or "", access_level = access,
    reply_preference = args.get(ctx, "reply_preference") or "list",
    created_at = util.rfc2822(), members_count = 0, members = {} }
  store.mg.lists[addr] = l
  return 200, { message = "Mailing list has been created", list = view(l) }
end

local function sorted_lists()
  local list = {}
  for _, l in pairs(store.mg.lists) do list[#list + 1] = view(l) end
  sort(list, function(a, b) return a.address < b.address end)
  return list
end

function _M.list_legacy(ctx)
  local items, total = paging.skip_limit(ctx, sorted_lists(), 100)
  return 200, { items = items, total_count = total }
end

function _M.list_pages(ctx)
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, sorted_lists(), "address", "address", 100)
  return 200, { items = items, paging = pg }
end

function _M.get(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  return 200, { list = view(l) }
end

function _M.update(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  for _, f in ipairs({ "name", "description", "access_level", "reply_preference" }) do
    local v = args.get(ctx, f)
    if v then l[f] = v end
  end
  local new = args.get(ctx, "address")
  if new and new:lower() ~= l.address then
    store.mg.lists[l.address] = nil
    l.address = new:lower()
    store.mg.lists[l.address] = l
  end
  return 200, { message = "Mailing list has been updated", list = view(l) }
end

function _M.delete(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  store.mg.lists[l.address] = nil
  return 200, { address = l.address, message = "Mailing list has been removed" }
end

local function parse_vars(v)
  if type(v) == "table" then return v end
  if type(v) == "string" and v ~= "" then
    local t = util.decode(v)
    if type(t) ~= "table" then return nil end
    return t
  end
  return {}
end

local function bool_field(v, default)
  if v == nil then return default end
  if type(v) == "boolean" then return v end
  return util.truthy(v)
end

-- Add or update one member; -> member | nil, error message
local function put_member(l, src, upsert)
  local addr = src.address
  if type(addr) ~= "string" then return nil, "address parameter is missing" end
  local name = src.name
  local inner = addr:match("<([^>]+)>")
  if inner then
    name = name or addr:match('^%s*"?([^"<]-)"?%s*<')
    addr = inner
  end
  addr = addr:lower():match("^%s*(.-)%s*$")
  if not util.valid_email(addr) then return nil, "'address' parameter is not a valid address" end
  local vars = parse_vars(src.vars)
  if not vars then return nil, "Failed to parse 'vars' parameter" end
  local m = l.members[addr]
  if m and not upsert then return nil, "Address already exists '" .. addr .. "'" end
  if not m then
    m = { address = addr, name = "", vars = {}, subscribed = true }
    l.members[addr] = m
  end
  if name then m.name = name end
  if src.vars ~= nil then m.vars = vars end
  m.subscribed = bool_field(src.subscribed, m.subscribed)
  return m
end

function _M.member_create(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  local m, e = put_member(l, { address = args.get(ctx, "address"), name = args.get(ctx, "name"),
    vars = args.get(ctx, "vars"), subscribed = args.get(ctx, "subscribed") },
    util.truthy(args.get(ctx, "upsert")))
  if not m then return 400, { message = e } end
  count(l)
  return 200, { member = member_view(m), message = "Mailing list member has been created" }
end

function _M.members_json(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  local members = args.get(ctx, "members")
  if type(members) == "string" then members = util.decode(members) end
  if type(members) ~= "table" then
    return 400, { message = "'members' parameter should be a JSON array" }
  end
  if #members > 1000 then
    return 400, { message = "'members' parameter should be a list of at most 1000 items" }
  end
  local upsert = util.truthy(args.get(ctx, "upsert"))
  for _, src in ipairs(members) do
    if type(src) == "string" then src = { address = src } end
    local _, e = put_member(l, src, true)
    if e and not upsert and not e:find("already exists", 1, true) then
      return 400, { message = e }
    end
  end
  count(l)
  local res = { list = view(l), message = "Mailing list has been updated" }
  if #members > 100 then res["task-id"] = util.hex(32) end
  return 200, res
end

function _M.members_csv(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  local f = ctx.body.files[1]
  if not f then return 400, { message = "'members' parameter is missing" } end
  local header
  local subscribed = args.get(ctx, "subscribed")
  for line in f.data:gmatch("[^\r\n]+") do
    local cols = {}
    for c in (line .. ","):gmatch('%s*"?([^,"]*)"?%s*,') do cols[#cols + 1] = c end
    if not header and not util.valid_email(cols[1] or "") then
      header = cols
    else
      local src = {}
      for i, h in ipairs(header or { "address", "name" }) do src[h] = cols[i] end
      src.subscribed = src.subscribed or subscribed
      put_member(l, src, true)
    end
  end
  count(l)
  return 200, { list = view(l), message = "Mailing list has been updated" }
end

local function sorted_members(l, ctx)
  local list = {}
  local sub = args.get(ctx, "subscribed")
  for _, m in pairs(l.members) do
    if sub == nil or m.subscribed == util.truthy(sub) then list[#list + 1] = member_view(m) end
  end
  sort(list, function(a, b) return a.address < b.address end)
  return list
end

function _M.member_list_legacy(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  local items, total = paging.skip_limit(ctx, sorted_members(l, ctx), 100)
  return 200, { items = items, total_count = total }
end

function _M.member_list_pages(ctx)
  local l, st, err = get_list(ctx)
  if not l then return st, err end
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, sorted_members(l, ctx), "address",
    "address", 100)
  return 200, { items = items, paging = pg }
end

local function get_member(ctx)
  local l, st, err = get_list(ctx)
  if not l then return nil, st, err end
  local m = l.members[ctx.params.member:lower()]
  if not m then return nil, 404, { message = "Member " .. ctx.params.member .. " not found" } end
  return l, m
end

function _M.member_get(ctx)
  local l, m, err = get_member(ctx)
  if not l then return m, err end
  return 200, { member = member_view(m) }
end

function _M.member_update(ctx)
  local l, m, err = get_member(ctx)
  if not l then return m, err end
  local name = args.get(ctx, "name")
  if name then m.name = name end
  local vars = args.get(ctx, "vars")
  if vars then
    local v = parse_vars(vars)
    if not v then return 400, { message = "Failed to parse 'vars' parameter" } end
    m.vars = v
  end
  local sub = args.get(ctx, "subscribed")
  if sub ~= nil then m.subscribed = util.truthy(sub) end
  local addr = args.get(ctx, "address")
  if addr and addr:lower() ~= m.address then
    l.members[m.address] = nil
    m.address = addr:lower()
    l.members[m.address] = m
  end
  return 200, { member = member_view(m), message = "Mailing list member has been updated" }
end

function _M.member_delete(ctx)
  local l, m, err = get_member(ctx)
  if not l then return m, err end
  l.members[m.address] = nil
  count(l)
  return 200, { member = { address = m.address }, message = "Mailing list member has been deleted" }
end

-- For sending: the subscribed members of a list address, or nil.
function _M.expand(address)
  local l = store.mg.lists[tostring(address):lower()]
  if not l then return nil end
  local out = {}
  for _, m in pairs(l.members) do
    if m.subscribed then out[#out + 1] = m end
  end
  sort(out, function(a, b) return a.address < b.address end)
  return out
end

function _M.routes(r)
  r:add("GET", "/v3/lists", _M.list_legacy)
  r:add("POST", "/v3/lists", _M.create)
  r:add("GET", "/v3/lists/pages", _M.list_pages)
  r:add("GET", "/v3/lists/{list}/members", _M.member_list_legacy)
  r:add("POST", "/v3/lists/{list}/members", _M.member_create)
  r:add("POST", "/v3/lists/{list}/members.json", _M.members_json)
  r:add("POST", "/v3/lists/{list}/members.csv", _M.members_csv)
  r:add("GET", "/v3/lists/{list}/members/pages", _M.member_list_pages)
  r:add("GET", "/v3/lists/{list}/members/{member}", _M.member_get)
  r:add("PUT", "/v3/lists/{list}/members/{member}", _M.member_update)
  r:add("DELETE", "/v3/lists/{list}/members/{member}", _M.member_delete)
  r:add("GET", "/v3/lists/{list}", _M.get)
  r:add("PUT", "/v3/lists/{list}", _M.update)
  r:add("DELETE", "/v3/lists/{list}", _M.delete)
end

return _M

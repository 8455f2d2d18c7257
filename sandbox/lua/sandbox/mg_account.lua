-- Mailgun account-level resources: routes, tags (v3 and v1 analytics),
-- users (/v5/users), API keys (/v1/keys).
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local paging = require("sandbox.paging")

local ipairs, pairs, type, tonumber = ipairs, pairs, type, tonumber
local sort = table.sort

local _M = {}

-- routes ----------------------------------------------------------------------

local function route_view(r)
  return { id = r.id, priority = r.priority, description = r.description,
    expression = r.expression, actions = util.array(util.shallow_copy(r.actions)),
    created_at = r.created_at }
end

local function sorted_routes()
  local list = util.shallow_copy(store.mg.routes)
  sort(list, function(a, b)
    if a.priority ~= b.priority then return a.priority < b.priority end
    return a.seq < b.seq
  end)
  return list
end

function _M.routes_create(ctx)
  local expr = args.get(ctx, "expression")
  if not expr or expr == "" then return 400, { message = "expression parameter is missing" } end
  local actions = args.all(ctx, "action")
  if #actions == 0 then return 400, { message = "action parameter is missing" } end
  local r = { id = util.hex(24), seq = store.next_id(),
    priority = tonumber(args.get(ctx, "priority") or 0) or 0,
    description = args.get(ctx, "description") or "", expression = expr,
    actions = util.shallow_copy(actions), created_at = util.rfc2822() }
  store.mg.routes[#store.mg.routes + 1] = r
  return 200, { message = "Route has been created", route = route_view(r) }
end

function _M.routes_list(ctx)
  local items, total = paging.skip_limit(ctx, util.map(sorted_routes(), route_view), 100, 1000)
  return 200, { total_count = total, items = items }
end

local function get_route(ctx)
  local r = util.find(store.mg.routes, function(x) return x.id == ctx.params.id end)
  if not r then return nil, 404, { message = "Route not found" } end
  return r
end

function _M.routes_get(ctx)
  local r, st, err = get_route(ctx)
  if not r then return st, err end
  return 200, { route = route_view(r) }
end

function _M.routes_update(ctx)
  local r, st, err = get_route(ctx)
  if not r then return st, err end
  local p = args.get(ctx, "priority")
  if p then r.priority = tonumber(p) or r.priority end
  r.description = args.get(ctx, "description") or r.description
  r.expression = args.get(ctx, "expression") or r.expression
  local actions = args.all(ctx, "action")
  if #actions > 0 then r.actions = util.shallow_copy(actions) end
  local v = route_view(r)
  v.message = "Route has been updated"
  return 200, v
end

function _M.routes_delete(ctx)
  local r, st, err = get_route(ctx)
  if not r then return st, err end
  util.remove_value(store.mg.routes, function(x) return x.id == r.id end)
  return 200, { message = "Route has been deleted", id = r.id }
end

local function route_matches(expr, address)
  if expr:match("^%s*catch_all%(%s*%)%s*$") then return true end
  local pat = expr:match('match_recipient%(%s*"(.-)"%s*%)')
    or expr:match("match_recipient%(%s*'(.-)'%s*%)")
  if not pat then return false end
  local ok, found = pcall(ngx.re.find, address, pat, "joi")
  return ok and found ~= nil
end

function _M.routes_match(ctx)
  local address = args.get(ctx, "address")
  if not address then return 400, { message = "address parameter is missing" } end
  for _, r in ipairs(sorted_routes()) do
    if route_matches(r.expression, address) then return 200, { route = route_view(r) } end
  end
  return 404, { message = "Route not found" }
end

-- tags --------------------------------------------------------------------------

local function domain_tags(ctx)
  local d = ctx.params.domain
  if not store.mg.domains[d] then return nil, 404, { message = "Domain not found" } end
  local t = store.mg.tags[d]
  if not t then
    t = {}
    store.mg.tags[d] = t
  end
  return t
end

local function sorted_tags(t)
  local list = {}
  for _, x in pairs(t) do list[#list + 1] = x end
  sort(list, function(a, b) return a.tag < b.tag end)
  return list
end

function _M.tags_list(ctx)
  local t, st, err = domain_tags(ctx)
  if not t then return st, err end
  local list = sorted_tags(t)
  local prefix = args.get(ctx, "prefix")
  if prefix then list = util.filter(list, function(x) return x.tag:sub(1, #prefix) == prefix end) end
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, list, "tag", "tag", 100, 1000)
  return 200, { items = items, paging = pg }
end

local function get_tag(ctx)
  local t, st, err = domain_tags(ctx)
  if not t then return nil, st, err end
  local name = args.get(ctx, "tag")
  if not name then return nil, 400, { message = "tag parameter is missing" } end
  local x = t[name]
  if not x then return nil, 404, { message = "tag not found" } end
  return x, t
end

function _M.tag_get(ctx)
  local x, st, err = get_tag(ctx)
  if not x then return st, err end
  return 200, x
end

function _M.tag_update(ctx)
  local x, st, err = get_tag(ctx)
  if not x then return st, err end
  x.description = args.get(ctx, "description") or x.description
  return 200, { message = "Tag updated" }
end

function _M.tag_delete(ctx)
  local x, t, err = get_tag(ctx)
  if not x then return t, err end
  t[x.tag] = nil
  return 200, { message = "Tag deleted" }
end

local function all_tags()
  local list = {}
  for dom, t in pairs(store.mg.tags) do
    for _, x in pairs(t) do
      list[#list + 1] = { tag = x.tag, description = x.description, domain = dom,
        first_seen = x["first-seen"], last_seen = x["last-seen"] }
    end
  end
  sort(list, function(a, b) return a.tag < b.tag end)
  return list
end

function _M.analytics_tags(ctx)
  local body = type(ctx.body.json) == "table" and ctx.body.json or {}
  local prefix = body.tag
  local list = util.filter(all_tags(), function(x)
    return not prefix or x.tag:sub(1, #prefix) == prefix
  end)
  local pg = type(body.pagination) == "table" and body.pagination or {}
  local skip, limit = tonumber(pg.skip) or 0, tonumber(pg.limit) or 10
  if limit > 1000 then return 400, { message = "pagination.limit must be at most 1000" } end
  return 200, { items = util.slice(list, skip + 1, limit),
    pagination = { sort = pg.sort or "lastseen:desc", skip = skip, limit = limit,
      total = #list } }
end

local function find_any_tag(name)
  for _, t in pairs(store.mg.tags) do
    if t[name] then return t[name], t end
  end
end

function _M.analytics_tag_update(ctx)
  local body = type(ctx.body.json) == "table" and ctx.body.json or {}
  local x = body.tag and find_any_tag(body.tag)
  if not x then return 404, { message = "tag not found" } end
  x.description = body.description or x.description
  return 200, { message = "Tag updated" }
end

function _M.analytics_tag_delete(ctx)
  local body = type(ctx.body.json) == "table" and ctx.body.json or {}
  local name = body.tag or args.get(ctx, "tag")
  local x, t
  if name then x, t = find_any_tag(name) end
  if not x then return 404, { message = "tag not found" } end
  t[name] = nil
  return 200, { message = "Tag deleted" }
end

function _M.analytics_tag_limits()
  local n = #all_tags()
  return 200, { limit = 5000, count = n, limit_reached = n >= 5000 }
end

-- users ---------------------------------------------------------------------------

local ROLES = { basic = true, billing = true, support = true, developer = true, admin = true }

function _M.users_list(ctx)
  local role = args.get(ctx, "role")
  if role and not ROLES[role] then
    return 400, { message = "invalid role: must be one of basic, billing, support, developer, admin" }
  end
  local list = util.filter(store.mg.users, function(u) return not role or u.role == role end)
  local skip = util.int(ctx.query.skip, 0)
  local limit = util.int(ctx.query.limit, 100)
  if limit < 1 or skip < 0 then return 400, { message = "invalid skip or limit" } end
  return 200, { users = util.slice(list, skip + 1, limit), total = #list }
end

function _M.users_get(ctx)
  local u = util.find(store.mg.users, function(x) return x.id == ctx.params.id end)
  if not u then return 404, { message = "user not found" } end
  return 200, u
end

function _M.users_me(ctx)
  local key = ctx.auth_key
  if key and key.user_id then
    local u = util.find(store.mg.users, function(x) return x.id == key.user_id end)
    if u then return 200, u end
  end
  return 200, store.mg.users[1]
end

-- keys ---------------------------------------------------------------------------

local function key_view(k, with_secret)
  return { id = k.id, description = k.description, kind = k.kind, role = k.role,
    created_at = k.created_at, updated_at = k.updated_at or k.created_at,
    domain_name = k.domain_name, requestor = k.requestor or "sandbox@sandbox.test",
    user_name = k.user_name or util.null, user_id = k.user_id or util.null,
    is_disabled = false, disabled_reason = util.null,
    expires_at = k.expires_at or util.null,
    secret = with_secret and k.secret or nil }
end

function _M.keys_list(ctx)
  local dom, kind = args.get(ctx, "domain_name"), args.get(ctx, "kind")
  local items = util.array()
  for _, k in ipairs(store.mg.keys) do
    if (not dom or k.domain_name == dom) and (not kind or k.kind == kind) then
      items[#items + 1] = key_view(k)
    end
  end
  return 200, { total_count = #items, items = items }
end

local KINDS = { domain = true, user = true, web = true }
local KEY_ROLES = { admin = true, basic = true, sending = true, developer = true }

function _M.keys_create(ctx)
  local kind = args.get(ctx, "kind") or "user"
  local role = args.get(ctx, "role")
  if not KINDS[kind] then return 400, { message = "'kind' parameter is invalid" } end
  if not role or not KEY_ROLES[role] then return 400, { message = "'role' parameter is invalid" } end
  local dom = args.get(ctx, "domain_name")
  if kind == "domain" then
    if not dom then return 400, { message = "domain_name is required for domain keys" } end
    if not store.mg.domains[dom] then return 404, { message = "Domain not found" } end
  end
  local exp = tonumber(args.get(ctx, "expiration") or "")
  local k = { id = util.hex(8) .. "-" .. util.hex(8), secret = util.hex(32) .. "-" .. util.hex(8)
    .. "-" .. util.hex(8), kind = kind, role = role, domain_name = dom or util.null,
    description = args.get(ctx, "description") or "", created_at = util.iso_short(),
    user_id = args.get(ctx, "user_id"), user_name = args.get(ctx, "user_name"),
    expires_at = exp and util.iso_short(ngx.now() + exp) or nil }
  store.mg.keys[#store.mg.keys + 1] = k
  store.mg.key_by_secret[k.secret] = k
  return 200, { message = "great success", key = key_view(k, true) }
end

function _M.keys_delete(ctx)
  local k = util.find(store.mg.keys, function(x) return x.id == ctx.params.id end)
  if not k then return 404, { message = "key not found" } end
  if k.primary then return 400, { message = "the sandbox primary key can not be deleted" } end
  util.remove_value(store.mg.keys, function(x) return x.id == k.id end)
  store.mg.key_by_secret[k.secret] = nil
  return 200, { message = "key deleted" }
end

function _M.keys_public()
  return 200, { message = "public key regenerated", key = "pubkey-" .. util.hex(32) }
end

function _M.routes(r)
  r:add("GET", "/v3/routes", _M.routes_list)
  r:add("POST", "/v3/routes", _M.routes_create)
  r:add("GET", "/v3/routes/match", _M.routes_match)
  r:add("GET", "/v3/routes/{id}", _M.routes_get)
  r:add("PUT", "/v3/routes/{id}", _M.routes_update)
  r:add("DELETE", "/v3/routes/{id}", _M.routes_delete)
  r:add("GET", "/v3/{domain}/tags", _M.tags_list)
  r:add("GET", "/v3/{domain}/tag", _M.tag_get)
  r:add("PUT", "/v3/{domain}/tag", _M.tag_update)
  r:add("DELETE", "/v3/{domain}/tag", _M.tag_delete)
  r:add("POST", "/v1/analytics/tags", _M.analytics_tags)
  r:add("PUT", "/v1/analytics/tags", _M.analytics_tag_update)
  r:add("DELETE", "/v1/analytics/tags", _M.analytics_tag_delete)
  r:add("GET", "/v1/analytics/tags/limits", _M.analytics_tag_limits)
  r:add("GET", "/v5/users", _M.users_list)
  r:add("GET", "/v5/users/me", _M.users_me)
  r:add("GET", "/v5/users/{id}", _M.users_get)
  r:add("GET", "/v1/keys", _M.keys_list)
  r:add("POST", "/v1/keys", _M.keys_create)
  r:add("POST", "/v1/keys/public", _M.keys_public)
  r:add("DELETE", "/v1/keys/{id}", _M.keys_delete)
end

return _M

-- Mailgun templates and versions: per domain (/v3/{domain}/templates) and
-- per account (/v4/templates); rendered when a message names a template.
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local paging = require("sandbox.paging")

local ipairs, pairs, type = ipairs, pairs, type
local sort = table.sort

local _M = {}

local ACCOUNT = "_account"

local function scope_of(ctx)
  if ctx.params.domain then return ctx.params.domain end
  return ACCOUNT
end

local function bucket(scope)
  local b = store.mg.templates[scope]
  if not b then
    b = {}
    store.mg.templates[scope] = b
  end
  return b
end

local function new_version(ctx, tpl, tag, active)
  local v = {
    tag = tag,
    template = args.get(ctx, "template") or "",
    engine = "handlebars",
    mjml = "",
    createdAt = util.rfc2822(),
    comment = args.get(ctx, "comment") or "",
    active = active,
    id = util.hex(24),
    headers = args.get(ctx, "headers"),
  }
  if type(v.headers) == "string" then v.headers = util.decode(v.headers) end
  if active then
    for _, other in pairs(tpl.versions) do other.active = false end
    tpl.active = tag
  end
  tpl.versions[tag] = v
  return v
end

local function view(tpl, with_version)
  local t = { name = tpl.name, description = tpl.description, createdAt = tpl.createdAt,
    createdBy = tpl.createdBy, id = tpl.id }
  if with_version and tpl.active and tpl.versions[tpl.active] then
    t.version = tpl.versions[tpl.active]
  end
  return t
end

local function check_scope(ctx)
  local d = ctx.params.domain
  if d and not store.mg.domains[d] then return nil, 404, { message = "Domain not found" } end
  return scope_of(ctx)
end

local function get_tpl(ctx)
  local scope, st, err = check_scope(ctx)
  if not scope then return nil, st, err end
  local tpl = bucket(scope)[ctx.params.name]
  if not tpl then return nil, 404, { message = "template not found" } end
  return tpl
end

function _M.create(ctx)
  local scope, st, err = check_scope(ctx)
  if not scope then return st, err end
  local name = args.get(ctx, "name")
  if not name or name == "" then return 400, { message = "name parameter is missing" } end
  name = name:lower()
  local b = bucket(scope)
  if b[name] then return 409, { message = "template " .. name .. " already exists" } end
  local tpl = { name = name, description = args.get(ctx, "description") or "",
    createdAt = util.rfc2822(), createdBy = args.get(ctx, "createdBy") or "", id = util.hex(24),
    versions = {} }
  b[name] = tpl
  if args.get(ctx, "template") then
    new_version(ctx, tpl, args.get(ctx, "tag") or "initial", true)
  end
  return 200, { message = "template has been stored", template = view(tpl, true) }
end

local function sorted_templates(scope)
  local list = {}
  for _, t in pairs(bucket(scope)) do list[#list + 1] = view(t) end
  sort(list, function(a, b) return a.name < b.name end)
  return list
end

function _M.list(ctx)
  local scope, st, err = check_scope(ctx)
  if not scope then return st, err end
  local limit = util.int(ctx.query.limit, 10)
  if limit > 100 then return 400, { message = "limit should be less or equal to 100" } end
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, sorted_templates(scope), "name", "p", 10,
    100)
  return 200, { items = items, paging = pg }
end

function _M.delete_all(ctx)
  local scope, st, err = check_scope(ctx)
  if not scope then return st, err end
  store.mg.templates[scope] = {}
  return 200, { message = "templates have been deleted" }
end

function _M.get(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return st, err end
  return 200, { template = view(tpl, util.truthy(args.get(ctx, "active"))) }
end

function _M.update(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return st, err end
  local desc = args.get(ctx, "description")
  if desc then tpl.description = desc end
  return 200, { message = "template has been updated", template = { name = tpl.name } }
end

function _M.delete(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return st, err end
  bucket(scope_of(ctx))[tpl.name] = nil
  return 200, { message = "template has been deleted", template = { name = tpl.name } }
end

function _M.version_create(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return st, err end
  local tag = args.get(ctx, "tag")
  if not tag or tag == "" then return 400, { message = "tag parameter is missing" } end
  if not args.get(ctx, "template") then return 400, { message = "template parameter is missing" } end
  tag = tag:lower()
  if tpl.versions[tag] then return 409, { message = "version " .. tag .. " already exists" } end
  local active = util.truthy(args.get(ctx, "active")) or tpl.active == nil
  local v = new_version(ctx, tpl, tag, active)
  local t = view(tpl)
  t.version = v
  return 200, { message = "new version of the template has been stored", template = t }
end

function _M.version_list(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return st, err end
  local list = {}
  for _, v in pairs(tpl.versions) do
    list[#list + 1] = { tag = v.tag, engine = v.engine, mjml = v.mjml, createdAt = v.createdAt,
      comment = v.comment, active = v.active, id = v.id }
  end
  sort(list, function(a, b) return a.tag < b.tag end)
  local items, pg = paging.mailgun_pivot(ctx, ctx.path, list, "tag", "p", 10, 100)
  local t = view(tpl)
  t.versions = items
  return 200, { template = t, paging = pg }
end

local function get_version(ctx)
  local tpl, st, err = get_tpl(ctx)
  if not tpl then return nil, st, err end
  local v = tpl.versions[ctx.params.tag]
  if not v then return nil, 404, { message = "version not found" } end
  return tpl, v
end

function _M.version_get(ctx)
  local tpl, v, err = get_version(ctx)
  if not tpl then return v, err end
  local t = view(tpl)
  t.version = v
  return 200, { template = t }
end

function _M.version_update(ctx)
  local tpl, v, err = get_version(ctx)
  if not tpl then return v, err end
  local body = args.get(ctx, "template")
  if body then v.template = body end
  local comment = args.get(ctx, "comment")
  if comment then v.comment = comment end
  if util.truthy(args.get(ctx, "active")) then
    for _, other in pairs(tpl.versions) do other.active = false end
    v.active = true
    tpl.active = v.tag
  end
  return 200, { message = "version has been updated", template = { name = tpl.name,
    version = { tag = v.tag } } }
end

function _M.version_delete(ctx)
  local tpl, v, err = get_version(ctx)
  if not tpl then return v, err end
  tpl.versions[v.tag] = nil
  if tpl.active == v.tag then tpl.active = nil end
  return 200, { message = "version has been deleted", template = { name = tpl.name,
    version = { tag = v.tag } } }
end

function _M.version_copy(ctx)
  local tpl, v, err = get_version(ctx)
  if not tpl then return v, err end
  local new_tag = ctx.params.new_tag:lower()
  local c = util.shallow_copy(v)
  c.tag, c.id, c.createdAt, c.active = new_tag, util.hex(24), util.rfc2822(), false
  c.comment = args.get(ctx, "comment") or v.comment
  tpl.versions[new_tag] = c
  local t = view(tpl)
  t.version = c
  return 200, { message = "version has been copied", version = c, template = t }
end

-- For sending: -> version table | nil, message
function _M.find(domain, name, tag)
  name = name:lower()
  local tpl = bucket(domain)[name] or bucket(ACCOUNT)[name]
  if not tpl then return nil, "template '" .. name .. "' not found" end
  local v = tag and tpl.versions[tag:lower()] or (tpl.active and tpl.versions[tpl.active])
  if not v then return nil, "template '" .. name .. "' has no such version" end
  return v
end

function _M.routes(r)
  for _, base in ipairs({ "/v3/{domain}/templates", "/v4/templates" }) do
    r:add("GET", base, _M.list)
    r:add("POST", base, _M.create)
    r:add("DELETE", base, _M.delete_all)
    r:add("GET", base .. "/{name}", _M.get)
    r:add("PUT", base .. "/{name}", _M.update)
    r:add("DELETE", base .. "/{name}", _M.delete)
    r:add("GET", base .. "/{name}/versions", _M.version_list)
    r:add("POST", base .. "/{name}/versions", _M.version_create)
    r:add("GET", base .. "/{name}/versions/{tag}", _M.version_get)
    r:add("PUT", base .. "/{name}/versions/{tag}", _M.version_update)
    r:add("DELETE", base .. "/{name}/versions/{tag}", _M.version_delete)
    r:add("PUT", base .. "/{name}/versions/{tag}/copy/{new_tag}", _M.version_copy)
  end
end

return _M

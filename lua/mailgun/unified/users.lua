-- The user directory of an account, one shape for both providers
-- (see unified/user_shape.lua):
--   users:list{limit=25, cursor=, role=} -> {result = {user...}, next_cursor = string | nil}
--   users:each{limit=, role=}            -> iterator: user, or false, err once
--   users:get(id), users:me()            -> user | nil, err
--   users:invite{email=, role=, permissions=, domains=, templates=}   (MailerSend)
--   users:update(id, {role=, permissions=, ...})                       (MailerSend)
--   users:delete(id) -> true                                          (MailerSend)
-- Mailgun pages with skip/limit and filters roles on the server; MailerSend
-- pages with page/limit (10..100): a smaller limit is read from a page of
-- 10 and the cursor keeps the offset inside that page, and the role filter
-- runs here, reading on until the page is full, so no row is lost. Pages
-- are read with the engine's strategy the endpoint declares (engine/paging.lua).
local errors = require("mailgun.engine.errors")
local options = require("mailgun.engine.options")
local json = require("mailgun.engine.json")
local paging = require("mailgun.engine.paging")
local cursor = require("mailgun.unified.cursor")
local roles = require("mailgun.unified.roles")
local shape = require("mailgun.unified.user_shape")

local type, ipairs, pairs, setmetatable, tonumber, floor, min, max =
  type, ipairs, pairs, setmetatable, tonumber, math.floor, math.min, math.max

local _M = {}

_M.DEFAULT_LIMIT = 25
_M.MAILERSEND_PAGE = { min = 10, max = 100 }
_M.MAX_PAGES_PER_CALL = 20 -- MailerSend pages read by one list call (role filter)

local Users = {}
Users.__index = Users

function _M.new(provider, client)
  return setmetatable({ provider = provider, client = client }, Users)
end

local function not_supported(provider, what)
  return nil, errors.not_supported(provider .. " has no " .. what, { provider = provider })
end

-- users:list / users:each arguments (mailgun/engine/options.lua: others raise)
local LIST_ARGS = { limit = "number|string", cursor = "any", role = "any" }

local function check_args(self, args)
  if args ~= nil then options.check(args, LIST_ARGS, "users:list", { level = 3 }) end
  args = args or {}
  local limit = args.limit == nil and _M.DEFAULT_LIMIT or tonumber(args.limit)
  if not limit or limit < 1 or limit ~= floor(limit) then
    return nil, errors.invalid("'limit' must be a positive integer", { field = "limit", provider = self.provider })
  end
  return args, limit
end

-- Reads the role filter: the role id (stored in cursors) and the provider value.
function Users:_role_filter(role)
  if role == nil then return nil, nil end
  local remote, err = roles.remote(self.provider, role)
  if not remote then return nil, nil, err end
  return roles.find(self.provider, role).id, remote
end

local list_by = {}

-- One page of client.users:list through the engine's paging strategy of
-- the endpoint -> rows, the strategy's next position (nil at the end).
local function read_page(client, params)
  local ep = client.users._endpoints.list
  local style = paging.STYLES[ep.paging]
  local res, err = style.fetch(client.engine, ep, params, nil, { label = "users:list" })
  if not res then return nil, err end
  local rows = paging.items_of(res, ep)
  return rows, #rows > 0 and style.after(res, rows, params, nil) or nil
end

-- Mailgun: GET /v5/users?role=&limit=&skip= -> {users, total} ("skip")
function list_by.mailgun(self, limit, pos, remote_role, filters)
  local rows, nxt = read_page(self.client, { limit = limit, skip = tonumber(pos.skip) or 0, role = remote_role })
  if not rows then return nil, nxt end
  local out = {}
  for i, u in ipairs(rows) do out[i] = shape.mailgun(u) end
  return { result = out,
           next_cursor = nxt and cursor.encode("mailgun", "users", { skip = tonumber(nxt) }, filters) or nil }
end

-- MailerSend: GET /v1/users?page=&limit= -> {data, links, meta} ("page")
function list_by.mailersend(self, limit, pos, remote_role, filters)
  local size = tonumber(pos.size) or max(_M.MAILERSEND_PAGE.min, min(_M.MAILERSEND_PAGE.max, limit))
  local page, off = tonumber(pos.page) or 1, tonumber(pos.off) or 0
  local out = {}
  for _ = 1, _M.MAX_PAGES_PER_CALL do
    local rows, nxt = read_page(self.client, { page = page, limit = size })
    if not rows then return nil, nxt end
    local has_next = nxt ~= nil
    for i = off + 1, #rows do
      local u = rows[i]
      if remote_role == nil or u.role == remote_role then
        out[#out + 1] = shape.mailersend(u)
        if #out >= limit then
          local npos
          if i < #rows then npos = { page = page, off = i, size = size }
          elseif has_next then npos = { page = page + 1, off = 0, size = size } end
          return { result = out, next_cursor = cursor.encode("mailersend", "users", npos, filters) }
        end
      end
    end
    if not has_next then return { result = out, next_cursor = nil } end
    page, off = page + 1, 0
  end
  return { result = out,
           next_cursor = cursor.encode("mailersend", "users", { page = page, off = 0, size = size }, filters) }
end

function Users:list(args)
  local limit, err
  args, limit = check_args(self, args)
  if not args then return nil, limit end
  local role_id, remote_role
  role_id, remote_role, err = self:_role_filter(args.role)
  if err then return nil, err end
  local filters = { role = role_id }
  local pos = {}
  if args.cursor ~= nil then
    pos, err = cursor.decode(args.cursor, self.provider, "users", filters)
    if not pos then return nil, err end
  end
  return list_by[self.provider](self, limit, pos, remote_role, filters)
end

function Users:each(args)
  if args ~= nil then options.check(args, LIST_ARGS, "users:each") end
  args = args or {}
  local page, i, done = nil, 0, false
  local c = args.cursor
  return function()
    while not done do
      if page and i < #page.result then
        i = i + 1
        return page.result[i]
      end
      if page and not page.next_cursor then done = true; return nil end
      local res, err = self:list({ limit = args.limit or 100, role = args.role, cursor = c })
      if not res then done = true; return false, err end
      page, i, c = res, 0, res.next_cursor
    end
    return nil
  end
end

local function data_of(res)
  if type(res) == "table" and type(res.data) == "table" then return res.data end
  return res
end

function Users:get(id)
  if type(id) ~= "string" or id == "" then
    return nil, errors.invalid("users:get needs a user id (a string)", { field = "id", provider = self.provider })
  end
  local res, err = self.client.users:get({ user_id = id })
  if not res then return nil, err end
  return shape[self.provider](data_of(res))
end

function Users:me()
  if self.provider ~= "mailgun" then return not_supported(self.provider, "endpoint for the current user (me)") end
  local res, err = self.client.users:me()
  if not res then return nil, err end
  return shape.mailgun(type(res.user) == "table" and res.user or res)
end

-- MailerSend body fields for invite/update: role id or name -> "Custom User".
local WRITE_ARGS = { role = "any", permissions = "table", templates = "table", domains = "table",
                     requires_periodic_password_change = "boolean" }
local INVITE_ARGS = { email = "any" }
for k, v in pairs(WRITE_ARGS) do INVITE_ARGS[k] = v end

function Users:_write_body(args, with_email)
  -- unknown names and wrong types raise at the caller of invite/update
  options.check(args, with_email and INVITE_ARGS or WRITE_ARGS, with_email and "users:invite" or "users:update",
    { argn = with_email and 1 or 2, level = 3 })
  local body = {}
  for _, k in ipairs({ "permissions", "templates", "domains", "requires_periodic_password_change" }) do
    if args[k] ~= nil then
      body[k] = (type(args[k]) == "table" and args[k][1] == nil) and json.array() or args[k]
    end
  end
  if with_email then
    if type(args.email) ~= "string" or not args.email:find("@", 1, true) then
      return nil, errors.invalid("users:invite needs an email", { field = "email", provider = self.provider })
    end
    body.email = args.email
  end
  if args.role ~= nil or with_email then
    local remote, err = roles.remote("mailersend", args.role or "")
    if not remote then return nil, err end
    body.role = remote
    if remote == "Custom User" and (type(body.permissions) ~= "table" or body.permissions[1] == nil) then
      return nil, errors.invalid("role Custom User needs a list of permissions",
        { field = "permissions", provider = self.provider })
    end
  end
  return body
end

function Users:invite(args)
  if self.provider ~= "mailersend" then return not_supported(self.provider, "API to invite users") end
  local body, err = self:_write_body(args, true)
  if not body then return nil, err end
  local res
  res, err = self.client.users:invite(body)
  if not res then return nil, err end
  local u = data_of(res)
  if type(u) ~= "table" or u.id == nil then u = { email = body.email, role = body.role } end
  if u.email == nil then u.email = body.email end
  if u.role == nil and type(u.data) ~= "table" then u.role = body.role end
  return shape.mailersend(u, true)
end

function Users:update(id, args)
  if self.provider ~= "mailersend" then return not_supported(self.provider, "API to update users") end
  if type(id) ~= "string" or id == "" then
    return nil, errors.invalid("users:update needs a user id (a string)", { field = "id", provider = self.provider })
  end
  local body, err = self:_write_body(args, false)
  if not body then return nil, err end
  body.user_id = id
  local res
  res, err = self.client.users:update(body)
  if not res then return nil, err end
  return shape.mailersend(data_of(res))
end

function Users:delete(id)
  if self.provider ~= "mailersend" then return not_supported(self.provider, "API to delete users") end
  if type(id) ~= "string" or id == "" then
    return nil, errors.invalid("users:delete needs a user id (a string)", { field = "id", provider = self.provider })
  end
  local res, err = self.client.users:delete({ user_id = id })
  if not res then return nil, err end
  return true
end

return _M

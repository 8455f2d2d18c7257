-- The fixed roles of each provider (neither has a roles endpoint):
--   account.roles:list() -> {result = {role, ...}, next_cursor = nil}
--   account.roles:get(id) -> role | nil, err (not_found)
-- role = {id=, name=, description=, remote_data = the provider's own value}
-- Ids are lowercase slugs; lookups also accept the provider's own value
-- ("Custom User") and aliases (Mailgun "analyst" = "basic").
local errors = require("mailgun.engine.errors")

local type, ipairs, setmetatable, tostring = type, ipairs, setmetatable, tostring

local _M = {}

local ROLES = {
  mailgun = {
    { id = "basic", name = "Analyst", remote = "basic", aliases = { "analyst" },
      description = "Read-only access to sending data and analytics" },
    { id = "billing", name = "Billing", remote = "billing",
      description = "Manages billing and plan" },
    { id = "support", name = "Support", remote = "support",
      description = "Read access plus support-related actions" },
    { id = "developer", name = "Developer", remote = "developer",
      description = "Manages domains, keys, webhooks and sending" },
    { id = "admin", name = "Admin", remote = "admin",
      description = "Full access to the account" },
  },
  mailersend = {
    { id = "admin", name = "Admin", remote = "Admin", description = "Full access to the account" },
    { id = "manager", name = "Manager", remote = "Manager",
      description = "Manages domains, templates and sending; no billing" },
    { id = "designer", name = "Designer", remote = "Designer",
      description = "Works on templates" },
    { id = "accountant", name = "Accountant", remote = "Accountant",
      description = "Billing and invoices" },
    { id = "custom_user", name = "Custom User", remote = "Custom User",
      description = "Access given by a list of permissions" },
  },
}

local function slug(s)
  return (tostring(s):lower():gsub("[^%w]+", "_"):gsub("^_+", ""):gsub("_+$", ""))
end
_M.slug = slug

-- The role record of provider for an id, a provider value or an alias.
function _M.find(provider, key)
  if key == nil then return nil end
  local s = slug(key)
  for _, r in ipairs(ROLES[provider] or {}) do
    if r.id == s or slug(r.remote) == s then return r end
    for _, a in ipairs(r.aliases or {}) do
      if a == s then return r end
    end
  end
  return nil
end

local function public(r)
  return { id = r.id, name = r.name, description = r.description, remote_data = r.remote }
end

-- {id=, name=} of a provider's role value, as users carry it. Unknown
-- values pass through (id = slug, name = the value).
function _M.of(provider, value)
  if value == nil or type(value) ~= "string" then return nil end
  local r = _M.find(provider, value)
  if r then return { id = r.id, name = r.name } end
  return { id = slug(value), name = value }
end

-- The provider's own value for a role id/name, or nil, err (invalid).
function _M.remote(provider, key)
  local r = _M.find(provider, key)
  if r then return r.remote end
  local ids = {}
  for i, x in ipairs(ROLES[provider] or {}) do ids[i] = x.id end
  return nil, errors.invalid("unknown " .. provider .. " role '" .. tostring(key) .. "' (one of "
    .. table.concat(ids, ", ") .. ")", { field = "role", provider = provider })
end

local Roles = {}
Roles.__index = Roles

function _M.new(provider)
  return setmetatable({ provider = provider }, Roles)
end

function Roles:list()
  local out = {}
  for i, r in ipairs(ROLES[self.provider]) do out[i] = public(r) end
  return { result = out, next_cursor = nil }
end

function Roles:get(id)
  local r = _M.find(self.provider, id)
  if not r then
    return nil, errors.new({ kind = "not_found", provider = self.provider,
      message = "no " .. self.provider .. " role '" .. tostring(id) .. "'" })
  end
  return public(r)
end

return _M

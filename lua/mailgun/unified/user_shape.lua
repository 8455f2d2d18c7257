-- One user shape over both providers:
--   {id, name, first_name, last_name, emails = {{email=, is_primary=}},
--    status = "active" | "inactive" | "invited", roles = {{id=, name=}},
--    is_2fa_enabled, created_at, updated_at, remote_data = the raw record}
-- Dates are the provider's ISO-8601 text (nil where the provider has none).
local roles = require("mailgun.unified.roles")
local util = require("mailgun.unified.util")

local val, str = util.val, util.str

local _M = {}

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function emails_of(email)
  if not email then return {} end
  return { { email = email, is_primary = true } }
end

local function role_list(provider, value)
  local r = roles.of(provider, val(value))
  return r and { r } or {}
end

-- Mailgun /v5/users record.
function _M.mailgun(u)
  local name = str(u.name)
  local first, last
  if name then
    first, last = name:match("^(%S+)%s+(.-)%s*$")
    if not first then first = name end
    if last == "" then last = nil end
  end
  local status = "active"
  if val(u.is_disabled) == true then
    status = "inactive"
  elseif val(u.activated) == false then
    status = "invited"
  end
  local tfa = val(u.tfa_enabled)
  if tfa == nil then tfa = val(u.tfa_active) end
  return {
    id = str(u.id),
    name = name,
    first_name = first,
    last_name = last,
    emails = emails_of(str(u.email)),
    status = status,
    roles = role_list("mailgun", u.role),
    is_2fa_enabled = tfa == true,
    created_at = str(u.created_at),
    updated_at = str(u.updated_at),
    remote_data = u,
  }
end

-- MailerSend /v1/users record, or a pending invite (/v1/invites, or the
-- answer to an invite) when `invite` is true.
function _M.mailersend(u, invite)
  local first, last = str(u.name), str(u.last_name)
  local role = u.role
  if invite and type(val(u.data)) == "table" then role = u.data.role or role end
  local name = first and last and trim(first .. " " .. last) or first or last
  return {
    id = str(u.id),
    name = name,
    first_name = first,
    last_name = last,
    emails = emails_of(str(u.email)),
    status = invite and "invited" or "active",
    roles = role_list("mailersend", role),
    is_2fa_enabled = val(u["2fa"]) == true,
    created_at = str(u.created_at),
    updated_at = str(u.updated_at),
    remote_data = u,
  }
end

return _M

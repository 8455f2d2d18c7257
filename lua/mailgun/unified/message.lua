-- One message model for both providers, checked here before it is mapped
-- (unified/to_mailgun.lua, unified/to_mailersend.lua):
--   from                  "a@x.org" | "Ann <a@x.org>" | {email=, name=}
--   to, cc, bcc           one address as above, or a list of them
--   reply_to              one address
--   subject, text, html   per-recipient variables are written {{ name }}
--   amp_html              (Mailgun only)
--   template              {id=, variables = {...}, version=}  (variables shared by all)
--   recipient_variables   {["a@x.org"] = {name = "Ann", ...}, ...}
--   attachments           {{path=} | {data = bytes, filename=}, ...}
--   inline                {{path= | data=, filename=, cid=}, ...}  (html: <img src="cid:...">)
--   tags                  a string or a list
--   headers               {Name = value}
--   in_reply_to, references
--   send_at               epoch seconds or a date string
--   test_mode             true: accepted, not delivered (Mailgun only)
--   tracking              {opens=, clicks=, content= (MailerSend only)}
-- A field a provider lacks fails with err.kind = "not_supported" naming
-- it; an unknown field fails with "invalid". Nothing is dropped silently.
local errors = require("mailgun.engine.errors")
local dates = require("mailgun.engine.dates")
local address = require("mailgun.engine.address")
local checker = require("mailgun.engine.message")

local type, pairs, ipairs, tostring, next = type, pairs, ipairs, tostring, next

local _M = {}

-- field -> type (mailgun/engine/options.lua: unknown names and wrong
-- types raise)
local ADDRESS = "string|table"
_M.FIELDS = {
  from = ADDRESS, to = ADDRESS, cc = ADDRESS, bcc = ADDRESS, reply_to = ADDRESS, subject = "string",
  text = "string", html = "string", amp_html = "string", template = "table",
  recipient_variables = "table", attachments = "table", inline = "table", tags = "string|table",
  headers = "table", in_reply_to = "string", references = "string|table", send_at = "number|string",
  test_mode = "boolean", tracking = "table",
}

local CHECKERS = {}
local function checker_for(provider)
  CHECKERS[provider] = CHECKERS[provider] or checker.checker({ provider = provider, label = "send",
                                                                fields = _M.FIELDS })
  return CHECKERS[provider]
end

-- What each provider lacks: field (or "field.key") -> why.
_M.UNSUPPORTED = {
  mailgun = {
    ["tracking.content"] = "content tracking (MailerSend's track_content)",
  },
  mailersend = {
    test_mode = "a test mode (MailerSend sends for real; use a sandbox domain instead)",
    amp_html = "AMP HTML bodies",
    ["template.version"] = "template versions",
  },
}

_M.MAILERSEND_MAX_SCHEDULE = 72 * 3600

local function unsupported(provider, feature, why)
  return nil, errors.bound(provider).not_supported(provider .. " does not support " .. why .. " ('"
    .. feature .. "')", { feature = feature, field = feature })
end

-- The bare email of an address entry.
_M.email_of = address.email_of

-- The address entries of a field: one entry, a list, a comma-joined string.
function _M.list_of(v)
  return address.list(v) or {}
end

-- Every recipient email (to, cc, bcc), in order.
function _M.recipients(msg)
  local out = {}
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    for _, a in ipairs(_M.list_of(msg[field])) do out[#out + 1] = a.email end
  end
  return out
end

-- Names of the recipient variables used in any recipient's table.
function _M.variable_names(rv)
  local names = {}
  for _, vars in pairs(rv or {}) do
    if type(vars) == "table" then
      for k in pairs(vars) do names[tostring(k)] = true end
    end
  end
  return names
end

-- A list of attachment entries, one entry or a list given.
function _M.files(v)
  if v == nil then return {} end
  if v[1] == nil and next(v) ~= nil then return { v } end
  return v
end

-- Raises on a message that is not a table, an unknown field or a wrong
-- type (level: as error()'s, seen from the caller).
function _M.check_fields(msg, provider, level, label)
  checker_for(provider):fields(msg, (level or 2) + 1, label)
end

-- Checks the model (shape, and what `provider` lacks) -> true | nil, err.
-- Raises on a message that is not a table, an unknown field or a wrong
-- type (level: as error()'s, seen from the caller; label: the method).
function _M.check(msg, provider, now, level, label)
  local check = checker_for(provider)
  check:fields(msg, (level or 2) + 1, label)
  for k, v in pairs(msg) do
    local why = _M.UNSUPPORTED[provider][k]
    if why and v ~= nil and v ~= false then return unsupported(provider, k, why) end
  end
  for _, k in ipairs({ "template", "tracking", "recipient_variables", "headers" }) do
    for sub, x in pairs(msg[k] or {}) do
      local feature = k .. "." .. tostring(sub)
      local why = _M.UNSUPPORTED[provider][feature]
      if why and x ~= nil and x ~= false then return unsupported(provider, feature, why) end
    end
  end
  for _, field in ipairs({ "from", "reply_to" }) do
    if msg[field] ~= nil then
      local ok, err = check:address(msg[field], field)
      if not ok then return nil, err end
    end
  end
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    local ok, err = check:addresses(msg[field], field)
    if not ok then return nil, err end
  end
  if msg.template and (type(msg.template.id) ~= "string" or msg.template.id == "") then
    return check:fail("'template' needs an id (a string)", "template")
  end
  if msg.template and msg.template.variables ~= nil and type(msg.template.variables) ~= "table" then
    return check:fail("'template.variables' must be a table", "template")
  end
  for email, vars in pairs(msg.recipient_variables or {}) do
    if type(email) ~= "string" or type(vars) ~= "table" then
      return check:fail("'recipient_variables' maps an email address to a table", "recipient_variables")
    end
  end
  if msg.send_at ~= nil then
    local t, err = dates.to_epoch(msg.send_at)
    if not t then return check:fail("'send_at': " .. tostring(err), "send_at") end
    if provider == "mailersend" and t - (now or os.time()) > _M.MAILERSEND_MAX_SCHEDULE then
      return unsupported(provider, "send_at", "scheduling more than 72 hours ahead")
    end
  end
  for _, field in ipairs({ "attachments", "inline" }) do
    if msg[field] ~= nil then
      local list, err = check:files(msg[field], field)
      if not list then return nil, err end
      for _, a in ipairs(list) do
        if field == "inline" and a.cid == nil and a.filename == nil and a.path == nil then
          return check:fail("inline images need a cid (referenced as cid:<cid> in the html)", field)
        end
      end
    end
  end
  return true
end

-- {{ name }} -> %recipient.name% for the given names (Mailgun's batch syntax).
function _M.to_percent(s, names)
  if type(s) ~= "string" then return s end
  return (s:gsub("{{%s*([%w_]+)%s*}}", function(n)
    if names[n] then return "%recipient." .. n .. "%" end
  end))
end

return _M

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

local type, pairs, ipairs, tostring, next = type, pairs, ipairs, tostring, next

local _M = {}

_M.FIELDS = {
  from = true, to = true, cc = true, bcc = true, reply_to = true, subject = true, text = true,
  html = true, amp_html = true, template = true, recipient_variables = true, attachments = true,
  inline = true, tags = true, headers = true, in_reply_to = true, references = true,
  send_at = true, test_mode = true, tracking = true,
}

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

local function invalid(msg, field)
  return nil, errors.invalid(msg, { field = field })
end

local function unsupported(provider, feature, why)
  return nil, errors.not_supported(provider .. " does not support " .. why .. " ('" .. feature .. "')",
    { provider = provider, feature = feature, field = feature })
end

-- The bare email of an address entry.
function _M.email_of(a)
  if type(a) == "table" then return a.email or a.address end
  if type(a) ~= "string" then return nil end
  return a:match("<([^<>]+)>%s*$") or a:match("^%s*(.-)%s*$")
end

-- A list of address entries from one entry or a list.
function _M.list_of(v)
  if v == nil then return {} end
  if type(v) == "string" or (type(v) == "table" and v[1] == nil and (v.email or v.address)) then
    return { v }
  end
  return type(v) == "table" and v or { v }
end

-- Every recipient email (to, cc, bcc), in order.
function _M.recipients(msg)
  local out = {}
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    for _, a in ipairs(_M.list_of(msg[field])) do out[#out + 1] = _M.email_of(a) end
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

-- Checks the model (shape, and what `provider` lacks) -> true | nil, err.
function _M.check(msg, provider, now)
  if type(msg) ~= "table" then return invalid("a message must be a table, got " .. type(msg)) end
  for k, v in pairs(msg) do
    if not _M.FIELDS[k] then return invalid("unknown message field '" .. tostring(k) .. "'", tostring(k)) end
    local why = _M.UNSUPPORTED[provider][k]
    if why and v ~= nil and v ~= false then return unsupported(provider, k, why) end
  end
  for _, k in ipairs({ "template", "tracking", "recipient_variables", "headers" }) do
    local v = msg[k]
    if v ~= nil and type(v) ~= "table" then return invalid("'" .. k .. "' must be a table", k) end
    for sub, x in pairs(v or {}) do
      local feature = k .. "." .. tostring(sub)
      local why = _M.UNSUPPORTED[provider][feature]
      if why and x ~= nil and x ~= false then return unsupported(provider, feature, why) end
    end
  end
  if msg.template and (type(msg.template.id) ~= "string" or msg.template.id == "") then
    return invalid("'template' needs an id (a string)", "template")
  end
  if msg.template and msg.template.variables ~= nil and type(msg.template.variables) ~= "table" then
    return invalid("'template.variables' must be a table", "template")
  end
  for email, vars in pairs(msg.recipient_variables or {}) do
    if type(email) ~= "string" or type(vars) ~= "table" then
      return invalid("'recipient_variables' maps an email address to a table", "recipient_variables")
    end
  end
  if msg.send_at ~= nil then
    local t, err = dates.to_epoch(msg.send_at)
    if not t then return invalid("'send_at': " .. tostring(err), "send_at") end
    if provider == "mailersend" and t - (now or os.time()) > _M.MAILERSEND_MAX_SCHEDULE then
      return unsupported(provider, "send_at", "scheduling more than 72 hours ahead")
    end
  end
  for _, field in ipairs({ "attachments", "inline" }) do
    if msg[field] ~= nil and type(msg[field]) ~= "table" then
      return invalid("'" .. field .. "' must be a list", field)
    end
    for _, a in ipairs(_M.files(msg[field])) do
      if type(a) ~= "table" or (a.path == nil and a.data == nil) then
        return invalid("'" .. field .. "' entries need path= or data= (the bytes)", field)
      end
      if field == "inline" and a.cid == nil and a.filename == nil and a.path == nil then
        return invalid("inline images need a cid (referenced as cid:<cid> in the html)", field)
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

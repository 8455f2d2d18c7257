-- MailerSend over SMTP, with the message table of ms.email:send:
--   local smtp = mailersend.smtp{username =, password =, host =, port =, cafile =}
--   smtp:send(msg) -> {message_id = "<...>"} | nil, err
-- Fields with no SMTP form (template_id, personalization, tags, send_at,
-- settings) fail with kind "not_supported" before anything is sent.
local smtp = require("mailgun.engine.smtp")
local email = require("mailersend.email")
local errors = require("mailgun.engine.errors")

local type, pairs, ipairs, error = type, pairs, ipairs, error

local _M = {}

_M.HOST = "smtp.mailersend.net"

local NOT_SMTP = { template_id = true, personalization = true, tags = true, send_at = true,
                   settings = true }

function _M.new(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'mailersend.smtp' (table expected, got " .. type(opts) .. ")", 2)
  end
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.host = o.host or _M.HOST
  return smtp.client(smtp.session(o, "mailersend"), _M.build)
end

local function invalid(message, field)
  return nil, errors.invalid(message, { provider = "mailersend", field = field })
end

-- attachments and inline -> parts for the MIME builder (files stay on disk)
local function parts(msg, field, inline)
  local list, out = msg[field], {}
  if list == nil then return out end
  if type(list) ~= "table" then return invalid("'" .. field .. "' must be a list", field) end
  if list[1] == nil then list = { list } end
  for _, a in ipairs(list) do
    if type(a) ~= "table" then return invalid("'" .. field .. "' entries must be tables", field) end
    local data = a.data
    if data == nil and type(a.content) == "string" then
      data = require("mailgun.core").base64_decode((a.content:gsub("%s+", "")))
      if not data then return invalid("'" .. field .. "' content is not base64", field) end
    end
    if a.path == nil and data == nil then
      return invalid("'" .. field .. "' entries need path=, data= or content=", field)
    end
    local is_inline = inline or a.disposition == "inline"
    if is_inline and type(a.id) ~= "string" then
      return invalid("inline attachments need an id (used as cid:<id> in the html)", field)
    end
    out[#out + 1] = { path = a.path, data = data, filename = a.filename,
                      content_type = a.content_type, cid = is_inline and a.id or nil,
                      inline = is_inline }
  end
  return out
end

local function build(msg)
  for k in pairs(msg) do
    if NOT_SMTP[k] then
      return nil, errors.not_supported("'" .. k .. "' cannot be sent over SMTP (use the HTTP API)",
        { provider = "mailersend", field = k })
    end
  end
  -- the HTTP checks, without reading the attachments into memory
  local copy = {}
  for k, v in pairs(msg) do
    if k ~= "attachments" and k ~= "inline" then copy[k] = v end
  end
  local body, err = email.to_body(copy)
  if not body then return nil, err end
  local headers, recipients = { { "From", { body.from } } }, {}
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    local list = body[field] or {}
    for _, a in ipairs(list) do recipients[#recipients + 1] = a.email end
    if #list > 0 and field ~= "bcc" then headers[#headers + 1] = { field == "to" and "To" or "Cc", list } end
  end
  if body.reply_to then headers[#headers + 1] = { "Reply-To", { body.reply_to } } end
  headers[#headers + 1] = { "Subject", body.subject }
  if body.in_reply_to then headers[#headers + 1] = { "In-Reply-To", body.in_reply_to } end
  if body.references then
    headers[#headers + 1] = { "References", table.concat(body.references, " ") }
  end
  if body.list_unsubscribe then headers[#headers + 1] = { "List-Unsubscribe", body.list_unsubscribe } end
  if body.precedence_bulk then headers[#headers + 1] = { "Precedence", "bulk" } end
  for _, h in ipairs(body.headers or {}) do headers[#headers + 1] = { h.name, h.value } end
  local attachments, inline = {}, {}
  for _, field in ipairs({ "attachments", "inline" }) do
    local list
    list, err = parts(msg, field, field == "inline")
    if not list then return nil, err end
    for _, part in ipairs(list) do
      local into = part.inline and inline or attachments
      part.inline = nil
      into[#into + 1] = part
    end
  end
  return { from = body.from, recipients = recipients, headers = headers, text = body.text,
           html = body.html, attachments = attachments, inline = inline }
end
_M.build = build

return _M

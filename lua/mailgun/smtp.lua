-- Mailgun over SMTP, with the message table of client.messages:send:
--   local smtp = mailgun.smtp{username =, password =, host =, port =, cafile =, region =}
--   smtp:send(msg) -> {message_id = "<...>"} | nil, err
-- Sending options become the X-Mailgun-* headers Mailgun documents for
-- SMTP; a field SMTP cannot carry fails with kind "not_supported" before
-- anything is sent.
local smtp = require("mailgun.engine.smtp")
local message = require("mailgun.message")
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")

local type, pairs, ipairs, next, error, tostring, sort =
  type, pairs, ipairs, next, error, tostring, table.sort

local _M = {}

_M.HOSTS = { us = "smtp.mailgun.org", eu = "smtp.eu.mailgun.org" }

-- form field -> SMTP header (Mailgun's "passing sending options" table)
local HEADERS = {
  ["o:tag"] = "X-Mailgun-Tag", ["o:dkim"] = "X-Mailgun-Dkim",
  ["o:testmode"] = "X-Mailgun-Drop-Message", ["o:tracking"] = "X-Mailgun-Track",
  ["o:tracking-clicks"] = "X-Mailgun-Track-Clicks", ["o:tracking-opens"] = "X-Mailgun-Track-Opens",
  ["o:sending-ip"] = "X-Mailgun-Sending-Ip", ["o:sending-ip-pool"] = "X-Mailgun-Sending-Ip-Pool",
  ["o:require-tls"] = "X-Mailgun-Require-TLS",
  ["o:skip-verification"] = "X-Mailgun-Skip-Verification",
  ["o:deliverytime"] = "X-Mailgun-Deliver-By",
  ["o:deliverytime-optimize-period"] = "X-Mailgun-Delivery-Time-Optimize-Period",
  ["o:time-zone-localize"] = "X-Mailgun-Time-Zone-Localize",
  ["recipient-variables"] = "X-Mailgun-Recipient-Variables",
  template = "X-Mailgun-Template-Name", ["t:version"] = "X-Mailgun-Template-Version",
  ["t:variables"] = "X-Mailgun-Template-Variables",
}

-- fields the MIME builder or the envelope carry
local BODY = { from = true, to = true, cc = true, bcc = true, subject = true, text = true,
               html = true, attachment = true, inline = true }

-- mailgun.smtp{username=, password=, host=, port=, region="us"|"eu", ...}
-- (other options: see mailgun/engine/smtp.lua)
function _M.new(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'mailgun.smtp' (table expected, got " .. type(opts) .. ")", 2)
  end
  local o = {}
  for k, v in pairs(opts) do
    if k ~= "region" then o[k] = v end
  end
  if opts.region ~= nil and not _M.HOSTS[opts.region] then
    error("bad argument 'opts.region' to 'mailgun.smtp' ('us' or 'eu' expected)", 2)
  end
  o.host = o.host or _M.HOSTS[opts.region or "us"]
  return smtp.client(smtp.session(o, "mailgun"), _M.build)
end

local function not_supported(field)
  return nil, errors.not_supported("'" .. field .. "' cannot be sent over SMTP (use the HTTP API)",
    { provider = "mailgun", field = field })
end

local function add(headers, name, value)
  headers[#headers + 1] = { name, value }
end

local function list_of(v)
  return type(v) == "table" and v or { v }
end

-- The message as headers, envelope and parts, or nil, err.
local function build(msg)
  -- accepted by messages:send but with no SMTP form: the raw MIME of
  -- send_mime, the sending domain (SMTP takes it from the login)
  for _, field in ipairs({ "message", "domain" }) do
    if msg[field] ~= nil then return not_supported(field) end
  end
  local p, err = message.to_params(msg)
  if not p then return nil, err end
  local from
  from, err = smtp.address(msg.from)
  if not from then return nil, errors.invalid("'from': " .. (err or "required"), { field = "from" }) end
  local headers, recipients, vars = { { "From", { from } } }, {}, {}
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    local list
    list, err = smtp.addresses(msg[field])
    if not list then return nil, errors.invalid("'" .. field .. "': " .. err, { field = field }) end
    for _, a in ipairs(list) do recipients[#recipients + 1] = a.email end
    if #list > 0 and field ~= "bcc" then
      add(headers, field == "to" and "To" or "Cc", list)
    end
  end
  if p.subject then add(headers, "Subject", tostring(p.subject)) end
  local keys = {}
  for k in pairs(p) do keys[#keys + 1] = k end
  sort(keys)
  for _, k in ipairs(keys) do
    local v = p[k]
    if k == "h:Reply-To" then
      local r
      r, err = smtp.address(msg.reply_to or v)
      if not r then return nil, errors.invalid("'reply_to': " .. err, { field = "reply_to" }) end
      add(headers, "Reply-To", { r })
    elseif k:match("^h:") then
      add(headers, k:sub(3), tostring(v))
    elseif k:match("^v:") then
      vars[k:sub(3)] = json.decode(v) or v
    elseif HEADERS[k] then
      for _, item in ipairs(list_of(v)) do add(headers, HEADERS[k], tostring(item)) end
    elseif not BODY[k] then
      return not_supported(k)
    end
  end
  if next(vars) then add(headers, "X-Mailgun-Variables", json.encode(vars)) end
  local attachments, inline = {}, {}
  for _, part in ipairs(p.attachment or {}) do
    attachments[#attachments + 1] = { path = part.path, data = part.data, filename = part.filename,
                                      content_type = part.content_type }
  end
  for _, part in ipairs(p.inline or {}) do
    inline[#inline + 1] = { path = part.path, data = part.data, filename = part.filename,
                            content_type = part.content_type }
  end
  return { from = from, recipients = recipients, headers = headers,
           text = p.text and tostring(p.text), html = p.html and tostring(p.html),
           attachments = attachments, inline = inline }
end
_M.build = build

return _M

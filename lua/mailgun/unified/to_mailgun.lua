-- The unified message model (unified/message.lua) -> the friendly table of
-- the Mailgun client's messages:send (mailgun/message.lua).
-- Per-recipient variables become recipient-variables, and {{ name }} in
-- subject, text, html and amp_html becomes %recipient.name%; a recipient
-- missing a variable gets "" (as MailerSend renders it).
local errors = require("mailgun.engine.errors")
local model = require("mailgun.unified.message")

local type, pairs, ipairs, next = type, pairs, ipairs, next

local _M = {}

local function file(a, inline)
  local out = { path = a.path, data = a.data, filename = a.filename, content_type = a.content_type }
  -- Mailgun names an inline part by its filename: cid:<filename>
  if inline and a.cid then out.filename = a.cid end
  if out.data and not out.filename then out.filename = "attachment" end
  return out
end

local function files(list, inline)
  local out = {}
  for i, a in ipairs(model.files(list)) do out[i] = file(a, inline) end
  return out
end

-- Recipient variables for the `to` emails, every name present for each.
function _M.recipient_variables(rv, emails)
  local names = model.variable_names(rv)
  local out = {}
  for _, email in ipairs(emails) do
    local vars = {}
    for n in pairs(names) do vars[n] = "" end
    for k, v in pairs(rv[email] or {}) do vars[k] = v end
    out[email] = vars
  end
  return out, names
end

-- msg: a checked model; opts.batch: recipients come from the batch (no to).
function _M.map(msg, opts)
  opts = opts or {}
  local out = {
    from = msg.from, to = msg.to, cc = msg.cc, bcc = msg.bcc, reply_to = msg.reply_to,
    subject = msg.subject, text = msg.text, html = msg.html, amp_html = msg.amp_html,
    tags = msg.tags,
  }
  local rv = msg.recipient_variables
  if rv and next(rv) ~= nil and not opts.batch then
    local to = {}
    for i, a in ipairs(model.list_of(msg.to)) do to[i] = model.email_of(a) end
    local known = {}
    for _, e in ipairs(to) do known[e] = true end
    for email in pairs(rv) do
      if not known[email] then
        return nil, errors.not_supported("mailgun does not support recipient variables for cc or bcc"
          .. " recipients ('recipient_variables' for " .. email .. "); only 'to' recipients get their own copy",
          { provider = "mailgun", feature = "recipient_variables", field = "recipient_variables" })
      end
    end
    local names
    out.recipient_variables, names = _M.recipient_variables(rv, to)
    for _, f in ipairs({ "subject", "text", "html", "amp_html" }) do
      out[f] = model.to_percent(out[f], names)
    end
  end
  if msg.template then
    out.template = msg.template.id
    out.variables = msg.template.variables
    out.template_version = msg.template.version
  end
  if msg.attachments then out.attachments = files(msg.attachments) end
  if msg.inline then out.inline = files(msg.inline, true) end
  local headers
  if msg.headers then
    headers = {}
    for k, v in pairs(msg.headers) do headers[k] = v end
  end
  if msg.in_reply_to then
    headers = headers or {}
    headers["In-Reply-To"] = msg.in_reply_to
  end
  if msg.references then
    headers = headers or {}
    headers.References = type(msg.references) == "table" and table.concat(msg.references, " ")
      or msg.references
  end
  out.headers = headers
  if msg.send_at ~= nil then out.deliverytime = msg.send_at end
  if msg.test_mode then out.testmode = true end
  local tr = msg.tracking
  if tr then
    if tr.opens ~= nil then out.tracking_opens = tr.opens and true or false end
    if tr.clicks ~= nil then out.tracking_clicks = tr.clicks and true or false end
  end
  return out
end

return _M

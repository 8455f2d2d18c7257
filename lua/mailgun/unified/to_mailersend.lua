-- The unified message model (unified/message.lua) -> the friendly table of
-- the MailerSend client's email:send (mailersend/email.lua).
-- Template variables (shared) and recipient variables both become
-- personalization entries, one per recipient; {{ name }} is MailerSend's
-- own syntax, so bodies pass unchanged.
local model = require("mailgun.unified.message")

local pairs, ipairs, next = pairs, ipairs, next

local _M = {}

local function files(list, inline)
  local out = {}
  for i, a in ipairs(model.files(list)) do
    out[i] = { path = a.path, data = a.data, filename = a.filename,
               id = inline and (a.cid or a.filename) or nil }
  end
  return out
end

-- personalization for every recipient: shared variables, then its own.
function _M.personalization(shared, rv, emails)
  if (not shared or next(shared) == nil) and (not rv or next(rv) == nil) then return nil end
  local names = model.variable_names(rv)
  local out = {}
  for _, email in ipairs(emails) do
    local data = {}
    for n in pairs(names) do data[n] = "" end
    for k, v in pairs(shared or {}) do data[k] = v end
    for k, v in pairs(rv and rv[email] or {}) do data[k] = v end
    out[#out + 1] = { email = email, data = data }
  end
  return out
end

function _M.map(msg)
  local out = {
    from = msg.from, to = msg.to, cc = msg.cc, bcc = msg.bcc, reply_to = msg.reply_to,
    subject = msg.subject, text = msg.text, html = msg.html, tags = msg.tags,
    headers = msg.headers, in_reply_to = msg.in_reply_to, references = msg.references,
    send_at = msg.send_at,
  }
  local shared = msg.template and msg.template.variables
  if msg.template then out.template_id = msg.template.id end
  out.personalization = _M.personalization(shared, msg.recipient_variables, model.recipients(msg))
  if msg.attachments then out.attachments = files(msg.attachments) end
  if msg.inline then out.inline = files(msg.inline, true) end
  local tr = msg.tracking
  if tr then
    out.settings = { track_opens = tr.opens, track_clicks = tr.clicks, track_content = tr.content }
  end
  return out
end

return _M

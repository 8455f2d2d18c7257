-- MailerSend sending: POST /v1/email (validation, 202 + X-Message-Id,
-- warnings for suppressed recipients, personalization, send_at),
-- bulk-email + status, activity, messages, message-schedules, and the
-- on-demand events of the control API.
local store = require("sandbox.store")
local util = require("sandbox.util")
local render = require("sandbox.render")
local paging = require("sandbox.paging")
local validate = require("sandbox.ms_validate")
local msevents = require("sandbox.ms_events")

local ipairs, type, tostring, tonumber, next = ipairs, type, tostring, tonumber, next

local _M = {}

local function recipient_record(email, domain_id)
  local ms = store.ms
  local r = ms.recipients[email]
  if not r then
    r = { id = util.hex(24), email = email, created_at = util.iso(), updated_at = util.iso(),
      deleted_at = "", domain_id = domain_id }
    ms.recipients[email] = r
    ms.recipient_order[#ms.recipient_order + 1] = email
  end
  return r
end

local function email_view(e)
  return { id = e.id, from = e.from, subject = e.subject, text = e.text, html = e.html,
    status = e.status, tags = util.array(util.shallow_copy(e.tags or {})),
    created_at = e.created_at, updated_at = e.updated_at,
    recipient = { id = e.recipient.id, email = e.recipient.email,
      created_at = e.recipient.created_at, updated_at = e.recipient.updated_at,
      deleted_at = "" } }
end
_M.email_view = email_view

local function personal_data(req, address)
  for _, p in ipairs(req.personalization or {}) do
    if type(p) == "table" and type(p.email) == "string" and p.email:lower() == address then
      return type(p.data) == "table" and p.data or {}
    end
  end
  return {}
end

local function deliver_one(msg, rcpt)
  local req = msg.request
  local data = personal_data(req, rcpt.email)
  local function r(s) return s and render.handlebars(s, data) or nil end
  local now = ngx.now()
  local rec = recipient_record(rcpt.email, msg.domain.id)
  local e = {
    id = util.hex(24), message_id = msg.id, from = msg.from.email,
    subject = r(msg.subject), text = r(msg.text), html = r(msg.html),
    status = "delivered", tags = msg.tags, created_at = util.iso(now), updated_at = util.iso(now),
    recipient = rec, domain_id = msg.domain.id,
  }
  store.ms.emails[e.id] = e
  msg.emails[#msg.emails + 1] = e
  local dl = store.deliveries
  dl[#dl + 1] = {
    provider = "mailersend", id = msg.id, email_id = e.id, domain = msg.domain.name,
    from = msg.from.email, from_name = msg.from.name, to = rcpt.email, recipient = rcpt.email,
    to_name = rcpt.name, cc = util.array(util.map(req.cc or {}, function(c) return c.email end)),
    bcc = util.array(util.map(req.bcc or {}, function(c) return c.email end)),
    reply_to = req.reply_to,
    subject = e.subject, text = e.text, html = e.html, template_id = req.template_id,
    tags = util.array(util.shallow_copy(msg.tags)), personalization = util.object(data),
    attachments = util.map(req.attachments or {}, function(a)
      return { filename = a.filename, disposition = a.disposition or "attachment", id = a.id,
        size = a._size, sha256 = a._sha256 }
    end),
    headers = req.headers, scheduled_for = msg.send_at,
    delivered_at = now, status = "delivered",
  }
  msevents.activity(msg, e, "sent")
  msevents.activity(msg, e, "delivered")
end

local function deliver_all(msg)
  if msg.status == "cancelled" then return end
  msg.status = "sent"
  if msg.schedule then msg.schedule.status = "sent" end
  for _, rcpt in ipairs(msg.pending or {}) do deliver_one(msg, rcpt) end
  msg.pending = nil
end

-- Accept one validated email request. -> message, warnings body | nil
function _M.accept(req, domain)
  local ms = store.ms
  local tpl = req.template_id and ms.templates[req.template_id]
  local msg = {
    id = util.hex(24), request = req, domain = domain,
    from = req.from or (tpl and tpl.default_from) or {},
    subject = req.subject or (tpl and tpl.subject), text = req.text or (tpl and tpl.text),
    html = req.html or (tpl and tpl.html),
    tags = req.tags or {}, emails = {}, created_at = util.iso(), updated_at = util.iso(),
    status = "queued",
  }
  ms.messages[msg.id] = msg
  ms.message_order[#ms.message_order + 1] = msg.id
  local pending, suppressed = {}, {}
  for _, t in ipairs(req.to or {}) do
    local email = t.email:lower()
    local reasons = msevents.suppressed(email, domain.id)
    if reasons then
      suppressed[#suppressed + 1] = { email = email, name = t.name or "", reasons = reasons }
      store.deliveries[#store.deliveries + 1] = { provider = "mailersend", id = msg.id,
        to = email, recipient = email, status = "suppressed", reasons = reasons,
        domain = domain.name, subject = msg.subject }
    else
      pending[#pending + 1] = { email = email, name = t.name }
    end
  end
  msg.pending = pending
  local send_at = tonumber(req.send_at)
  if send_at and send_at > ngx.now() + 0.5 and #pending > 0 then
    msg.send_at = send_at
    msg.status = "scheduled"
    local sched = { message_id = msg.id, subject = msg.subject, send_at = util.iso(send_at),
      status = "scheduled", status_message = util.null, created_at = util.iso(),
      domain = { id = domain.id, name = domain.name } }
    msg.schedule = sched
    ms.schedules[msg.id] = sched
    ms.schedule_order[#ms.schedule_order + 1] = msg.id
    local epoch = store.epoch
    local ok = ngx.timer.at(send_at - ngx.now(), function(premature)
      if premature or store.epoch ~= epoch then return end
      deliver_all(msg)
    end)
    if not ok then deliver_all(msg) end
  else
    deliver_all(msg)
  end
  local warnings
  if #suppressed > 0 then
    local all = #pending == 0
    warnings = { message = "There are some warnings for your request.", warnings = util.array({ {
      type = all and "ALL_SUPPRESSED" or "SOME_SUPPRESSED",
      warning = all and "None of the recipients will receive this email."
        or "Some of the recipients will not receive this email.",
      recipients = util.array(suppressed),
    } }) }
  end
  return msg, warnings
end

function _M.email(ctx)
  local req = ctx.body.json
  local errors, domain = validate.email(req)
  if errors then return 422, validate.body(errors) end
  local msg, warnings = _M.accept(req, domain)
  local headers = { ["X-Message-Id"] = msg.id }
  if domain.domain_settings.send_paused then headers["X-Send-Paused"] = "true" end
  return 202, warnings, headers
end

function _M.bulk(ctx)
  local list = ctx.body.json
  if type(list) ~= "table" or (list[1] == nil and next(list) ~= nil) then
    return 422, { message = "The request must be an array of email objects. #MS40001",
      errors = { bulk = util.array({ "The request must be an array of email objects." }) } }
  end
  if #list > 500 then
    return 422, { message = "The bulk request may not have more than 500 objects. #MS42229",
      errors = { bulk = util.array({ "The bulk request may not have more than 500 objects." }) } }
  end
  local b = { id = util.hex(24), state = "completed", total_recipients_count = 0,
    suppressed_recipients_count = 0, suppressed_recipients = util.array(),
    validation_errors_count = 0, validation_errors = util.object(), messages_id = util.array(),
    created_at = util.iso(), updated_at = util.iso() }
  for i, req in ipairs(list) do
    local errors, domain = validate.email(req)
    if errors then
      b.validation_errors_count = b.validation_errors_count + 1
      b.validation_errors["message." .. (i - 1)] = errors
    else
      local msg, warnings = _M.accept(req, domain)
      b.messages_id[#b.messages_id + 1] = msg.id
      b.total_recipients_count = b.total_recipients_count + #(req.to or {})
      if warnings then
        for _, r in ipairs(warnings.warnings[1].recipients) do
          b.suppressed_recipients_count = b.suppressed_recipients_count + 1
          b.suppressed_recipients[#b.suppressed_recipients + 1] = { [msg.id] = r }
        end
      end
    end
  end
  if b.validation_errors_count == 0 then b.validation_errors = util.null end
  store.ms.bulk[b.id] = b
  msevents.bulk_completed(b)
  return 202, { message = "The bulk email is being processed.", bulk_email_id = b.id }
end

function _M.bulk_status(ctx)
  local b = store.ms.bulk[ctx.params.id]
  if not b then return 404, { message = "Resource not found." } end
  return 200, { data = b }
end

-- activity -------------------------------------------------------------------

function _M.activity(ctx)
  local domain = store.ms.domains[ctx.params.domain_id]
  if not domain then return 404, { message = "Resource not found." } end
  local q = ctx.query
  local errors = {}
  local from, to = tonumber(q.date_from), tonumber(q.date_to)
  if not q.date_from then errors.date_from = util.array({ "The date from field is required." })
  elseif not from then errors.date_from = util.array({ "The date from must be an integer." }) end
  if not q.date_to then errors.date_to = util.array({ "The date to field is required." })
  elseif not to then errors.date_to = util.array({ "The date to must be an integer." }) end
  if from and to and from >= to then
    errors.date_to = util.array({ "The date to must be greater than date from." })
  end
  if next(errors) then return 422, validate.body(errors) end
  local want
  local ev = q["event[]"] or q.event
  if ev then
    want = {}
    for _, e in ipairs(util.list(ev)) do want[e] = true end
  end
  local list = {}
  for i = #store.ms.activity, 1, -1 do
    local a = store.ms.activity[i]
    if a.domain_id == domain.id and a.ts >= from and a.ts <= to + 1
      and (not want or want[a.type]) then
      list[#list + 1] = a.view
    end
  end
  local body, st, err = paging.mailersend(ctx, list)
  if not body then return st, err end
  return 200, body
end

function _M.activity_get(ctx)
  for _, a in ipairs(store.ms.activity) do
    if a.view.id == ctx.params.id then return 200, { data = a.view } end
  end
  return 404, { message = "Resource not found." }
end

-- messages -------------------------------------------------------------------

local function message_view(m, full)
  local v = { id = m.id, created_at = m.created_at, updated_at = m.updated_at }
  if full then
    v.emails = util.map(m.emails, email_view)
    v.domain = { id = m.domain.id, name = m.domain.name, created_at = m.domain.created_at,
      updated_at = m.domain.updated_at }
  end
  return v
end

function _M.messages(ctx)
  local list = {}
  for i = #store.ms.message_order, 1, -1 do
    list[#list + 1] = message_view(store.ms.messages[store.ms.message_order[i]])
  end
  local body, st, err = paging.mailersend(ctx, list)
  if not body then return st, err end
  return 200, body
end

function _M.message_get(ctx)
  local m = store.ms.messages[ctx.params.id]
  if not m then return 404, { message = "Resource not found." } end
  return 200, { data = message_view(m, true) }
end

function _M.schedules(ctx)
  local list = {}
  local dom, status = ctx.query.domain_id, ctx.query.status
  for i = #store.ms.schedule_order, 1, -1 do
    local s = store.ms.schedules[store.ms.schedule_order[i]]
    if s and (not dom or s.domain.id == dom) and (not status or s.status == status) then
      list[#list + 1] = s
    end
  end
  local body, st, err = paging.mailersend(ctx, list)
  if not body then return st, err end
  return 200, body
end

function _M.schedule_get(ctx)
  local s = store.ms.schedules[ctx.params.id]
  if not s then return 404, { message = "Resource not found." } end
  return 200, { data = s }
end

function _M.schedule_delete(ctx)
  local s = store.ms.schedules[ctx.params.id]
  if not s or s.status ~= "scheduled" then return 404, { message = "Resource not found." } end
  local m = store.ms.messages[ctx.params.id]
  if m then
    m.status = "cancelled"
    for _, rc in ipairs(m.pending or {}) do
      store.deliveries[#store.deliveries + 1] = { provider = "mailersend", id = m.id,
        to = rc.email, recipient = rc.email, status = "cancelled", subject = m.subject,
        domain = m.domain.name }
    end
    m.pending = nil
  end
  store.ms.schedules[ctx.params.id] = nil
  util.remove_value(store.ms.schedule_order, function(i) return i == ctx.params.id end)
  return 204, nil
end

-- control: on-demand events ----------------------------------------------------

local ALIASES = { complained = "spam_complaint", spam = "spam_complaint",
  bounced = "hard_bounced", failed = "hard_bounced" }
local KNOWN = { opened = true, clicked = true, unsubscribed = true, spam_complaint = true,
  soft_bounced = true, hard_bounced = true, opened_unique = true, clicked_unique = true,
  survey_opened = true, survey_submitted = true, deferred = true }

function _M.trigger(v)
  local ev = ALIASES[v.event] or v.event
  if not KNOWN[ev] then return nil, "unknown MailerSend activity type: " .. tostring(v.event) end
  local rcpt = v.recipient and util.bare(v.recipient)
  local targets, mid = {}, v.message_id
  for i = #store.ms.message_order, 1, -1 do
    local m = store.ms.messages[store.ms.message_order[i]]
    if not mid or m.id == mid then
      for _, e in ipairs(m.emails) do
        if not rcpt or e.recipient.email == rcpt then targets[#targets + 1] = { m, e } end
      end
      if #targets > 0 then break end
    end
  end
  if #targets == 0 then return nil, "no delivered MailerSend message matches" end
  local out = util.array()
  for _, t in ipairs(targets) do
    local m, e = t[1], t[2]
    local kind = ({ spam_complaint = "spam-complaints", hard_bounced = "hard-bounces",
      unsubscribed = "unsubscribes" })[ev]
    if kind then msevents.suppress(kind, e.recipient.email, m.domain) end
    out[#out + 1] = msevents.activity(m, e, ev, { url = v.url, late = v.late })
  end
  return out
end

function _M.routes(r)
  r:add("POST", "/v1/email", _M.email)
  r:add("POST", "/v1/bulk-email", _M.bulk)
  r:add("GET", "/v1/bulk-email/{id}", _M.bulk_status)
  r:add("GET", "/v1/activity/{domain_id}", _M.activity)
  r:add("GET", "/v1/activities/{id}", _M.activity_get)
  r:add("GET", "/v1/messages", _M.messages)
  r:add("GET", "/v1/messages/{id}", _M.message_get)
  r:add("GET", "/v1/message-schedules", _M.schedules)
  r:add("GET", "/v1/message-schedules/{id}", _M.schedule_get)
  r:add("DELETE", "/v1/message-schedules/{id}", _M.schedule_delete)
end

return _M

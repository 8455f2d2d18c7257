-- Sending the unified message model through either provider.
--   send(account, msg) -> {id=, provider=, accepted = {emails}, warnings = {...},
--                          remote_data = the provider's answer} | nil, err
--   send_batch(account, msg, recipients, opts) -> report | nil, err
-- recipients: {"a@x.org" | {email=, name=, variables = {...}}, ...}; each
-- gets its own copy. Mailgun: recipient-variables in calls of <= 1,000;
-- MailerSend: /bulk-email in calls of <= 500 (accepted there, validated
-- and sent asynchronously). report = the one report of
-- mailgun.engine.chunked ({calls = {{index=, first=, count=, id= | error=,
-- uncertain=}}, sent=, failed=, uncertain=, total=, ok=}) plus provider;
-- opts: size, parallel, progress, resume, resend_uncertain, journal.
-- warning = {code=, message=, recipients = {emails}}
local errors = require("mailgun.engine.errors")
local address = require("mailgun.engine.address")
local options = require("mailgun.engine.options")
local model = require("mailgun.unified.message")
local to_mailgun = require("mailgun.unified.to_mailgun")
local to_mailersend = require("mailgun.unified.to_mailersend")
local events = require("mailgun.unified.events")

local type, pairs, ipairs, tostring, floor = type, pairs, ipairs, tostring, math.floor

local _M = {}

_M.BATCH_SIZE = { mailgun = 1000, mailersend = 500 }

-- Wall-clock seconds (transports' now() may be a monotonic clock).
local function now_of()
  return os.time()
end

local function mailersend_warnings(res, accepted)
  local out, dropped = {}, {}
  for _, w in ipairs(type(res.warnings) == "table" and res.warnings or {}) do
    local emails = {}
    for _, r in ipairs(type(w.recipients) == "table" and w.recipients or {}) do
      if type(r) == "table" and r.email then
        emails[#emails + 1] = r.email
        dropped[r.email] = true
      end
    end
    out[#out + 1] = { code = tostring(w.type or "warning"):lower(), message = w.warning,
                      recipients = emails }
  end
  if res.send_paused then
    out[#out + 1] = { code = "send_paused", recipients = {},
                      message = "sending is paused for this domain; the message waits in the queue" }
  end
  local kept = {}
  for _, e in ipairs(accepted) do
    if not dropped[e] then kept[#kept + 1] = e end
  end
  return out, kept
end

function _M.send(account, msg)
  local provider, client = account.provider, account.client
  local ok, err = model.check(msg, provider, now_of(), 3, "send")
  if not ok then return nil, err end
  local recipients = model.recipients(msg)
  if provider == "mailgun" then
    local m
    m, err = to_mailgun.map(msg)
    if not m then return nil, err end
    local res
    res, err = client.messages:send(m)
    if not res then return nil, err end
    local warnings = {}
    if msg.test_mode then
      warnings[1] = { code = "test_mode", recipients = {},
                      message = "test mode: accepted, not delivered" }
    end
    return { id = events.bare_id(res.id), provider = provider, accepted = recipients,
             warnings = warnings, remote_data = res }
  end
  local res
  res, err = client.email:send(to_mailersend.map(msg))
  if not res then return nil, err end
  local warnings, accepted = mailersend_warnings(res, recipients)
  return { id = res.message_id, provider = provider, accepted = accepted, warnings = warnings,
           remote_data = res }
end

-- {email=, name=, variables=} of each recipient, or nil, err.
local function read_recipients(list, provider)
  local bound = errors.bound(provider)
  if type(list) ~= "table" or list[1] == nil then
    return nil, bound.invalid("send_batch needs a non-empty list of recipients", { field = "recipients" })
  end
  local n = 0
  for k in pairs(list) do
    if type(k) == "number" then n = n + 1 end
  end
  if n ~= #list then
    error("bad argument #2 to 'send_batch' (the list of recipients has a hole (nil) after item " .. #list .. ")", 4)
  end
  local out = {}
  for i, r in ipairs(list) do
    local entry, reason = address.parse(r)
    if not entry then
      return nil, bound.invalid("recipient #" .. i .. " " .. reason, { field = "recipients" })
    end
    local variables = type(r) == "table" and (r.variables or r.vars) or nil
    if variables ~= nil and type(variables) ~= "table" then
      return nil, bound.invalid("recipient #" .. i .. ": variables must be a table", { field = "recipients" })
    end
    out[i] = { email = entry.email, name = entry.name, variables = variables }
  end
  return out
end

-- What the providers' runners take from the caller's opts.
local function runner_opts(opts, size)
  return { size = size, parallel = opts.parallel, progress = opts.progress, resume = opts.resume,
           resend_uncertain = opts.resend_uncertain, journal = opts.journal }
end

local function batch_mailgun(account, msg, list, size, opts)
  local rv = {}
  for _, r in ipairs(list) do rv[r.email] = r.variables or {} end
  local m, err = to_mailgun.map(msg, { batch = true })
  if not m then return nil, err end
  m.to, m.cc, m.bcc = nil, nil, nil
  local emails = {}
  for i, r in ipairs(list) do emails[i] = r.email end
  local vars, names = to_mailgun.recipient_variables(rv, emails)
  for _, f in ipairs({ "subject", "text", "html", "amp_html" }) do m[f] = model.to_percent(m[f], names) end
  local batch = account.client:batch(m)
  for _, r in ipairs(list) do batch:add({ email = r.email, name = r.name }, vars[r.email]) end
  return batch:send(runner_opts(opts, size))
end

local function batch_mailersend(account, msg, list, size, opts)
  local messages = {}
  for i, r in ipairs(list) do
    local one = {}
    for k, v in pairs(msg) do one[k] = v end
    one.to = { { email = r.email, name = r.name } }
    one.recipient_variables = r.variables and { [r.email] = r.variables } or nil
    messages[i] = to_mailersend.map(one)
  end
  return account.client.email:send_bulk(messages, runner_opts(opts, size))
end

-- Settles the uncertain calls of a send_batch report (see the providers'
-- reconcile: Mailgun's events, MailerSend's activity; opts.domain_id is
-- needed for MailerSend).
function _M.reconcile_batch(account, report, opts)
  if account.provider == "mailgun" then
    return account.client:batch({}):reconcile(report, opts)
  end
  return account.client.email:reconcile_bulk(report, opts)
end

function _M.send_batch(account, msg, recipients, opts)
  local provider = account.provider
  local bound = errors.bound(provider)
  if opts ~= nil then options.check(opts, options.CHUNKED, "send_batch", { argn = 3, level = 3 }) end
  opts = opts or {}
  model.check_fields(msg, provider, 3, "send_batch")
  for _, k in ipairs({ "to", "cc", "bcc", "recipient_variables" }) do
    if msg[k] ~= nil then
      return nil, bound.invalid("send_batch takes its recipients as the second argument, not '" .. k
        .. "' in the message", { field = k })
    end
  end
  local max = _M.BATCH_SIZE[provider]
  local size = opts.size or max
  if size < 1 or size > max or size ~= floor(size) then
    return nil, bound.invalid(provider .. " batches take 1 to " .. max .. " recipients per call",
      { field = "size" })
  end
  local list, err = read_recipients(recipients, provider)
  if not list then return nil, err end
  local probe = {}
  for k, v in pairs(msg) do probe[k] = v end
  probe.to = list[1].email
  local ok
  ok, err = model.check(probe, provider, now_of(), 3, "send_batch")
  if not ok then return nil, err end
  local report
  if provider == "mailgun" then
    report, err = batch_mailgun(account, msg, list, size, opts)
  else
    report, err = batch_mailersend(account, msg, list, size, opts)
  end
  if not report then return nil, err end
  report.provider = provider
  report.bulk_email_ids = nil
  for _, c in ipairs(report.calls) do
    if c.id then c.id = events.bare_id(c.id) end
  end
  return report
end

return _M

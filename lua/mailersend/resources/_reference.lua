-- Wire facts of MailerSend operations, in the format of
-- mailgun/resources/_reference.lua (see engine/wire.lua). MailerSend
-- publishes no machine-readable description: these facts are compiled from
-- its public API reference (request fields, limits, date formats; see
-- ../shared/reference/mailersend-api.md) and read by the client (array
-- fields, [] for empty lists) and the sandbox's oracle. Bodies are open
-- (other names allowed) except the email object, whose fields are all known.
-- Paths are relative to the /v1 base (_prefix).
local S, I, B = "string", "integer", "boolean"

local function f(t, extra)
  local out = { type = t }
  for k, v in pairs(extra or {}) do out[k] = v end
  return out
end
local function list(items, extra) return f("array", { items = items, max_items = extra and extra.max,
  required = extra and extra.required, enum = extra and extra.enum, item_fields = extra and extra.fields }) end
local function path(...)
  local p = {}
  for _, n in ipairs({ ... }) do p[n] = { at = "path", type = S, required = true } end
  return p
end
local function query(p, names)
  for n, t in pairs(names) do p[n] = { at = "query", type = t.type or t, enum = t.enum, format = t.format,
    required = t.required } end
  return p
end
local function json(fields, extra)
  local b = { fields = fields, open = true }
  for k, v in pairs(extra or {}) do b[k] = v end
  return { json = b }
end

local person = { email = f(S, { required = true }), name = f(S) }
local EVENTS = { "queued", "sent", "delivered", "soft_bounced", "hard_bounced", "opened", "clicked",
  "unsubscribed", "spam_complaint", "survey_opened", "survey_submitted", "opened_unique",
  "clicked_unique", "deferred" }

-- POST /email and each item of POST /bulk-email
local EMAIL = {
  from = f("object", { fields = person }),
  to = list("object", { max = 50, required = true, fields = person }),
  cc = list("object", { max = 10, fields = person }),
  bcc = list("object", { max = 10, fields = person }),
  reply_to = f("object", { fields = person }),
  subject = f(S, { max_length = 998 }),
  text = f(S, { max_length = 2 * 1024 * 1024 }),
  html = f(S, { max_length = 2 * 1024 * 1024 }),
  template_id = f(S),
  tags = list(S, { max = 5 }),
  attachments = list("object", { fields = {
    content = f(S, { required = true }), filename = f(S, { required = true }),
    disposition = f(S, { enum = { "attachment", "inline" } }), id = f(S) } }),
  personalization = list("object", { fields = { email = f(S, { required = true }),
    data = f("object") } }),
  send_at = f(I, { format = "unix" }),
  in_reply_to = f(S),
  references = list(S),
  precedence_bulk = f(B),
  settings = f("object", { fields = { track_clicks = f(B), track_opens = f(B),
    track_content = f(B) } }),
  headers = list("object", { fields = { name = f(S, { required = true }),
    value = f(S, { required = true }) } }),
  list_unsubscribe = f(S),
}
local EMAIL_RULES = { { "one_of", "text", "html", "template_id" } }
local DATES = { date_from = { type = I, format = "unix" }, date_to = { type = I, format = "unix" } }

local function with(p, more) for k, v in pairs(more) do p[k] = v end return p end

return {
  _prefix = "/v1",
  ["POST /email"] = { params = {}, bodies = { json = { fields = EMAIL, rules = EMAIL_RULES } } },
  ["POST /bulk-email"] = { params = {}, bodies = { json = { fields = EMAIL, array = true,
    max_items = 500 } } },
  ["POST /sms"] = { params = {}, bodies = json({ from = f(S, { required = true }),
    to = list(S, { required = true, max = 50 }), text = f(S, { required = true }),
    personalization = list("object", { fields = { phone_number = f(S, { required = true }),
      data = f("object") } }) }) },
  ["GET /activity/{domain_id}"] = { params = query(path("domain_id"), with({
    ["event[]"] = { type = "array", enum = EVENTS }, page = I, limit = I }, DATES)) },
  ["GET /analytics/date"] = { params = query({}, with({ ["event[]"] = "array", domain_id = S,
    ["recipient_id[]"] = "array", ["tags[]"] = "array",
    group_by = { type = S, enum = { "days", "weeks", "months", "years" } } }, DATES)) },
  ["POST /token"] = { params = {}, bodies = json({ name = f(S, { required = true, max_length = 50 }),
    domain_id = f(S), scopes = list(S, { required = true }) }) },
  ["PUT /token/{token_id}/settings"] = { params = path("token_id"), bodies = json({
    status = f(S, { required = true, enum = { "pause", "unpause" } }) }) },
  ["POST /webhooks"] = { params = {}, bodies = json({ url = f(S, { required = true }),
    name = f(S, { required = true }), events = list(S, { required = true }), enabled = f(B),
    domain_id = f(S, { required = true }), version = f(I) }) },
  ["PUT /webhooks/{webhook_id}"] = { params = path("webhook_id"), bodies = json({
    events = list(S), enabled = f(B), version = f(I) }) },
  ["POST /suppressions/blocklist"] = { params = {}, bodies = json({ domain_id = f(S),
    recipients = list(S), patterns = list(S) }) },
  ["DELETE /suppressions/blocklist"] = { params = {}, bodies = json({ domain_id = f(S),
    ids = list(S), all = f(B) }) },
  ["POST /suppressions/hard-bounces"] = { params = {}, bodies = json({ domain_id = f(S),
    recipients = list(S, { required = true }) }) },
  ["POST /suppressions/spam-complaints"] = { params = {}, bodies = json({ domain_id = f(S),
    recipients = list(S, { required = true }) }) },
  ["POST /suppressions/unsubscribes"] = { params = {}, bodies = json({ domain_id = f(S),
    recipients = list(S, { required = true }) }) },
  ["POST /email-verification"] = { params = {}, bodies = json({ name = f(S, { required = true }),
    emails = list(S, { required = true }) }) },
  ["POST /users"] = { params = {}, bodies = json({ email = f(S, { required = true, max_length = 320 }),
    role = f(S, { required = true }), permissions = list(S), templates = list(S),
    domains = list(S), requires_periodic_password_change = f(B) }) },
  ["POST /sms-webhooks"] = { params = {}, bodies = json({ url = f(S, { required = true }),
    name = f(S, { required = true }), events = list(S, { required = true,
      enum = { "sms.sent", "sms.delivered", "sms.failed" } }), enabled = f(B),
    sms_number_id = f(S, { required = true }) }) },
}

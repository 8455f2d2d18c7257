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

-- file name extensions MailerSend accepts for attachments
local EXTENSIONS = {}
for ext in ("txt csv log css ics xml html htm jpg jpe jpeg gif png bmp psd tif tiff svg indd ai eps "
  .. "doc docx rtf odt ott pdf pub pages mobi epub mp3 m4a m4v wma avi wmv mp4 mov mpeg mpg xls xlsx "
  .. "ods numbers odp ppt pptx pps key zip vcf eml p7m p7s pgp gpg asc json webp"):gmatch("%S+") do
  EXTENSIONS[ext] = true
end

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
    content = f(S, { required = true }), filename = f(S, { required = true, extensions = EXTENSIONS }),
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
  ["POST /domains"] = { params = {}, bodies = json({ name = f(S, { required = true }),
    return_path_subdomain = f(S), custom_tracking_subdomain = f(S),
    inbound_routing_subdomain = f(S) }) },
  ["GET /domains"] = { params = query({}, { page = I, limit = I, verified = B }) },
  ["PUT /domains/{domain_id}/settings"] = { params = path("domain_id"), bodies = json({
    send_paused = f(B), track_clicks = f(B), track_opens = f(B), track_unsubscribe = f(B),
    track_unsubscribe_html = f(S), track_unsubscribe_plain = f(S), track_content = f(B),
    custom_tracking_enabled = f(B), custom_tracking_subdomain = f(S),
    ignore_duplicated_recipients = f(B), precedence_bulk = f(B) }) },
  ["POST /domains/{domain_id}/smtp-users"] = { params = path("domain_id"), bodies = json({
    name = f(S, { required = true }), enabled = f(B) }) },
  ["POST /inbound"] = { params = {}, bodies = json({ domain_id = f(S, { required = true }),
    name = f(S, { required = true }), domain_enabled = f(B, { required = true }),
    inbound_domain = f(S), inbound_address = f(S), inbound_subdomain = f(S), inbound_priority = f(I),
    catch_filter = f("object"), match_filter = f("object"), forwards = list("object") }) },
  ["POST /identities"] = { params = {}, bodies = json({ domain_id = f(S, { required = true }),
    name = f(S, { required = true }), email = f(S, { required = true }), reply_to_name = f(S),
    reply_to_email = f(S), add_note = f(B), personal_note = f(S) }) },
  ["PUT /token/{token_id}"] = { params = path("token_id"), bodies = json({ name = f(S, { max_length = 50 }),
    status = f(S, { enum = { "pause", "unpause" } }) }) },
  ["PUT /users/{user_id}"] = { params = path("user_id"), bodies = json({ role = f(S),
    permissions = list(S), templates = list(S), domains = list(S),
    requires_periodic_password_change = f(B) }) },
  ["PUT /sms-numbers/{sms_number_id}"] = { params = path("sms_number_id"), bodies = json({
    paused = f(B) }) },
  ["PUT /sms-recipients/{sms_recipient_id}"] = { params = path("sms_recipient_id"), bodies = json({
    status = f(S, { required = true, enum = { "active", "opt_out" } }) }) },
  ["GET /sms-activity"] = { params = query({}, with({ sms_number_id = S, ["status[]"] = { type = "array",
    enum = { "processed", "queued", "sent", "delivered", "failed" } }, page = I, limit = I }, DATES)) },
  ["GET /sms-recipients"] = { params = query({}, { sms_number_id = S, page = I, limit = I,
    status = { type = S, enum = { "active", "opt_out" } } }) },
  ["POST /sms-inbounds"] = { params = {}, bodies = json({ sms_number_id = f(S, { required = true }),
    name = f(S, { required = true }), forward_url = f(S, { required = true }),
    filter = f("object"), enabled = f(B) }) },
  ["POST /email-verification/verify"] = { params = {}, bodies = json({
    email = f(S, { required = true }) }) },
  ["POST /email-verification/verify-async"] = { params = {}, bodies = json({
    email = f(S, { required = true }) }) },
  ["GET /message-schedules"] = { params = query({}, { domain_id = S, page = I, limit = I,
    status = { type = S, enum = { "scheduled", "sent", "error" } } }) },
  ["POST /sms-webhooks"] = { params = {}, bodies = json({ url = f(S, { required = true }),
    name = f(S, { required = true }), events = list(S, { required = true,
      enum = { "sms.sent", "sms.delivered", "sms.failed" } }), enabled = f(B),
    sms_number_id = f(S, { required = true }) }) },
}

-- MailerSend activity and webhooks: every activity is stored (GET
-- /v1/activity) and POSTed to the domain's enabled webhooks that listen for
-- "activity.<type>", with Signature = hex HMAC-SHA256(raw body, secret).
-- Also the suppression checks made when sending.
local store = require("sandbox.store")
local util = require("sandbox.util")
local crypto = require("sandbox.crypto")
local webhooks = require("sandbox.webhooks")

local ipairs, tostring, tonumber, pcall = ipairs, tostring, tonumber, pcall

local _M = {}

function _M.fire(domain_id, event_type, data)
  local ms = store.ms
  for _, id in ipairs(ms.webhook_order) do
    local w = ms.webhooks[id]
    if w and w.enabled and w.domain_id == domain_id then
      local listens = false
      for _, e in ipairs(w.events) do
        if e == event_type then listens = true end
      end
      if listens then
        local payload = { type = event_type, domain_id = domain_id, created_at = util.iso(),
          webhook_id = w.id, url = w.url, data = data }
        local raw = util.encode(payload)
        webhooks.deliver({ provider = "mailersend", url = w.url, event = event_type,
          domain = domain_id, body = raw,
          headers = { Signature = crypto.hmac_sha256(w.secret, raw) } })
      end
    end
  end
end

function _M.activity(msg, e, kind, extra)
  -- extra.late: the activity happened that long ago but only shows up now
  local now = ngx.now() - (tonumber(extra and extra.late) or 0)
  local view = {
    id = util.hex(24), created_at = util.iso(now), updated_at = util.iso(now), type = kind,
    email = {
      id = e.id, from = e.from, subject = e.subject, text = e.text, html = e.html,
      status = e.status, tags = util.array(util.shallow_copy(e.tags or {})),
      created_at = e.created_at, updated_at = e.updated_at,
      recipient = { id = e.recipient.id, email = e.recipient.email,
        created_at = e.recipient.created_at, updated_at = e.recipient.updated_at,
        deleted_at = "" },
    },
  }
  local a = { ts = now, type = kind, domain_id = msg.domain.id, view = view }
  store.ms.activity[#store.ms.activity + 1] = a
  local data = {
    object = "activity", id = view.id, type = kind, created_at = view.created_at,
    email = {
      object = "email", id = e.id, created_at = e.created_at, from = e.from,
      subject = e.subject, status = e.status, tags = view.email.tags, headers = util.null,
      message = { object = "message", id = msg.id, created_at = msg.created_at },
      recipient = { object = "recipient", id = e.recipient.id, email = e.recipient.email,
        created_at = e.recipient.created_at },
    },
    morph = util.null,
  }
  if extra and extra.url and kind:find("^clicked") then
    data.morph = { object = "click", id = util.hex(24), created_at = view.created_at,
      ip = "127.0.0.1", url = extra.url }
  elseif kind:find("^opened") then
    data.morph = { object = "open", id = util.hex(24), created_at = view.created_at,
      ip = "127.0.0.1" }
  end
  _M.fire(msg.domain.id, "activity." .. kind, data)
  return view
end

function _M.bulk_completed(b)
  for _, id in ipairs(store.ms.domain_order) do
    _M.fire(id, "bulk_email.completed", { object = "bulk_email", id = b.id, state = b.state,
      total_recipients_count = b.total_recipients_count, created_at = b.created_at })
  end
end

-- Blocklist patterns: "*@example.com" style globs, or regular expressions.
local function pattern_match(pattern, email)
  if pattern:find("*", 1, true) and not pattern:find(".*", 1, true) then
    local lp = "^" .. pattern:gsub("[%-%.%+%[%]%(%)%$%^%%%?]", "%%%0"):gsub("%*", ".*") .. "$"
    return email:match(lp) ~= nil
  end
  local ok, from = pcall(ngx.re.find, email, pattern, "joi")
  return ok and from ~= nil
end

local function applies(entry, domain_id)
  return entry.domain_id == nil or entry.domain_id == domain_id
end

-- -> list of reasons | nil
function _M.suppressed(email, domain_id)
  local s = store.ms.suppressions
  local reasons = {}
  for _, b in ipairs(s.blocklist) do
    if applies(b, domain_id) and (b.pattern == email
      or (b.type == "pattern" and pattern_match(b.pattern, email))) then
      reasons[#reasons + 1] = "blocklisted"
      break
    end
  end
  local LISTS = { { "hard-bounces", "hard_bounced" }, { "spam-complaints", "spam_complaint" },
    { "unsubscribes", "unsubscribed" }, { "on-hold-list", "on_hold" } }
  for _, l in ipairs(LISTS) do
    for _, x in ipairs(s[l[1]]) do
      if applies(x, domain_id) and x.recipient.email == email then
        reasons[#reasons + 1] = l[2]
        break
      end
    end
  end
  if #reasons == 0 then return nil end
  return util.array(reasons)
end

-- Add an entry to a suppression list. -> entry
function _M.suppress(kind, value, domain, is_pattern)
  local list = store.ms.suppressions[kind]
  local now = util.iso()
  local dom = domain and { id = domain.id, name = domain.name, created_at = domain.created_at,
    updated_at = domain.updated_at } or util.null
  local entry
  if kind == "blocklist" then
    entry = { id = util.hex(24), type = is_pattern and "pattern" or "exact",
      pattern = tostring(value):lower(), domain = dom, domain_id = domain and domain.id,
      created_at = now, updated_at = now }
  else
    value = tostring(value):lower()
    for _, x in ipairs(list) do
      if x.recipient.email == value and x.domain_id == (domain and domain.id) then return x end
    end
    entry = { id = util.hex(24), reason = util.null, domain_id = domain and domain.id,
      recipient = { id = util.hex(24), email = value, created_at = now, updated_at = now,
        deleted_at = "", domain = dom }, created_at = now }
    if kind == "on-hold-list" then entry.on_hold_until = util.iso(ngx.now() + 86400) end
  end
  list[#list + 1] = entry
  return entry
end

return _M

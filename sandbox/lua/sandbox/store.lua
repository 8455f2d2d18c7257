-- The sandbox's whole state: plain Lua tables in the single nginx worker.
-- store.config comes from the launcher; store.reset() drops everything
-- else and seeds the defaults (domains, users).
local util = require("sandbox.util")

local ipairs, pairs = ipairs, pairs

local _M = {
  config = {
    mailgun_keys = { "key-sandbox" },
    domains = { "sandbox.test" },
    mailersend_tokens = { "mlsn.sandbox" },
    signing_key = "sandbox-signing-key",
    rate_limit = 100000,
    max_requests = 10000,
  },
  seq = 0,
}

function _M.next_id()
  _M.seq = _M.seq + 1
  return _M.seq
end

local MG_USERS = {
  { "Ada Admin", "admin", true, true },
  { "Basil Basic", "basic", true, false },
  { "Bianca Billing", "billing", true, false },
  { "Sam Support", "support", false, false },
  { "Dev Developer", "developer", true, false },
}

local function mg_users()
  local users = {}
  local t0 = util.epoch("2023-03-14T09:26:53Z")
  for i, u in ipairs(MG_USERS) do
    local first = u[1]:match("^(%S+)"):lower()
    local email = first .. "@sandbox.test"
    users[i] = {
      id = string.format("64%022x", i),
      name = u[1],
      email = email,
      email_details = { address = email, is_valid = true,
        parts = { local_part = first, domain = "sandbox.test" } },
      role = u[2],
      account_id = "5f3c1b2a9d8e7f6a5b4c3d2e",
      activated = true,
      is_disabled = (i == 4),
      is_master = u[4],
      tfa_enabled = u[3],
      tfa_active = u[3],
      tfa_created_at = u[3] and os.date("!%Y-%m-%dT%H:%M:%S.000000", t0 + i * 86400) or util.null,
      password_updated_at = os.date("!%Y-%m-%dT%H:%M:%S.000000", t0 + i * 3600),
      opened_ip = "127.0.0." .. i,
      metadata = util.object(),
      preferences = { programming_language = "lua", time_format = "%m/%d/%y %I:%M %p",
        time_zone = "UTC" },
      auth = { method = "password", prior_details = util.object(), prior_method = "" },
      github_user_id = util.null,
      salesforce_user_id = util.null,
      migration_status = "done",
    }
  end
  return users
end

local MS_ROLES = { "Admin", "Manager", "Designer", "Accountant", "Custom User" }
local MS_NAMES = {
  { "Olivia", "Owner" }, { "Liam", "Manager" }, { "Emma", "Designer" }, { "Noah", "Books" },
  { "Ava", "Custom" }, { "Mia", "Admin" }, { "Lucas", "Layout" }, { "Zoe", "Ledger" },
  { "Ethan", "Ops" }, { "Isla", "Support" }, { "Mason", "Mailer" }, { "Chloe", "Campaigns" },
}

local function ms_users(domains)
  local users = {}
  local t0 = util.epoch("2023-05-02T08:00:00Z")
  for i, n in ipairs(MS_NAMES) do
    local role = MS_ROLES[(i - 1) % #MS_ROLES + 1]
    local email = (n[1] .. "." .. n[2]):lower() .. "@sandbox.test"
    local perms = util.array()
    if role == "Custom User" then
      perms = util.array({ "read-activity", "read-analytics", "read-email" })
    end
    users[i] = {
      id = util.hex(8) .. string.format("%02d", i),
      avatar = util.null,
      email = email,
      name = n[1],
      last_name = n[2],
      ["2fa"] = (i % 3 == 1),
      created_at = util.iso(t0 + i * 86400),
      updated_at = util.iso(t0 + i * 86400 + 3600),
      role = role,
      permissions = perms,
      domains = util.map(domains, function(d)
        return { id = d.id, name = d.name, created_at = d.created_at, updated_at = d.updated_at }
      end),
      templates = util.array(),
    }
  end
  return users
end

function _M.mg_domain(name, extra)
  local t = ngx.now()
  local d = {
    id = util.hex(24),
    name = name,
    state = "active",
    type = "custom",
    created_at = util.rfc2822(t),
    smtp_login = "postmaster@" .. name,
    spam_action = "disabled",
    wildcard = false,
    require_tls = false,
    skip_verification = false,
    is_disabled = false,
    web_prefix = "email",
    web_scheme = "https",
    use_automatic_sender_security = true,
    message_ttl = 259200,
    webhooks = {},  -- event id -> {urls}
    tracking = { click = { active = false }, open = { active = false },
      unsubscribe = { active = false, html_footer = "", text_footer = "" } },
  }
  for k, v in pairs(extra or {}) do d[k] = v end
  return d
end

function _M.ms_domain(name)
  local t = ngx.now()
  return {
    id = util.token(10):lower(),
    name = name,
    dkim = true, spf = true, tracking = false,
    is_verified = true, is_cname_verified = false, is_dns_active = true,
    is_cname_active = false, is_tracking_allowed = true, has_not_queued_messages = false,
    not_queued_messages_count = 0,
    domain_settings = {
      send_paused = false, track_clicks = true, track_opens = true, track_unsubscribe = false,
      track_unsubscribe_html = "", track_unsubscribe_plain = "", track_content = true,
      custom_tracking_enabled = false, custom_tracking_subdomain = "email",
      ignore_duplicated_recipients = false, precedence_bulk = false,
    },
    can = { manage = true },
    totals = { hard_bounced = 0, soft_bounced = 0, delivered = 0, sent = 0 },
    created_at = util.iso(t),
    updated_at = util.iso(t),
  }
end

-- Requests that broke the API reference (sandbox/oracle.lua); a reset keeps
-- them: only DELETE /sandbox/violations clears them.
_M.violations = {}

function _M.reset()
  local cfg = _M.config
  local mg = {
    domains = {}, domain_order = {},
    messages = {},         -- storage key -> stored message
    message_order = {},
    events = {},           -- every Mailgun event, oldest first
    suppressions = {},     -- domain -> type -> {list, index}
    routes = {},
    lists = {}, list_order = {},
    templates = {},        -- scope (domain | "_account") -> {map, order}
    tags = {},             -- domain -> {map, order}
    keys = {},             -- id -> key; secret -> key via key_by_secret
    key_by_secret = {},
    account_webhooks = {},
    account_webhook_order = {},
    users = mg_users(),
    signing_key = cfg.signing_key,
    credentials = {},
    scheduled = {},
  }
  for _, name in ipairs(cfg.domains) do
    mg.domains[name] = _M.mg_domain(name)
    mg.domain_order[#mg.domain_order + 1] = name
  end
  for _, secret in ipairs(cfg.mailgun_keys) do
    local k = { id = util.hex(8) .. "-" .. util.hex(8), secret = secret, kind = "user",
      role = "admin", description = "sandbox primary key", created_at = util.rfc2822(),
      domain_name = util.null, primary = true }
    mg.keys[#mg.keys + 1] = k
    mg.key_by_secret[secret] = k
  end
  local ms = {
    domains = {}, domain_order = {},
    tokens = {},           -- secret -> token record
    token_list = {},
    messages = {}, message_order = {},
    emails = {},           -- email id -> email
    activity = {},
    suppressions = { blocklist = {}, ["hard-bounces"] = {}, ["spam-complaints"] = {},
      unsubscribes = {}, ["on-hold-list"] = {} },
    templates = {}, template_order = {},
    webhooks = {}, webhook_order = {},
    invites = {}, invite_order = {},
    bulk = {},
    schedules = {}, schedule_order = {},
    recipients = {}, recipient_order = {},
    generic = {},          -- path -> stored objects of generic POSTs
    rate = { window = 0, count = 0 },
  }
  for _, name in ipairs(cfg.domains) do
    local d = _M.ms_domain(name)
    ms.domains[d.id] = d
    ms.domain_order[#ms.domain_order + 1] = d.id
  end
  local doms = {}
  for i, id in ipairs(ms.domain_order) do doms[i] = ms.domains[id] end
  ms.users = ms_users(doms)
  for _, secret in ipairs(cfg.mailersend_tokens) do
    local t = { id = util.hex(16), name = "sandbox token", status = "unpause",
      created_at = util.iso(), scopes = util.array({ "email_full", "domains_full" }),
      secret = secret }
    ms.tokens[secret] = t
    ms.token_list[#ms.token_list + 1] = t
  end
  _M.mg, _M.ms = mg, ms
  _M.requests = {}
  _M.deliveries = {}       -- rendered per-recipient copies (both providers)
  _M.webhook_log = {}      -- outgoing webhook POSTs
  _M.hooks = {}            -- POSTs received on /sandbox/hooks/...
  _M.faults = {}
  _M.rate_limit = cfg.rate_limit
  _M.epoch = (_M.epoch or 0) + 1
end

function _M.ms_domain_by_name(name)
  for _, id in ipairs(_M.ms.domain_order) do
    local d = _M.ms.domains[id]
    if d.name == name then return d end
  end
end

return _M

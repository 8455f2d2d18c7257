-- Mailgun domains (v4 + v3 delete/tracking) and webhooks: v3 per event id,
-- v4 per URL, v1 account webhooks, and the HTTP signing key.
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local paging = require("sandbox.paging")

local ipairs, pairs = ipairs, pairs

local _M = {}

local WEBHOOK_IDS = { "accepted", "clicked", "complained", "delivered", "opened",
  "permanent_fail", "temporary_fail", "unsubscribed" }
local VALID_ID = {}
for _, id in ipairs(WEBHOOK_IDS) do VALID_ID[id] = true end

local PUBLIC = { "id", "name", "state", "type", "created_at", "smtp_login", "spam_action",
  "wildcard", "require_tls", "skip_verification", "is_disabled", "web_prefix", "web_scheme",
  "use_automatic_sender_security", "message_ttl" }

local function view(d)
  local v = {}
  for _, k in ipairs(PUBLIC) do v[k] = d[k] end
  return v
end

local function dns(d)
  local sending = util.array({
    { record_type = "TXT", valid = "valid", name = d.name, value = "v=spf1 include:mailgun.org ~all",
      is_active = true, cached = util.array() },
    { record_type = "TXT", valid = "valid", name = "smtp._domainkey." .. d.name,
      value = "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC", is_active = true,
      cached = util.array() },
    { record_type = "CNAME", valid = "valid", name = "email." .. d.name, value = "mailgun.org",
      is_active = true, cached = util.array() },
  })
  local receiving = util.array({
    { record_type = "MX", valid = "valid", name = d.name, value = "mxa.mailgun.org",
      priority = "10", is_active = true, cached = util.array() },
    { record_type = "MX", valid = "valid", name = d.name, value = "mxb.mailgun.org",
      priority = "10", is_active = true, cached = util.array() },
  })
  return sending, receiving
end

local function get_domain(ctx)
  local name = ctx.params.name or ctx.params.domain
  local d = store.mg.domains[name]
  if not d then return nil, 404, { message = "Domain not found" } end
  return d
end

function _M.list(ctx)
  local items = {}
  local state, search = args.get(ctx, "state"), args.get(ctx, "search")
  for _, name in ipairs(store.mg.domain_order) do
    local d = store.mg.domains[name]
    if d and (not state or d.state == state) and (not search or name:find(search, 1, true)) then
      items[#items + 1] = view(d)
    end
  end
  local limit = util.int(ctx.query.limit, 100)
  if limit > 1000 then return 400, { message = "limit must be at most 1000" } end
  local page, total = paging.skip_limit(ctx, items, 100, 1000)
  return 200, { total_count = total, items = page }
end

local MUTABLE = { "spam_action", "wildcard", "require_tls", "skip_verification", "web_prefix",
  "web_scheme", "use_automatic_sender_security", "message_ttl", "mailfrom_host",
  "archive_to", "encrypt_incoming_message" }

local function apply(ctx, d)
  for _, k in ipairs(MUTABLE) do
    local v = args.get(ctx, k)
    if v ~= nil then
      if v == "true" or v == "false" then v = (v == "true") end
      d[k] = v
    end
  end
end

function _M.create(ctx)
  local name = args.get(ctx, "name")
  if not name or name == "" then return 400, { message = "name parameter is missing" } end
  name = name:lower()
  if not name:match("^[%w%-]+%.[%w%.%-]+$") then
    return 400, { message = "'name' parameter is not a valid domain name" }
  end
  if store.mg.domains[name] then
    return 400, { message = "This domain name is already taken" }
  end
  local d = store.mg_domain(name, { state = "unverified" })
  apply(ctx, d)
  local sa = d.spam_action
  if sa ~= "disabled" and sa ~= "block" and sa ~= "tag" then
    return 400, { message = "'spam_action' parameter is invalid" }
  end
  store.mg.domains[name] = d
  store.mg.domain_order[#store.mg.domain_order + 1] = name
  if not store.ms_domain_by_name(name) then
    local md = store.ms_domain(name)
    store.ms.domains[md.id] = md
    store.ms.domain_order[#store.ms.domain_order + 1] = md.id
  end
  local s, r = dns(d)
  return 200, { message = "Domain DNS records have been created", domain = view(d),
    sending_dns_records = s, receiving_dns_records = r }
end

function _M.get(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local s, r = dns(d)
  return 200, { domain = view(d), sending_dns_records = s, receiving_dns_records = r }
end

function _M.update(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  apply(ctx, d)
  return 200, { message = "Domain has been updated", domain = view(d) }
end

function _M.verify(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  d.state = "active"
  local s, r = dns(d)
  return 200, { message = "Domain DNS records have been updated", domain = view(d),
    sending_dns_records = s, receiving_dns_records = r }
end

function _M.delete(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  store.mg.domains[d.name] = nil
  util.remove_value(store.mg.domain_order, function(n) return n == d.name end)
  return 200, { message = "Domain has been deleted" }
end

function _M.tracking_get(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  return 200, { tracking = d.tracking }
end

function _M.tracking_put(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local what = ctx.params.what
  local t = d.tracking[what]
  if not t then return 404, { message = "Not found" } end
  local active = args.get(ctx, "active")
  if active ~= nil then
    t.active = (active == "htmlonly") and "htmlonly" or util.truthy(active)
  end
  for _, k in ipairs({ "html_footer", "text_footer" }) do
    local v = args.get(ctx, k)
    if v then t[k] = v end
  end
  return 200, { message = "Domain tracking settings have been updated", [what] = t }
end

-- webhooks v3 --------------------------------------------------------------

local function urls_view(d, id)
  local w = d.webhooks[id]
  return { urls = util.array(w and util.shallow_copy(w.urls) or {}) }
end

function _M.webhooks_list(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local out = util.object()
  for _, id in ipairs(WEBHOOK_IDS) do
    if d.webhooks[id] and #d.webhooks[id].urls > 0 then out[id] = urls_view(d, id) end
  end
  return 200, { webhooks = out }
end

local function check_urls(urls)
  if #urls == 0 then return "url parameter is missing" end
  if #urls > 3 then return "a webhook can have at most 3 urls" end
  for _, u in ipairs(urls) do
    if not u:match("^https?://[^/]+") then return "'url' parameter is not a valid URL" end
  end
end

function _M.webhooks_create(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local id = args.get(ctx, "id")
  if not id or not VALID_ID[id] then return 400, { message = "'id' parameter is not valid" } end
  local urls = args.all(ctx, "url")
  local e = check_urls(urls)
  if e then return 400, { message = e } end
  if d.webhooks[id] and #d.webhooks[id].urls > 0 then
    return 400, { message = "Webhook already exists" }
  end
  d.webhooks[id] = { urls = util.shallow_copy(urls) }
  return 200, { message = "Webhook has been created", webhook = urls_view(d, id) }
end

local function get_hook(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return nil, st, err end
  local id = ctx.params.id
  if not d.webhooks[id] or #d.webhooks[id].urls == 0 then
    return nil, 404, { message = "Webhook not found" }
  end
  return d, id
end

function _M.webhooks_get(ctx)
  local d, id, err = get_hook(ctx)
  if not d then return id, err end
  return 200, { webhook = urls_view(d, id) }
end

function _M.webhooks_update(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local id = ctx.params.id
  if not VALID_ID[id] then return 404, { message = "Webhook not found" } end
  local urls = args.all(ctx, "url")
  local e = check_urls(urls)
  if e then return 400, { message = e } end
  d.webhooks[id] = { urls = util.shallow_copy(urls) }
  return 200, { message = "Webhook has been updated", webhook = urls_view(d, id) }
end

function _M.webhooks_delete(ctx)
  local d, id, err = get_hook(ctx)
  if not d then return id, err end
  local v = urls_view(d, id)
  d.webhooks[id] = nil
  return 200, { message = "Webhook has been deleted", webhook = v }
end

-- webhooks v4: one URL for several event types
local function v4_view(d)
  local out = util.object()
  for _, id in ipairs(WEBHOOK_IDS) do
    if d.webhooks[id] and #d.webhooks[id].urls > 0 then out[id] = urls_view(d, id) end
  end
  return out
end

local function remove_url(d, url)
  for _, w in pairs(d.webhooks) do
    util.remove_value(w.urls, function(u) return u == url end)
  end
end

function _M.v4_create(ctx, replace)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local url = args.get(ctx, "url")
  local e = check_urls({ url })
  if not url or e then return 400, { message = e or "url parameter is missing" } end
  local types = args.all(ctx, "event_types")
  if #types == 0 then return 400, { message = "event_types parameter is missing" } end
  for _, t in ipairs(types) do
    if not VALID_ID[t] then return 400, { message = "'event_types' has an invalid value: " .. t } end
  end
  if replace == true then remove_url(d, url) end
  for _, t in ipairs(types) do
    local w = d.webhooks[t] or { urls = {} }
    d.webhooks[t] = w
    if not util.find(w.urls, function(u) return u == url end) then
      if #w.urls >= 3 then return 400, { message = "a webhook can have at most 3 urls" } end
      w.urls[#w.urls + 1] = url
    end
  end
  return 200, { message = replace == true and "Webhook has been updated"
    or "Webhook has been created", webhooks = v4_view(d) }
end

function _M.v4_update(ctx) return _M.v4_create(ctx, true) end

function _M.v4_delete(ctx)
  local d, st, err = get_domain(ctx)
  if not d then return st, err end
  local url = args.get(ctx, "url")
  if not url then return 400, { message = "url parameter is missing" } end
  for u in url:gmatch("[^,]+") do remove_url(d, u) end
  return 200, { message = "Webhook has been deleted", webhooks = v4_view(d) }
end

-- account webhooks v1 --------------------------------------------------------

local function account_view(w)
  return { webhook_id = w.webhook_id, url = w.url, event_types = util.array(w.event_types),
    description = w.description, created_at = w.created_at }
end

function _M.account_list(ctx)
  local ids = args.get(ctx, "webhook_ids")
  local want
  if ids and ids ~= "" then
    want = {}
    for id in ids:gmatch("[^,]+") do want[id] = true end
  end
  local out = util.array()
  for _, id in ipairs(store.mg.account_webhook_order) do
    local w = store.mg.account_webhooks[id]
    if w and (not want or want[id]) then out[#out + 1] = account_view(w) end
  end
  return 200, { webhooks = out }
end

function _M.account_create(ctx)
  local url = args.get(ctx, "url")
  local e = check_urls({ url })
  if not url or e then return 400, { message = e or "url parameter is missing" } end
  local types = args.all(ctx, "event_types")
  if #types == 0 then return 400, { message = "event_types parameter is missing" } end
  for _, t in ipairs(types) do
    if not VALID_ID[t] then return 400, { message = "'event_types' has an invalid value: " .. t } end
  end
  local w = { webhook_id = util.hex(24), url = url, event_types = util.shallow_copy(types),
    description = args.get(ctx, "description") or "", created_at = util.iso_short() }
  store.mg.account_webhooks[w.webhook_id] = w
  local order = store.mg.account_webhook_order
  order[#order + 1] = w.webhook_id
  return 200, { webhook_id = w.webhook_id }
end

local function get_account(ctx)
  local w = store.mg.account_webhooks[ctx.params.id]
  if not w then return nil, 404, { message = "webhook not found" } end
  return w
end

function _M.account_get(ctx)
  local w, st, err = get_account(ctx)
  if not w then return st, err end
  return 200, account_view(w)
end

function _M.account_update(ctx)
  local w, st, err = get_account(ctx)
  if not w then return st, err end
  local url = args.get(ctx, "url")
  if url then w.url = url end
  local types = args.all(ctx, "event_types")
  if #types > 0 then w.event_types = util.shallow_copy(types) end
  local desc = args.get(ctx, "description")
  if desc then w.description = desc end
  return 204, nil
end

function _M.account_delete_one(ctx)
  local w, st, err = get_account(ctx)
  if not w then return st, err end
  store.mg.account_webhooks[w.webhook_id] = nil
  util.remove_value(store.mg.account_webhook_order, function(i) return i == w.webhook_id end)
  return 204, nil
end

function _M.account_delete(ctx)
  local all = util.truthy(args.get(ctx, "all"))
  local ids = args.get(ctx, "webhook_ids")
  if not all and not ids then
    return 400, { message = "either all=true or webhook_ids is required" }
  end
  if all then
    store.mg.account_webhooks, store.mg.account_webhook_order = {}, {}
  else
    for id in ids:gmatch("[^,]+") do
      store.mg.account_webhooks[id] = nil
      util.remove_value(store.mg.account_webhook_order, function(i) return i == id end)
    end
  end
  return 204, nil
end

function _M.signing_key_get()
  return 200, { http_signing_key = store.mg.signing_key }
end

function _M.signing_key_new()
  store.mg.signing_key = util.hex(32)
  return 200, { message = "HTTP signing key has been regenerated",
    http_signing_key = store.mg.signing_key }
end

function _M.routes(r)
  r:add("GET", "/v4/domains", _M.list)
  r:add("POST", "/v4/domains", _M.create)
  r:add("GET", "/v4/domains/{name}", _M.get)
  r:add("PUT", "/v4/domains/{name}", _M.update)
  r:add("PUT", "/v4/domains/{name}/verify", _M.verify)
  r:add("DELETE", "/v3/domains/{name}", _M.delete)
  r:add("GET", "/v3/domains/{name}", _M.get)
  r:add("GET", "/v3/domains/{name}/tracking", _M.tracking_get)
  r:add("PUT", "/v3/domains/{name}/tracking/{what}", _M.tracking_put)
  r:add("GET", "/v3/domains/{domain}/webhooks", _M.webhooks_list)
  r:add("POST", "/v3/domains/{domain}/webhooks", _M.webhooks_create)
  r:add("GET", "/v3/domains/{domain}/webhooks/{id}", _M.webhooks_get)
  r:add("PUT", "/v3/domains/{domain}/webhooks/{id}", _M.webhooks_update)
  r:add("DELETE", "/v3/domains/{domain}/webhooks/{id}", _M.webhooks_delete)
  r:add("POST", "/v4/domains/{domain}/webhooks", _M.v4_create)
  r:add("PUT", "/v4/domains/{domain}/webhooks", _M.v4_update)
  r:add("DELETE", "/v4/domains/{domain}/webhooks", _M.v4_delete)
  r:add("GET", "/v1/webhooks", _M.account_list)
  r:add("POST", "/v1/webhooks", _M.account_create)
  r:add("DELETE", "/v1/webhooks", _M.account_delete)
  r:add("GET", "/v1/webhooks/{id}", _M.account_get)
  r:add("PUT", "/v1/webhooks/{id}", _M.account_update)
  r:add("DELETE", "/v1/webhooks/{id}", _M.account_delete_one)
  r:add("GET", "/v5/accounts/http_signing_key", _M.signing_key_get)
  r:add("POST", "/v5/accounts/http_signing_key", _M.signing_key_new)
end

return _M

-- MailerSend resources kept in state: suppressions (five lists), templates,
-- domains, webhooks (with a signing secret each), users and invites,
-- tokens, recipients.
local store = require("sandbox.store")
local util = require("sandbox.util")
local paging = require("sandbox.paging")
local validate = require("sandbox.ms_validate")
local msevents = require("sandbox.ms_events")

local ipairs, pairs, type, tostring, next = ipairs, pairs, type, tostring, next

local _M = {}

local NOT_FOUND = { message = "Resource not found." }

local function json(ctx)
  return type(ctx.body.json) == "table" and ctx.body.json or {}
end

local function page(ctx, list)
  local body, st, err = paging.mailersend(ctx, list)
  if not body then return st, err end
  return 200, body
end

local function domain_of(id)
  return id and store.ms.domains[tostring(id)]
end

-- suppressions -----------------------------------------------------------------

local KINDS = { blocklist = true, ["hard-bounces"] = true, ["spam-complaints"] = true,
  unsubscribes = true, ["on-hold-list"] = true }

local function sup_view(e)
  local v = util.shallow_copy(e)
  v.domain_id = nil
  return v
end

function _M.sup_list(ctx)
  local kind = ctx.params.kind
  local dom = ctx.query.domain_id
  local list = {}
  for i = #store.ms.suppressions[kind], 1, -1 do
    local e = store.ms.suppressions[kind][i]
    if not dom or e.domain_id == dom then list[#list + 1] = sup_view(e) end
  end
  return page(ctx, list)
end

function _M.sup_add(ctx)
  local kind = ctx.params.kind
  if kind == "on-hold-list" then
    return 405, { message = "The POST method is not supported for this route." }
  end
  local b = json(ctx)
  local errors = {}
  local domain = domain_of(b.domain_id)
  if not b.domain_id then
    errors.domain_id = util.array({ "The domain id field is required." })
  elseif not domain then
    errors.domain_id = util.array({ "The selected domain id is invalid." })
  end
  local recipients = type(b.recipients) == "table" and b.recipients or {}
  local patterns = type(b.patterns) == "table" and b.patterns or {}
  if #recipients == 0 and (kind ~= "blocklist" or #patterns == 0) then
    errors.recipients = util.array({ "The recipients field is required"
      .. (kind == "blocklist" and " when patterns is not present." or ".") })
  end
  for i, r in ipairs(recipients) do
    if not util.valid_email(r) then
      errors["recipients." .. (i - 1)] = util.array({ "The recipients." .. (i - 1)
        .. " must be a valid email address." })
    end
  end
  if next(errors) then return 422, validate.body(errors) end
  local out = util.array()
  for _, r in ipairs(recipients) do out[#out + 1] = sup_view(msevents.suppress(kind, r, domain)) end
  for _, p in ipairs(patterns) do
    out[#out + 1] = sup_view(msevents.suppress(kind, p, domain, true))
  end
  return 201, { data = out }
end

function _M.sup_delete(ctx)
  local kind = ctx.params.kind
  local b = json(ctx)
  local list = store.ms.suppressions[kind]
  if b.all == true then
    if b.domain_id then
      util.remove_value(list, function(e) return e.domain_id == b.domain_id end)
    else
      store.ms.suppressions[kind] = {}
    end
    return 200, { message = "Suppressions deleted." }
  end
  if type(b.ids) ~= "table" or #b.ids == 0 then
    return 422, validate.body({ ids = util.array({ "The ids field is required when all is not present." }) })
  end
  local want = {}
  for _, id in ipairs(b.ids) do want[tostring(id)] = true end
  util.remove_value(list, function(e) return want[e.id] end)
  return 200, { message = "Suppressions deleted." }
end

-- templates -----------------------------------------------------------------------

local function tpl_view(t, full)
  local v = { id = t.id, name = t.name, type = t.type, image_path = t.image_path,
    created_at = t.created_at }
  if full then
    v.html, v.text, v.subject = t.html, t.text, t.subject
    v.category = util.null
    v.domain = t.domain_id and domain_of(t.domain_id) and {
      id = t.domain_id, name = domain_of(t.domain_id).name } or util.null
    v.template_stats = { total = 0, queued = 0, sent = 0, rejected = 0, delivered = 0,
      last_email_sent_at = util.null }
    v.default_from = t.default_from
  end
  return v
end

function _M.tpl_list(ctx)
  local dom = ctx.query.domain_id
  local list = {}
  for _, id in ipairs(store.ms.template_order) do
    local t = store.ms.templates[id]
    if t and (not dom or t.domain_id == dom) then list[#list + 1] = tpl_view(t) end
  end
  return page(ctx, list)
end

function _M.tpl_create(ctx)
  local b = json(ctx)
  local errors = {}
  if type(b.name) ~= "string" or b.name == "" then
    errors.name = util.array({ "The name field is required." })
  end
  if b.domain_id and not domain_of(b.domain_id) then
    errors.domain_id = util.array({ "The selected domain id is invalid." })
  end
  if next(errors) then return 422, validate.body(errors) end
  local t = { id = util.token(12):lower(), name = b.name, type = "html",
    image_path = "https://sandbox.local/images/template.png",
    html = b.html or "", text = b.text, subject = b.subject, domain_id = b.domain_id,
    created_at = util.iso() }
  if type(b.from) == "table" and b.from.email then t.default_from = b.from end
  store.ms.templates[t.id] = t
  store.ms.template_order[#store.ms.template_order + 1] = t.id
  return 201, { data = tpl_view(t, true) }
end

function _M.tpl_get(ctx)
  local t = store.ms.templates[ctx.params.id]
  if not t then return 404, NOT_FOUND end
  return 200, { data = tpl_view(t, true) }
end

function _M.tpl_update(ctx)
  local t = store.ms.templates[ctx.params.id]
  if not t then return 404, NOT_FOUND end
  local b = json(ctx)
  for _, k in ipairs({ "name", "html", "text", "subject" }) do
    if b[k] ~= nil then t[k] = b[k] end
  end
  return 200, { data = tpl_view(t, true) }
end

function _M.tpl_delete(ctx)
  if not store.ms.templates[ctx.params.id] then return 404, NOT_FOUND end
  store.ms.templates[ctx.params.id] = nil
  util.remove_value(store.ms.template_order, function(i) return i == ctx.params.id end)
  return 204, nil
end

-- domains ---------------------------------------------------------------------------

local function dom_view(d)
  local v = util.shallow_copy(d)
  return v
end

function _M.dom_list(ctx)
  local verified = ctx.query.verified
  local list = {}
  for _, id in ipairs(store.ms.domain_order) do
    local d = store.ms.domains[id]
    if d and (verified == nil or tostring(d.is_verified) == tostring(util.truthy(verified))) then
      list[#list + 1] = dom_view(d)
    end
  end
  return page(ctx, list)
end

function _M.dom_create(ctx)
  local b = json(ctx)
  if type(b.name) ~= "string" or not b.name:match("^[%w%-]+%.[%w%.%-]+$") then
    return 422, validate.body({ name = util.array({ "The name field is required." }) })
  end
  if store.ms_domain_by_name(b.name:lower()) then
    return 422, validate.body({ name = util.array({ "The name has already been taken." }) })
  end
  local d = store.ms_domain(b.name:lower())
  d.is_verified = false
  store.ms.domains[d.id] = d
  store.ms.domain_order[#store.ms.domain_order + 1] = d.id
  return 201, { data = dom_view(d) }
end

local function get_dom(ctx)
  return store.ms.domains[ctx.params.id]
end

function _M.dom_get(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  return 200, { data = dom_view(d) }
end

function _M.dom_delete(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  store.ms.domains[d.id] = nil
  util.remove_value(store.ms.domain_order, function(i) return i == d.id end)
  return 204, nil
end

function _M.dom_dns(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  local function rec(host, typ, value) return { hostname = host, type = typ, value = value } end
  return 200, { data = { id = d.id,
    spf = rec(d.name, "TXT", "v=spf1 include:_spf.mailersend.net ~all"),
    dkim = rec("mlsend2._domainkey." .. d.name, "TXT", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3"),
    return_path = rec("mta." .. d.name, "CNAME", "mailersend.net"),
    custom_tracking = rec("links." .. d.name, "CNAME", "links.mailersend.net"),
    inbound_routing = rec("inbound." .. d.name, "MX", "inbound.mailersend.net") } }
end

function _M.dom_verify(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  d.is_verified = true
  return 200, { message = "The domain is verified.", data = { dkim = true, spf = true,
    mx = true, tracking = true, cname = true, rp_cname = true } }
end

function _M.dom_settings(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  for k, v in pairs(json(ctx)) do
    if d.domain_settings[k] ~= nil then d.domain_settings[k] = v end
  end
  d.updated_at = util.iso()
  return 200, { data = dom_view(d) }
end

function _M.dom_recipients(ctx)
  local d = get_dom(ctx)
  if not d then return 404, NOT_FOUND end
  local list = {}
  for _, email in ipairs(store.ms.recipient_order) do
    local r = store.ms.recipients[email]
    if r and r.domain_id == d.id then
      list[#list + 1] = { id = r.id, email = r.email, created_at = r.created_at,
        updated_at = r.updated_at, deleted_at = "" }
    end
  end
  return page(ctx, list)
end

-- recipients ---------------------------------------------------------------------------

local function rcpt_view(r)
  return { id = r.id, email = r.email, created_at = r.created_at, updated_at = r.updated_at,
    deleted_at = "" }
end

function _M.rcpt_list(ctx)
  local dom = ctx.query.domain_id
  local list = {}
  for _, email in ipairs(store.ms.recipient_order) do
    local r = store.ms.recipients[email]
    if r and (not dom or r.domain_id == dom) then list[#list + 1] = rcpt_view(r) end
  end
  return page(ctx, list)
end

local function find_rcpt(id)
  for email, r in pairs(store.ms.recipients) do
    if r.id == id then return r, email end
  end
end

function _M.rcpt_get(ctx)
  local r = find_rcpt(ctx.params.id)
  if not r then return 404, NOT_FOUND end
  local v = rcpt_view(r)
  v.domain = domain_of(r.domain_id) and { id = r.domain_id,
    name = domain_of(r.domain_id).name } or util.null
  v.emails = util.array()
  return 200, { data = v }
end

function _M.rcpt_delete(ctx)
  local r, email = find_rcpt(ctx.params.id)
  if not r then return 404, NOT_FOUND end
  store.ms.recipients[email] = nil
  util.remove_value(store.ms.recipient_order, function(e) return e == email end)
  return 204, nil
end

-- webhooks ----------------------------------------------------------------------------

local WEBHOOK_EVENTS = {}
for e in ("activity.sent activity.delivered activity.soft_bounced activity.hard_bounced "
  .. "activity.opened activity.opened_unique activity.clicked activity.clicked_unique "
  .. "activity.unsubscribed activity.spam_complaint activity.survey_opened "
  .. "activity.survey_submitted activity.deferred sender_identity.verified maintenance.start "
  .. "maintenance.end inbound_forward.failed inbound_message.rejected email_single.verified "
  .. "email_list.verified bulk_email.completed recipient.on_hold_added "
  .. "recipient.on_hold_removed"):gmatch("%S+") do
  WEBHOOK_EVENTS[e] = true
end

local function wh_view(w)
  local d = domain_of(w.domain_id)
  return { id = w.id, url = w.url, events = util.array(util.shallow_copy(w.events)),
    name = w.name, enabled = w.enabled, editable = true, version = w.version,
    secret = w.secret, created_at = w.created_at, updated_at = w.updated_at,
    domain = d and { id = d.id, name = d.name, created_at = d.created_at,
      updated_at = d.updated_at } or util.null }
end

local function wh_check(b, errors, creating)
  if creating or b.url ~= nil then
    if type(b.url) ~= "string" or not b.url:match("^https?://[^/]+") then
      errors.url = util.array({ "The url must be a valid URL." })
    end
  end
  if creating or b.name ~= nil then
    if type(b.name) ~= "string" or b.name == "" then
      errors.name = util.array({ "The name field is required." })
    end
  end
  if creating or b.events ~= nil then
    if type(b.events) ~= "table" or #b.events == 0 then
      errors.events = util.array({ "The events field is required." })
    else
      for i, e in ipairs(b.events) do
        if not WEBHOOK_EVENTS[e] then
          errors["events." .. (i - 1)] = util.array({ "The selected events." .. (i - 1)
            .. " is invalid." })
        end
      end
    end
  end
end

function _M.wh_list(ctx)
  local dom = ctx.query.domain_id
  if not dom then
    return 422, validate.body({ domain_id = util.array({ "The domain id field is required." }) })
  end
  local list = {}
  for _, id in ipairs(store.ms.webhook_order) do
    local w = store.ms.webhooks[id]
    if w and w.domain_id == dom then list[#list + 1] = wh_view(w) end
  end
  return page(ctx, list)
end

function _M.wh_create(ctx)
  local b = json(ctx)
  local errors = {}
  if not domain_of(b.domain_id) then
    errors.domain_id = util.array({ b.domain_id and "The selected domain id is invalid."
      or "The domain id field is required." })
  end
  wh_check(b, errors, true)
  if next(errors) then return 422, validate.body(errors) end
  local w = { id = util.token(12):lower(), url = b.url, events = util.shallow_copy(b.events),
    name = b.name, enabled = b.enabled ~= false, version = b.version or 1,
    secret = util.token(32), domain_id = b.domain_id, created_at = util.iso(),
    updated_at = util.iso() }
  store.ms.webhooks[w.id] = w
  store.ms.webhook_order[#store.ms.webhook_order + 1] = w.id
  return 201, { data = wh_view(w) }
end

function _M.wh_get(ctx)
  local w = store.ms.webhooks[ctx.params.id]
  if not w then return 404, NOT_FOUND end
  return 200, { data = wh_view(w) }
end

function _M.wh_update(ctx)
  local w = store.ms.webhooks[ctx.params.id]
  if not w then return 404, NOT_FOUND end
  local b = json(ctx)
  local errors = {}
  wh_check(b, errors, false)
  if next(errors) then return 422, validate.body(errors) end
  for _, k in ipairs({ "url", "name", "version" }) do
    if b[k] ~= nil then w[k] = b[k] end
  end
  if b.events ~= nil then w.events = util.shallow_copy(b.events) end
  if b.enabled ~= nil then w.enabled = b.enabled == true end
  w.updated_at = util.iso()
  return 200, { data = wh_view(w) }
end

function _M.wh_delete(ctx)
  if not store.ms.webhooks[ctx.params.id] then return 404, NOT_FOUND end
  store.ms.webhooks[ctx.params.id] = nil
  util.remove_value(store.ms.webhook_order, function(i) return i == ctx.params.id end)
  return 204, nil
end

-- users and invites ----------------------------------------------------------------------

local ROLES = { Admin = true, Manager = true, Designer = true, Accountant = true,
  ["Custom User"] = true }

local function find_user(id)
  return util.find(store.ms.users, function(u) return u.id == id end)
end

function _M.users_list(ctx) return page(ctx, store.ms.users) end

function _M.users_get(ctx)
  local u = find_user(ctx.params.id)
  if not u then return 404, NOT_FOUND end
  return 200, { data = u }
end

local function role_errors(b, errors, creating)
  if creating or b.role ~= nil then
    if not ROLES[b.role or ""] then
      errors.role = util.array({ b.role and "The selected role is invalid."
        or "The role field is required." })
    elseif b.role == "Custom User" and (type(b.permissions) ~= "table" or #b.permissions == 0) then
      errors.permissions = util.array({
        "The permissions field is required when role is Custom User. #MS42232" })
    end
  end
end

local function invite_view(i)
  return { id = i.id, email = i.email, data = { role = i.role,
    permissions = util.array(util.shallow_copy(i.permissions)),
    templates = util.array(util.shallow_copy(i.templates)),
    domains = util.array(util.shallow_copy(i.domains)),
    requires_periodic_password_change = i.requires_periodic_password_change },
    created_at = i.created_at, updated_at = i.updated_at }
end

function _M.users_invite(ctx)
  local b = json(ctx)
  local errors = {}
  if not util.valid_email(b.email) then
    errors.email = util.array({ b.email and "The email must be a valid email address."
      or "The email field is required." })
  elseif #b.email > 320 then
    errors.email = util.array({ "The email may not be greater than 320 characters." })
  else
    local e = b.email:lower()
    if util.find(store.ms.users, function(u) return u.email == e end) then
      errors.email = util.array({ "The email has already been taken." })
    end
  end
  role_errors(b, errors, true)
  if next(errors) then return 422, validate.body(errors) end
  local i = { id = util.token(12):lower(), email = b.email:lower(), role = b.role,
    permissions = b.permissions or {}, templates = b.templates or {}, domains = b.domains or {},
    requires_periodic_password_change = b.requires_periodic_password_change == true,
    created_at = util.iso(), updated_at = util.iso() }
  store.ms.invites[i.id] = i
  store.ms.invite_order[#store.ms.invite_order + 1] = i.id
  return 201, { data = invite_view(i) }
end

function _M.users_update(ctx)
  local u = find_user(ctx.params.id)
  if not u then return 404, NOT_FOUND end
  local b = json(ctx)
  local errors = {}
  role_errors(b, errors, false)
  if next(errors) then return 422, validate.body(errors) end
  if b.role then u.role = b.role end
  if b.permissions then u.permissions = util.array(b.permissions) end
  u.updated_at = util.iso()
  return 200, { data = u }
end

function _M.users_delete(ctx)
  local u = find_user(ctx.params.id)
  if not u then return 404, NOT_FOUND end
  util.remove_value(store.ms.users, function(x) return x.id == u.id end)
  return 204, nil
end

function _M.invites_list(ctx)
  local list = {}
  for _, id in ipairs(store.ms.invite_order) do
    if store.ms.invites[id] then list[#list + 1] = invite_view(store.ms.invites[id]) end
  end
  return page(ctx, list)
end

function _M.invites_get(ctx)
  local i = store.ms.invites[ctx.params.id]
  if not i then return 404, NOT_FOUND end
  return 200, { data = invite_view(i) }
end

function _M.invites_resend(ctx)
  local i = store.ms.invites[ctx.params.id]
  if not i then return 404, NOT_FOUND end
  i.updated_at = util.iso()
  return 200, { data = invite_view(i) }
end

function _M.invites_delete(ctx)
  if not store.ms.invites[ctx.params.id] then return 404, NOT_FOUND end
  store.ms.invites[ctx.params.id] = nil
  util.remove_value(store.ms.invite_order, function(i) return i == ctx.params.id end)
  return 204, nil
end

-- tokens -----------------------------------------------------------------------------------

local function token_view(t)
  return { id = t.id, name = t.name, status = t.status, created_at = t.created_at,
    scopes = util.array(util.shallow_copy(t.scopes)), domain_id = t.domain_id }
end

function _M.tok_list(ctx)
  return page(ctx, util.map(store.ms.token_list, token_view))
end

function _M.tok_create(ctx)
  local b = json(ctx)
  local errors = {}
  if type(b.name) ~= "string" or b.name == "" or #b.name > 50 then
    errors.name = util.array({ "The name field is required and may have at most 50 characters." })
  end
  if not domain_of(b.domain_id) then
    errors.domain_id = util.array({ "The selected domain id is invalid." })
  end
  if type(b.scopes) ~= "table" or #b.scopes == 0 then
    errors.scopes = util.array({ "The scopes field is required." })
  end
  if next(errors) then return 422, validate.body(errors) end
  local secret = "mlsn." .. util.hex(64)
  local t = { id = util.hex(16), name = b.name, status = "unpause", created_at = util.iso(),
    scopes = b.scopes, domain_id = b.domain_id, secret = secret }
  store.ms.tokens[secret] = t
  store.ms.token_list[#store.ms.token_list + 1] = t
  local v = token_view(t)
  v.accessToken = secret
  return 201, { data = v }
end

local function find_token(id)
  return util.find(store.ms.token_list, function(t) return t.id == id end)
end

function _M.tok_get(ctx)
  local t = find_token(ctx.params.id)
  if not t then return 404, NOT_FOUND end
  return 200, { data = token_view(t) }
end

function _M.tok_update(ctx)
  local t = find_token(ctx.params.id)
  if not t then return 404, NOT_FOUND end
  local b = json(ctx)
  if b.status ~= nil then
    if b.status ~= "pause" and b.status ~= "unpause" then
      return 422, validate.body({ status = util.array({ "The selected status is invalid." }) })
    end
    t.status = b.status
  end
  if type(b.name) == "string" then t.name = b.name end
  return 200, { data = token_view(t) }
end

function _M.tok_delete(ctx)
  local t = find_token(ctx.params.id)
  if not t then return 404, NOT_FOUND end
  util.remove_value(store.ms.token_list, function(x) return x.id == t.id end)
  store.ms.tokens[t.secret] = nil
  return 204, nil
end

function _M.routes(r)
  for kind in pairs(KINDS) do
    local path, fixed = "/v1/suppressions/" .. kind, { kind = kind }
    r:add("GET", path, _M.sup_list, fixed)
    r:add("POST", path, _M.sup_add, fixed)
    r:add("DELETE", path, _M.sup_delete, fixed)
  end
  r:add("GET", "/v1/templates", _M.tpl_list)
  r:add("POST", "/v1/templates", _M.tpl_create)
  r:add("GET", "/v1/templates/{id}", _M.tpl_get)
  r:add("PUT", "/v1/templates/{id}", _M.tpl_update)
  r:add("DELETE", "/v1/templates/{id}", _M.tpl_delete)
  r:add("GET", "/v1/domains", _M.dom_list)
  r:add("POST", "/v1/domains", _M.dom_create)
  r:add("GET", "/v1/domains/{id}", _M.dom_get)
  r:add("DELETE", "/v1/domains/{id}", _M.dom_delete)
  r:add("GET", "/v1/domains/{id}/dns-records", _M.dom_dns)
  r:add("GET", "/v1/domains/{id}/verify", _M.dom_verify)
  r:add("PUT", "/v1/domains/{id}/settings", _M.dom_settings)
  r:add("GET", "/v1/domains/{id}/recipients", _M.dom_recipients)
  r:add("GET", "/v1/recipients", _M.rcpt_list)
  r:add("GET", "/v1/recipients/{id}", _M.rcpt_get)
  r:add("DELETE", "/v1/recipients/{id}", _M.rcpt_delete)
  r:add("GET", "/v1/webhooks", _M.wh_list)
  r:add("POST", "/v1/webhooks", _M.wh_create)
  r:add("GET", "/v1/webhooks/{id}", _M.wh_get)
  r:add("PUT", "/v1/webhooks/{id}", _M.wh_update)
  r:add("DELETE", "/v1/webhooks/{id}", _M.wh_delete)
  r:add("GET", "/v1/users", _M.users_list)
  r:add("POST", "/v1/users", _M.users_invite)
  r:add("GET", "/v1/users/{id}", _M.users_get)
  r:add("PUT", "/v1/users/{id}", _M.users_update)
  r:add("DELETE", "/v1/users/{id}", _M.users_delete)
  r:add("GET", "/v1/invites", _M.invites_list)
  r:add("GET", "/v1/invites/{id}", _M.invites_get)
  r:add("POST", "/v1/invites/{id}/resend", _M.invites_resend)
  r:add("DELETE", "/v1/invites/{id}", _M.invites_delete)
  r:add("GET", "/v1/token", _M.tok_list)
  r:add("POST", "/v1/token", _M.tok_create)
  r:add("GET", "/v1/token/{id}", _M.tok_get)
  r:add("PUT", "/v1/token/{id}", _M.tok_update)
  r:add("PUT", "/v1/token/{id}/settings", _M.tok_update)
  r:add("DELETE", "/v1/token/{id}", _M.tok_delete)
end

return _M

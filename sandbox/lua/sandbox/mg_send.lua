-- Mailgun sending: POST /v3/{domain}/messages and messages.mime, with the
-- real checks; per-recipient rendering (recipient-variables, templates),
-- suppressions, o:testmode, o:deliverytime scheduling and
-- DELETE /v3/{domain}/envelopes; stored messages (GET, resend).
local store = require("sandbox.store")
local util = require("sandbox.util")
local args = require("sandbox.args")
local render = require("sandbox.render")
local paging = require("sandbox.paging")
local events = require("sandbox.mg_events")
local suppressions = require("sandbox.mg_suppressions")
local templates = require("sandbox.mg_templates")
local lists = require("sandbox.mg_lists")

local ipairs, pairs, type, tostring = ipairs, pairs, type, tostring
local concat = table.concat

local _M = {}

local MAX_RECIPIENTS = 1000
local MAX_TAGS = 10
local MAX_OPTIONS = 16 * 1024
local MAX_SCHEDULE = 7 * 86400

local function bad(msg) return 400, { message = msg } end

local function message_id(domain)
  return "<" .. os.date("!%Y%m%d%H%M%S", ngx.time()) .. "." .. util.hex(16) .. "@" .. domain .. ">"
end

local function record_tags(domain, tags)
  local t = store.mg.tags[domain]
  if not t then
    t = {}
    store.mg.tags[domain] = t
  end
  local now = util.rfc2822()
  for _, tag in ipairs(tags) do
    local rec = t[tag]
    if not rec then
      rec = { tag = tag, description = "", ["first-seen"] = now }
      t[tag] = rec
    end
    rec["last-seen"] = now
  end
end

local function strip_tags(html)
  return (html:gsub("<[^>]*>", ""))
end

-- The variables a template sees: v:, h:X-Mailgun-Variables, then t:variables.
local function template_vars(msg)
  local vars = {}
  for k, v in pairs(msg.user_vars) do vars[k] = v end
  local hv = msg.headers["X-Mailgun-Variables"]
  if type(hv) == "string" then
    local t = util.decode(hv)
    if type(t) == "table" then for k, v in pairs(t) do vars[k] = v end end
  end
  if type(msg.t_variables) == "table" then
    for k, v in pairs(msg.t_variables) do vars[k] = v end
  end
  return vars
end

local function deliver(msg, rcpt)
  local vars = rcpt.vars or {}
  local tvars = template_vars(msg)
  local function r(s)
    if s == nil then return nil end
    s = render.handlebars(s, tvars)
    return render.recipient(s, vars, rcpt.address)
  end
  local html, text = msg.html, msg.text
  if msg.template_body then
    html = msg.template_body
    if msg.template_text then text = strip_tags(msg.template_body) end
  end
  local to_header = msg.personalized and rcpt.raw or msg.to_header
  local d = {
    provider = "mailgun",
    id = msg.id,
    storage_key = msg.key,
    domain = msg.domain,
    from = r(msg.from),
    to = rcpt.address,
    recipient = rcpt.address,
    to_header = to_header,
    kind = rcpt.kind,
    cc = msg.cc_header,
    subject = r(msg.subject) or "",
    text = r(text),
    html = r(html),
    amp_html = r(msg.amp),
    template = msg.template,
    tags = util.array(util.shallow_copy(msg.tags)),
    variables = util.object(util.shallow_copy(msg.user_vars)),
    recipient_variables = util.object(util.shallow_copy(vars)),
    headers = util.object(util.shallow_copy(msg.headers)),
    options = util.object(util.shallow_copy(msg.options)),
    attachments = util.map(msg.files, function(f)
      return { field = f.field, filename = f.filename, content_type = f.content_type,
        size = f.size, sha256 = f.sha256 }
    end),
    mime = msg.mime,
    testmode = msg.testmode,
    scheduled_for = msg.deliver_at,
    delivered_at = ngx.now(),
    status = "delivered",
  }
  local dl = store.deliveries
  dl[#dl + 1] = d
  events.emit(msg, rcpt.address, "delivered", {
    ["delivery-status"] = { code = 250, message = "OK", description = "", ["attempt-no"] = 1,
      ["session-seconds"] = 0.05, tls = true, certificate_verified = true,
      ["mx-host"] = "mx.sandbox.local" },
  })
  return d
end

local function deliver_all(msg)
  if msg.status == "cancelled" then return end
  msg.status = "delivered"
  for _, rcpt in ipairs(msg.pending or {}) do deliver(msg, rcpt) end
  msg.pending = nil
end

local function schedule(msg)
  local epoch = store.epoch
  local delay = msg.deliver_at - ngx.now()
  if delay < 0 then delay = 0 end
  msg.status = "scheduled"
  local ok = ngx.timer.at(delay, function(premature)
    if premature or store.epoch ~= epoch then return end
    deliver_all(msg)
  end)
  if not ok then deliver_all(msg) end
end

-- Recipients of to/cc/bcc, lists expanded. -> list | nil, error
local function collect(values_by_kind, rvars)
  local out, seen, count = {}, {}, 0
  for _, pair in ipairs(values_by_kind) do
    local kind, values = pair[1], pair[2]
    for _, v in ipairs(values) do
      for _, raw in ipairs(util.split_addresses(v)) do
        count = count + 1
        local addr = util.bare(raw)
        if not util.valid_email(addr) then
          return nil, kind .. " parameter is not a valid address. please check documentation"
        end
        local members = lists.expand(addr)
        if members then
          for _, m in ipairs(members) do
            if not seen[m.address] then
              seen[m.address] = true
              local vars = util.shallow_copy(m.vars)
              for k, x in pairs(rvars[m.address] or {}) do vars[k] = x end
              out[#out + 1] = { raw = m.name ~= "" and (m.name .. " <" .. m.address .. ">")
                or m.address, address = m.address, kind = kind, vars = vars, list = addr }
            end
          end
        elseif not seen[addr] then
          seen[addr] = true
          out[#out + 1] = { raw = raw, address = addr, kind = kind, vars = rvars[addr] }
        end
      end
    end
  end
  if count > MAX_RECIPIENTS then return nil, "Too many recipients" end
  return out, nil, count
end

-- Shared by messages, messages.mime and resend. src: a table of the
-- message's parts. -> status, body
local function accept(ctx, src)
  local domain = src.domain
  local rvars_raw = src.recipient_variables
  local rvars = {}
  if rvars_raw ~= nil and rvars_raw ~= "" then
    local t = util.decode(rvars_raw)
    if type(t) ~= "table" then return bad("recipient-variables parameter is not a valid JSON") end
    for k, v in pairs(t) do rvars[util.bare(k)] = v end
  end
  local rcpts, err = collect({ { "to", src.to }, { "cc", src.cc }, { "bcc", src.bcc } }, rvars)
  if not rcpts then return bad(err) end
  local msg = {
    key = util.hex(32) .. "=",
    id = message_id(domain),
    domain = domain,
    base = paging.base(ctx),
    from = src.from,
    subject = src.subject,
    text = src.text, html = src.html, amp = src.amp,
    to_header = concat(src.to, ", "),
    cc_header = #src.cc > 0 and concat(src.cc, ", ") or nil,
    to_list = src.to, cc = src.cc, bcc = src.bcc,
    personalized = src.recipient_variables ~= nil,
    tags = src.tags, user_vars = src.user_vars, headers = src.headers, options = src.options,
    files = src.files, mime = src.mime,
    template = src.template, template_body = src.template_body, template_text = src.template_text,
    t_variables = src.t_variables,
    testmode = src.testmode, deliver_at = src.deliver_at,
    size = src.size,
    recipient_variables = rvars_raw,
    created_at = ngx.now(),
    status = "queued",
  }
  store.mg.messages[msg.key] = msg
  local order = store.mg.message_order
  order[#order + 1] = msg.key
  record_tags(domain, msg.tags)
  local pending = {}
  for _, rcpt in ipairs(rcpts) do
    events.emit(msg, rcpt.address, "accepted", {
      ["recipient-provided"] = rcpt.raw, originating_ip = ngx.var.remote_addr,
    })
    local reason = suppressions.check(domain, rcpt.address, msg.tags)
    if reason then
      local desc = ({ ["suppress-bounce"] = "Not delivering to previously bounced address",
        ["suppress-unsubscribe"] = "Not delivering to unsubscribed address",
        ["suppress-complaint"] = "Not delivering to a user who marked your messages as spam" })
        [reason]
      events.emit(msg, rcpt.address, "failed", {
        ["log-level"] = "error", severity = "permanent", reason = reason,
        ["delivery-status"] = { code = 605, message = desc, description = desc,
          ["attempt-no"] = 1, ["bounce-code"] = "605" },
      })
      store.deliveries[#store.deliveries + 1] = { provider = "mailgun", id = msg.id,
        domain = domain, to = rcpt.address, recipient = rcpt.address, status = "suppressed",
        reason = reason, subject = msg.subject }
    else
      pending[#pending + 1] = rcpt
    end
  end
  msg.pending = pending
  if msg.deliver_at and msg.deliver_at > ngx.now() + 0.5 then
    schedule(msg)
  else
    deliver_all(msg)
  end
  return 200, { id = msg.id, message = "Queued. Thank you." }
end

local function check_domain(ctx)
  local domain = ctx.params.domain
  if not store.mg.domains[domain] then
    return nil, 404, { message = "Domain not found" }
  end
  return domain
end

-- Options o:, h:, v:, t: -> src fields | nil, error
local function options(ctx, src)
  local size, tags = 0, {}
  src.user_vars, src.headers, src.options = {}, {}, {}
  for _, pair in ipairs(ctx.body.order) do
    local k, v = pair[1], pair[2]
    local prefix, name = k:match("^([ohvt]):(.+)$")
    if prefix then
      size = size + #k + #v
      if prefix == "v" then
        local j = util.decode(v)
        src.user_vars[name] = (type(j) == "table") and j or v
      elseif prefix == "h" then
        src.headers[name] = v
      elseif k == "o:tag" then
        tags[#tags + 1] = v
      else
        src.options[k] = v
      end
    end
  end
  if size > MAX_OPTIONS then
    return nil, "Send options (parameters starting with o:, h:, v:, or t:) are limited to 16 kB total"
  end
  if #tags > MAX_TAGS then return nil, "Too many tags: a message can have at most 10 tags" end
  src.tags = tags
  src.testmode = util.truthy(src.options["o:testmode"])
  local dt = src.options["o:deliverytime"]
  if dt then
    local t = util.parse_rfc2822(dt)
    if not t then return nil, "'o:deliverytime' parameter is not a valid RFC 2822 date" end
    if t > ngx.now() + MAX_SCHEDULE then
      return nil, "'o:deliverytime' parameter is too far in the future"
    end
    src.deliver_at = t
  end
  local tv = src.options["t:variables"]
  if tv then
    local t = util.decode(tv)
    if type(t) ~= "table" then return nil, "t:variables parameter is not a valid JSON" end
    src.t_variables = t
  end
  return src
end

function _M.send(ctx)
  local domain, st, err = check_domain(ctx)
  if not domain then return st, err end
  local from = args.get(ctx, "from")
  if not from or from == "" then return bad("from parameter is missing") end
  if not util.valid_email(util.bare(from)) then
    return bad("from parameter is not a valid address. please check documentation")
  end
  local src = {
    domain = domain, from = from, subject = args.get(ctx, "subject"),
    to = args.all(ctx, "to"), cc = args.all(ctx, "cc"), bcc = args.all(ctx, "bcc"),
    text = args.get(ctx, "text"), html = args.get(ctx, "html"), amp = args.get(ctx, "amp-html"),
    template = args.get(ctx, "template"),
    recipient_variables = args.get(ctx, "recipient-variables"),
    files = util.filter(ctx.body.files, function(f)
      return f.field == "attachment" or f.field == "inline"
    end),
    size = #(ctx.body.raw or ""),
  }
  if #src.to == 0 then return bad("to parameter is missing") end
  if not (src.text or src.html or src.amp or src.template) then
    return bad("Need at least one of 'text', 'html' or 'template' parameters specified")
  end
  local ok, e = options(ctx, src)
  if not ok then return bad(e) end
  if src.template then
    local v, terr = templates.find(domain, src.template, src.options["t:version"])
    if not v then return 404, { message = terr } end
    src.template_body = v.template
    src.template_text = util.truthy(src.options["t:text"])
  end
  return accept(ctx, src)
end

local function mime_header(mime, name)
  local head = mime:match("^(.-)\r?\n\r?\n") or mime
  head = head:gsub("\r?\n[ \t]+", " ")
  for line in head:gmatch("[^\r\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k and k:lower() == name then return v end
  end
end

function _M.send_mime(ctx)
  local domain, st, err = check_domain(ctx)
  if not domain then return st, err end
  local file = util.find(ctx.body.files, function(f) return f.field == "message" end)
  if not file then
    if ctx.body.fields.message ~= nil then return bad("'message' parameter is not a file") end
    return bad("message parameter is missing")
  end
  local to = args.all(ctx, "to")
  if #to == 0 then return bad("to parameter is missing") end
  local mime = file.data
  local src = {
    domain = domain, from = mime_header(mime, "from") or ("postmaster@" .. domain),
    subject = mime_header(mime, "subject"), to = to, cc = {}, bcc = {},
    text = mime:match("\r?\n\r?\n(.*)$") or "", mime = mime, files = {},
    recipient_variables = args.get(ctx, "recipient-variables"), size = #mime,
  }
  local ok, e = options(ctx, src)
  if not ok then return bad(e) end
  return accept(ctx, src)
end

local function build_mime(msg)
  local lines = {
    "From: " .. tostring(msg.from),
    "To: " .. tostring(msg.to_header),
    "Subject: " .. tostring(msg.subject or ""),
    "Message-Id: " .. msg.id,
    "Mime-Version: 1.0",
    "Content-Type: text/plain; charset=\"ascii\"",
    "",
    msg.text or (msg.html and strip_tags(msg.html)) or "",
  }
  return concat(lines, "\r\n")
end

local function get_stored(ctx)
  local msg = store.mg.messages[ctx.params.key]
  if not msg or msg.domain ~= ctx.params.domain then
    return nil, 404, { message = "Message not found" }
  end
  return msg
end

function _M.stored_get(ctx)
  local msg, st, err = get_stored(ctx)
  if not msg then return st, err end
  local headers = util.array({ { "From", msg.from }, { "To", msg.to_header },
    { "Subject", msg.subject or "" }, { "Message-Id", msg.id }, { "Mime-Version", "1.0" } })
  local res = {
    ["Content-Type"] = "multipart/alternative",
    From = msg.from, To = msg.to_header, Subject = msg.subject or "",
    ["Message-Id"] = msg.id, ["Mime-Version"] = "1.0",
    ["X-Mailgun-Tag"] = msg.tags[1],
    sender = util.bare(msg.from), recipients = msg.to_header, from = msg.from,
    subject = msg.subject or "",
    ["body-plain"] = msg.text or "", ["body-html"] = msg.html or "",
    ["stripped-text"] = msg.text or "", ["stripped-html"] = msg.html or "",
    ["stripped-signature"] = "",
    ["message-headers"] = headers,
    ["content-id-map"] = util.object(),
    attachments = util.map(msg.files, function(f)
      return { filename = f.filename, ["content-type"] = f.content_type, size = f.size,
        url = msg.base .. "/v3/domains/" .. msg.domain .. "/messages/" .. msg.key
          .. "/attachments/" .. f.filename }
    end),
  }
  local accept_h = ctx.headers.accept
  if type(accept_h) == "string" and accept_h:find("message/rfc2822", 1, true) then
    res["body-mime"] = msg.mime or build_mime(msg)
  end
  return 200, res
end

function _M.stored_resend(ctx)
  local msg, st, err = get_stored(ctx)
  if not msg then return st, err end
  local to = args.all(ctx, "to")
  if #to == 0 then return bad("to parameter is missing") end
  local src = {
    domain = msg.domain, from = msg.from, subject = msg.subject, to = to, cc = {}, bcc = {},
    text = msg.text, html = msg.html, amp = msg.amp, mime = msg.mime, files = msg.files,
    tags = msg.tags, user_vars = msg.user_vars, headers = msg.headers, options = msg.options,
    template = msg.template, template_body = msg.template_body,
    template_text = msg.template_text, t_variables = msg.t_variables, testmode = msg.testmode,
    size = msg.size,
  }
  return accept(ctx, src)
end

function _M.envelopes_delete(ctx)
  local domain, st, err = check_domain(ctx)
  if not domain then return st, err end
  for _, key in ipairs(store.mg.message_order) do
    local msg = store.mg.messages[key]
    if msg and msg.domain == domain and msg.status == "scheduled" then
      msg.status = "cancelled"
      for _, rcpt in ipairs(msg.pending or {}) do
        store.deliveries[#store.deliveries + 1] = { provider = "mailgun", id = msg.id,
          domain = domain, to = rcpt.address, recipient = rcpt.address, status = "cancelled",
          subject = msg.subject, scheduled_for = msg.deliver_at }
      end
      msg.pending = nil
    end
  end
  return 200, { message = "done" }
end

function _M.sending_queues(ctx)
  local domain, st, err = check_domain(ctx)
  if not domain then return st, err end
  local n = 0
  for _, msg in pairs(store.mg.messages) do
    if msg.domain == domain and msg.status == "scheduled" then n = n + 1 end
  end
  local q = { is_disabled = false, disabled = { ["until"] = "", reason = "" } }
  return 200, { regular = q, scheduled = util.shallow_copy(q), scheduled_count = n }
end

function _M.routes(r)
  r:add("POST", "/v3/{domain}/messages", _M.send)
  r:add("POST", "/v3/{domain}/messages.mime", _M.send_mime)
  r:add("DELETE", "/v3/{domain}/envelopes", _M.envelopes_delete)
  r:add("GET", "/v3/domains/{domain}/messages/{key}", _M.stored_get)
  r:add("POST", "/v3/domains/{domain}/messages/{key}", _M.stored_resend)
  r:add("GET", "/v3/domains/{domain}/sending_queues", _M.sending_queues)
end

-- Used by the control API: find a delivered Mailgun message.
function _M.find_message(id)
  id = tostring(id)
  if not id:find("^<") then id = "<" .. id .. ">" end
  for _, key in ipairs(store.mg.message_order) do
    local m = store.mg.messages[key]
    if m.id == id then return m end
  end
end

return _M

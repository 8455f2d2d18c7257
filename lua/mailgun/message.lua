-- Maps a friendly message table onto Mailgun's form fields (from, to, o:,
-- h:, v:, t: ...) and checks it before anything is sent: recipients, the
-- 1,000-recipient and 16 KB option limits, header injection, files.
local json = require("mailgun.engine.json")
local dates = require("mailgun.engine.dates")
local errors = require("mailgun.engine.errors")
local fields = require("mailgun.engine.fields")
local files = require("mailgun.engine.files")

local type, pairs, ipairs, tostring, io_open = type, pairs, ipairs, tostring, io.open

local _M = {}

_M.MAX_RECIPIENTS = 1000
_M.MAX_OPTIONS_BYTES = 16384
_M.MAX_TAGS = 10

-- snake_case option -> o: field; value style
local OPTIONS = {
  testmode = "o:testmode", tracking = "o:tracking", tracking_clicks = "o:tracking-clicks",
  tracking_opens = "o:tracking-opens", tracking_pixel_location_top = "o:tracking-pixel-location-top",
  require_tls = "o:require-tls", skip_verification = "o:skip-verification", dkim = "o:dkim",
  secondary_dkim = "o:secondary-dkim", secondary_dkim_public = "o:secondary-dkim-public",
  deliver_within = "o:deliver-within", deliverytime_optimize_period = "o:deliverytime-optimize-period",
  time_zone_localize = "o:time-zone-localize", sending_ip = "o:sending-ip",
  sending_ip_pool = "o:sending-ip-pool", archive_to = "o:archive-to",
  suppress_headers = "o:suppress-headers",
}

local PLAIN = { subject = "subject", text = "text", html = "html", amp_html = "amp-html",
                template = "template", template_version = "t:version", template_text = "t:text" }

local KNOWN = { from = true, to = true, cc = true, bcc = true, attachments = true, inline = true,
                tags = true, headers = true, vars = true, variables = true, deliverytime = true,
                recipient_variables = true, reply_to = true, message = true,
                domain = true }

local function fail(msg, field)
  return nil, errors.invalid(msg, { field = field })
end

local function has_crlf(s)
  return s:find("[\r\n]") ~= nil
end

-- "Name <address>" from a string or {name=, address=} / {name=, email=}.
local function address_of(v, field)
  if type(v) == "string" then
    if v == "" then return fail("'" .. field .. "' has an empty address", field) end
    if has_crlf(v) then return fail("'" .. field .. "' contains CR or LF", field) end
    return v
  end
  if type(v) == "table" then
    local addr = v.address or v.email
    if type(addr) ~= "string" or addr == "" then
      return fail("'" .. field .. "' entry has no address", field)
    end
    local name = v.name
    if name ~= nil and type(name) ~= "string" then
      return fail("'" .. field .. "' entry has a name that is not a string", field)
    end
    if has_crlf(addr) or (name and has_crlf(name)) then
      return fail("'" .. field .. "' contains CR or LF", field)
    end
    if name and name ~= "" then
      return '"' .. name:gsub('[\\"]', "\\%0") .. '" <' .. addr .. ">"
    end
    return addr
  end
  return fail("'" .. field .. "' must be a string or a table, got " .. type(v), field)
end
_M.address_of = address_of

-- The bare address of an entry (for recipient-variables keys).
function _M.bare_address(v)
  if type(v) == "table" then return v.address or v.email end
  local inner = v:match("<([^>]+)>%s*$")
  return inner or v
end

-- A list of formatted addresses from a string, a list or a single table.
local function address_list(v, field)
  if v == nil then return {} end
  if type(v) == "string" or (type(v) == "table" and v[1] == nil and (v.address or v.email)) then
    v = { v }
  end
  if type(v) ~= "table" then
    return fail("'" .. field .. "' must be a string, a list or a table, got " .. type(v), field)
  end
  local out = {}
  for i, item in ipairs(v) do
    local a, err = address_of(item, field)
    if not a then return nil, err end
    out[i] = a
  end
  return out
end
_M.address_list = address_list

local function file_part(v, field, inline)
  if type(v) == "string" then v = { path = v } end
  if type(v) ~= "table" then
    return fail("'" .. field .. "' entries must be tables ({path=} or {data=, filename=})", field)
  end
  if v.path ~= nil then
    if type(v.path) ~= "string" then return fail("'" .. field .. "' path must be a string", field) end
    local regular, why = files.check_regular(v.path)
    if not regular then return fail("cannot read attachment '" .. v.path .. "': " .. why, field) end
    local f, msg = io_open(v.path, "rb")
    if not f then return fail("cannot read attachment '" .. v.path .. "': " .. tostring(msg), field) end
    f:close()
    return { path = v.path, filename = v.filename, content_type = v.content_type, inline = inline }
  end
  if type(v.data) ~= "string" then
    return fail("'" .. field .. "' entries need a path or data (a string)", field)
  end
  if v.filename ~= nil and type(v.filename) ~= "string" then
    return fail("'" .. field .. "' filename must be a string", field)
  end
  return { data = v.data, filename = v.filename or "attachment", content_type = v.content_type,
           inline = inline }
end

local function yesno(v)
  if v == true then return "yes" end
  if v == false then return "no" end
  return tostring(v)
end

-- Size of the o:/h:/v:/t: options, as Mailgun counts them.
local function options_bytes(params)
  local n = 0
  for k, v in pairs(params) do
    if type(k) == "string" and k:match("^[ohvt]:") then
      if type(v) == "table" then
        for _, x in ipairs(v) do n = n + #k + #tostring(x) end
      else
        n = n + #k + #tostring(v)
      end
    end
  end
  return n
end
_M.options_bytes = options_bytes

-- Friendly message -> form params (for the engine) or nil, err.
-- opts.require_recipients (default true), opts.mime (messages.mime)
function _M.to_params(msg, opts)
  opts = opts or {}
  if type(msg) ~= "table" then error("bad argument #1 to 'messages:send' (table expected, got "
    .. type(msg) .. ")", 3) end
  local p = {}
  local count = 0
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    local list, err = address_list(msg[field], field)
    if not list then return nil, err end
    if #list > 0 then p[field] = list end
    count = count + #list
  end
  if count == 0 and opts.require_recipients ~= false then
    return fail("the message has no recipient (to, cc or bcc)", "to")
  end
  if count > _M.MAX_RECIPIENTS then
    return fail("the message has " .. count .. " recipients; Mailgun accepts at most "
      .. _M.MAX_RECIPIENTS .. " per call (use client:batch to split)", "to")
  end
  if msg.from ~= nil then
    local from, err = address_of(msg.from, "from")
    if not from then return nil, err end
    p.from = from
  end
  if msg.reply_to ~= nil then
    local r, err = address_of(msg.reply_to, "reply_to")
    if not r then return nil, err end
    p["h:Reply-To"] = r
  end
  for key, field in pairs(PLAIN) do
    local v = msg[key]
    if v ~= nil then
      if type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" then
        return fail("'" .. key .. "' must be a string, got " .. type(v), key)
      end
      if key == "subject" and has_crlf(tostring(v)) then
        return fail("'subject' contains CR or LF", key)
      end
      p[field] = type(v) == "boolean" and yesno(v) or v
    end
  end
  if opts.mime then
    local m = msg.message
    if type(m) == "string" then
      p.message = { data = m, filename = "message.mime", content_type = "message/rfc822" }
    elseif type(m) == "table" then
      local part, err = file_part(m, "message")
      if not part then return nil, err end
      part.filename = part.filename ~= "attachment" and part.filename or "message.mime"
      p.message = part
    else
      return fail("send_mime needs 'message' (the MIME text, or {path=})", "message")
    end
  elseif p.text == nil and p.html == nil and p["amp-html"] == nil and p.template == nil
    and opts.require_body ~= false then
    return fail("the message needs text, html, amp_html or a template", "text")
  end
  if msg.variables ~= nil then
    if type(msg.variables) ~= "table" then return fail("'variables' must be a table", "variables") end
    p["t:variables"] = json.encode(msg.variables)
  end
  if msg.recipient_variables ~= nil then
    if type(msg.recipient_variables) ~= "table" then
      return fail("'recipient_variables' must be a table", "recipient_variables")
    end
    p["recipient-variables"] = json.encode(msg.recipient_variables)
  end
  for _, field in ipairs({ "attachments", "inline" }) do
    local v = msg[field]
    if v ~= nil then
      if type(v) ~= "table" then return fail("'" .. field .. "' must be a list", field) end
      if v[1] == nil and (v.path or v.data) then v = { v } end
      local parts = {}
      for i, item in ipairs(v) do
        local part, err = file_part(item, field, field == "inline")
        if not part then return nil, err end
        parts[i] = part
      end
      if #parts > 0 then p[field == "attachments" and "attachment" or "inline"] = parts end
    end
  end
  if msg.tags ~= nil then
    local tags = type(msg.tags) == "string" and { msg.tags } or msg.tags
    if type(tags) ~= "table" then return fail("'tags' must be a list of strings", "tags") end
    if #tags > _M.MAX_TAGS then
      return fail("the message has " .. #tags .. " tags; Mailgun accepts at most " .. _M.MAX_TAGS, "tags")
    end
    for _, t in ipairs(tags) do
      if type(t) ~= "string" then return fail("'tags' must be a list of strings", "tags") end
    end
    if #tags > 0 then p["o:tag"] = tags end
  end
  if msg.headers ~= nil then
    if type(msg.headers) ~= "table" then return fail("'headers' must be a table", "headers") end
    for name, value in pairs(msg.headers) do
      local text, herr = fields.header(name, value)
      if not text then return fail(herr, "headers") end
      p["h:" .. name] = text
    end
  end
  if msg.vars ~= nil then
    if type(msg.vars) ~= "table" then return fail("'vars' must be a table", "vars") end
    for name, value in pairs(msg.vars) do
      p["v:" .. tostring(name)] = type(value) == "table" and json.encode(value) or tostring(value)
    end
  end
  if msg.deliverytime ~= nil then
    local d, err = dates.rfc2822(msg.deliverytime)
    if not d then return fail("'deliverytime': " .. err, "deliverytime") end
    p["o:deliverytime"] = d
  end
  for key, value in pairs(msg) do
    if type(key) ~= "string" then
      return fail("message keys must be strings", tostring(key))
    end
    local field = OPTIONS[key]
    if field then
      local vt = type(value)
      if vt ~= "string" and vt ~= "number" and vt ~= "boolean" then
        return fail("'" .. key .. "' must be a string, a number or a boolean, got " .. vt, key)
      end
      p[field] = yesno(value)
    elseif key:match("^[ohvt]:") or key == "recipient-variables" then
      if type(value) == "string" and key:match("^h:") and has_crlf(value) then
        return fail("header '" .. key .. "' contains CR or LF", key)
      end
      p[key] = type(value) == "boolean" and yesno(value) or value
    elseif not KNOWN[key] and not PLAIN[key] then
      return fail("unknown message field '" .. key .. "'", key)
    end
  end
  local ok, ferr, ffield = fields.check_form(p)
  if not ok then return fail(ferr, ffield) end
  local size = options_bytes(p)
  if size > _M.MAX_OPTIONS_BYTES then
    return fail("the o:, h:, v: and t: options take " .. size .. " bytes; Mailgun accepts at most "
      .. _M.MAX_OPTIONS_BYTES, "options")
  end
  return p, nil, count
end

return _M

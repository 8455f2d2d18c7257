-- Maps a friendly message table onto Mailgun's form fields (from, to, o:,
-- h:, v:, t: ...) and checks it before anything is sent: recipients, the
-- 1,000-recipient and 16 KB option limits, header injection, files. The
-- checks shared with MailerSend are mailgun/engine/message.lua's; unknown
-- fields and wrong types raise, bad values are nil, err.
local json = require("mailgun.engine.json")
local fields = require("mailgun.engine.fields")
local files = require("mailgun.engine.files")
local address = require("mailgun.engine.address")
local is_plain = address.is_plain
local checker = require("mailgun.engine.message")

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
-- the same as a flat list: name, field, name, field ... (read without pairs)
local PLAIN_LIST = {}
for k, v in pairs(PLAIN) do PLAIN_LIST[#PLAIN_LIST + 1] = k; PLAIN_LIST[#PLAIN_LIST + 1] = v end

-- message field -> type (mailgun/engine/options.lua); o:, h:, v:, t: and
-- recipient-variables pass as they are.
local ADDRESS = "string|table"
_M.FIELDS = {
  from = ADDRESS, to = ADDRESS, cc = ADDRESS, bcc = ADDRESS, reply_to = ADDRESS,
  subject = "string", text = "string", html = "string", amp_html = "string", template = "string",
  template_version = "string", template_text = "string|boolean", message = "string|table",
  attachments = "string|table", inline = "string|table", tags = "string|table", headers = "table",
  vars = "table", variables = "table", recipient_variables = "table",
  deliverytime = "number|string", domain = "string",
}
for k in pairs(OPTIONS) do _M.FIELDS[k] = "boolean|string|number" end

local byte = string.byte
local OPEN = { [byte("o")] = true, [byte("h")] = true, [byte("v")] = true, [byte("t")] = true }
local COLON = byte(":")

-- o:, h:, v: and t: names (with byte(): this runs for every field)
local function is_option(k)
  return byte(k, 2) == COLON and OPEN[byte(k, 1)] == true
end

local function open_field(k)
  return is_option(k) or k == "recipient-variables"
end

local check = checker.checker({ provider = "mailgun", label = "messages:send", fields = _M.FIELDS,
                                open = open_field })

local function fail(msg, field)
  return check:fail(msg, field)
end

local function has_crlf(s)
  return fields.has_line_break(s)
end

-- A string as given (checked), or '"Name" <address>' from a table.
local function formatted(entry)
  return entry.text or address.format(entry)
end

-- "Name <address>" from a string or {name=, address=} / {name=, email=}.
function _M.address_of(v, field)
  local entry, err = check:address(v, field)
  if not entry then return nil, err end
  return formatted(entry)
end

-- How many addresses a string holds (Mailgun splits on commas outside
-- quotes and angle brackets).
function _M.count_addresses(s)
  local list = address.list(s)
  return list and #list or 1
end

-- The bare address of an entry (for recipient-variables keys).
_M.bare_address = address.email_of

-- Formatted addresses from a string (comma-joined too), a list or a table.
function _M.address_list(v, field)
  -- one bare address: nothing to parse, split or format (Mailgun's checker
  -- has no name rule and no per-field limit)
  if is_plain(v) then return { v } end
  if type(v) == "table" then
    local n = 0
    for k in pairs(v) do
      if type(k) == "number" then n = n + 1 end
    end
    if n ~= #v then -- a nil hole would silently drop the recipients after it
      error("bad argument '" .. field .. "' (the list has a hole (nil) after item " .. #v .. ")", 4)
    end
  end
  local list, err = check:addresses(v, field)
  if not list then return nil, err end
  for i = 1, #list do
    local entry = list[i]
    list[i] = entry.text or address.format(entry) -- formatted(entry)
  end
  return list
end

local function file_part(v, field, inline)
  if v.path ~= nil then
    local regular, why = files.check_regular(v.path)
    if not regular then return fail("cannot read attachment '" .. v.path .. "': " .. why, field) end
    local f, msg = io_open(v.path, "rb")
    if not f then return fail("cannot read attachment '" .. v.path .. "': " .. tostring(msg), field) end
    f:close()
    return { path = v.path, filename = v.filename, content_type = v.content_type, inline = inline }
  end
  return { data = v.data, filename = v.filename or "attachment", content_type = v.content_type,
           inline = inline }
end

local function yesno(v)
  if v == true then return "yes" end
  if v == false then return "no" end
  return tostring(v)
end

-- Fields whose values to_params made from checked input (addresses parsed,
-- the subject one line, text and bodies strings by FIELDS, files shaped):
-- fields.check_form skips them.
local CHECKED = { to = true, cc = true, bcc = true, from = true, subject = true, text = true,
                  html = true, ["amp-html"] = true, attachment = true, inline = true }

-- Size of the o:/h:/v:/t: options, as Mailgun counts them.
local function options_bytes(params)
  local n = 0
  for k, v in pairs(params) do
    if not CHECKED[k] and type(k) == "string" and is_option(k) then
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

-- Message fields that to_params maps only onto CHECKED form fields.
local SIMPLE = { from = true, to = true, cc = true, bcc = true, subject = true, text = true,
                 html = true, amp_html = true }

-- The common message, SIMPLE fields only, strings, addresses bare or
-- "Name <a@x>": checked and made into its form in one C call
-- (csrc/simple.c), the form to_params and the engine would make.
local SIMPLE_FIELDS = {
  { name = "from", wire = "from", kind = "address" },
  { name = "to", wire = "to", kind = "recipient" },
  { name = "cc", wire = "cc", kind = "recipient" },
  { name = "bcc", wire = "bcc", kind = "recipient" },
  { name = "subject", wire = "subject", kind = "line" },
  { name = "text", wire = "text", kind = "text" },
  { name = "html", wire = "html", kind = "text" },
  { name = "amp_html", wire = "amp-html", kind = "text" },
}
local simple_form

-- msg -> a core.form, the recipient count | nil: anything else (and any
-- mistake) is to_params' to check, explain and map.
function _M.simple_form(msg)
  if type(msg) ~= "table" or (msg.text == nil and msg.html == nil and msg.amp_html == nil) then
    return nil
  end
  if not simple_form then
    simple_form = require("mailgun.engine.native").core().simple_encoder("form", SIMPLE_FIELDS)
  end
  return simple_form(msg)
end

local RECIPIENTS, SUBJECT, FILES = { "to", "cc", "bcc" }, { "subject" }, { "attachments", "inline" }
local NO_OPTS = {}

-- Friendly message -> form params (for the engine) or nil, err.
-- opts.require_recipients (default true), opts.mime (messages.mime)
function _M.to_params(msg, opts)
  opts = opts or NO_OPTS
  check:fields(msg, 3, opts.mime and "messages:send_mime" or nil)
  local p = {}
  local count = 0
  for i = 1, 3 do
    local field = RECIPIENTS[i]
    local v = msg[field]
    if v ~= nil then
      local list, err = _M.address_list(v, field)
      if not list then return nil, err end
      if #list > 0 then p[field] = list end
      count = count + #list
    end
  end
  if count == 0 and opts.require_recipients ~= false then
    return fail("the message has no recipient (to, cc or bcc)", "to")
  end
  if count > _M.MAX_RECIPIENTS then
    return fail("the message has " .. count .. " recipients; Mailgun accepts at most "
      .. _M.MAX_RECIPIENTS .. " per call (use client:batch to split)", "to")
  end
  if msg.from ~= nil then
    local from, err = _M.address_of(msg.from, "from")
    if not from then return nil, err end
    p.from = from
  end
  if msg.reply_to ~= nil then
    local r, err = _M.address_of(msg.reply_to, "reply_to")
    if not r then return nil, err end
    p["h:Reply-To"] = r
  end
  local ok, lerr = check:single_line(msg, SUBJECT)
  if not ok then return nil, lerr end
  for i = 1, #PLAIN_LIST, 2 do
    local v = msg[PLAIN_LIST[i]]
    if v ~= nil then p[PLAIN_LIST[i + 1]] = type(v) == "boolean" and yesno(v) or v end
  end
  if opts.mime then
    local m = msg.message
    if type(m) == "string" then
      p.message = { data = m, filename = "message.mime", content_type = "message/rfc822" }
    elseif type(m) == "table" then
      local parts, err = check:files(m, "message")
      local part = parts and parts[1]
      if part then part, err = file_part(part, "message") end
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
    local encodable, why = json.check(msg.variables, "variables")
    if not encodable then return fail("'variables' cannot be sent: " .. why, "variables") end
    p["t:variables"] = json.encode(msg.variables)
  end
  if msg.recipient_variables ~= nil then
    if type(msg.recipient_variables) ~= "table" then
      return fail("'recipient_variables' must be a table", "recipient_variables")
    end
    local encodable, why = json.check(msg.recipient_variables, "recipient_variables")
    if not encodable then return fail("'recipient_variables' cannot be sent: " .. why, "recipient_variables") end
    p["recipient-variables"] = json.encode(msg.recipient_variables)
  end
  for f = 1, 2 do
    local field = FILES[f]
    if msg[field] ~= nil then
      local parts, err = check:files(msg[field], field)
      if not parts then return nil, err end
      for i, item in ipairs(parts) do
        parts[i], err = file_part(item, field, field == "inline")
        if not parts[i] then return nil, err end
      end
      if #parts > 0 then p[field == "attachments" and "attachment" or "inline"] = parts end
    end
  end
  if msg.tags ~= nil then
    local tags, err = check:strings(msg.tags, "tags")
    if not tags then return nil, err end
    if #tags > _M.MAX_TAGS then
      return fail("the message has " .. #tags .. " tags; Mailgun accepts at most " .. _M.MAX_TAGS, "tags")
    end
    if #tags > 0 then p["o:tag"] = tags end
  end
  if msg.headers ~= nil then
    local list, err = check:headers(msg.headers)
    if not list then return nil, err end
    for _, h in ipairs(list) do p["h:" .. h.name] = h.value end
  end
  if msg.vars ~= nil then
    if type(msg.vars) ~= "table" then return fail("'vars' must be a table", "vars") end
    local encodable, why = json.check(msg.vars, "vars")
    if not encodable then return fail("'vars' cannot be sent: " .. why, "vars") end
    for name, value in pairs(msg.vars) do
      p["v:" .. tostring(name)] = type(value) == "table" and json.encode(value) or tostring(value)
    end
  end
  if msg.deliverytime ~= nil then
    local d, err = require("mailgun.engine.dates").rfc2822(msg.deliverytime)
    if not d then return fail("'deliverytime': " .. err, "deliverytime") end
    p["o:deliverytime"] = d
  end
  local simple = true -- only fields whose values are checked above (SIMPLE)
  for key, value in pairs(msg) do
    local field = OPTIONS[key]
    if simple and not SIMPLE[key] then simple = false end
    if field then
      p[field] = yesno(value) -- a string, number or boolean: FIELDS, checked above
    elseif not _M.FIELDS[key] and open_field(key) then
      if type(value) == "string" and key:match("^h:") and has_crlf(value) then
        return fail("header '" .. key .. "' contains CR or LF", key)
      end
      p[key] = type(value) == "boolean" and yesno(value) or value
    end
  end
  -- a message of SIMPLE fields only has no field left to check or count
  if simple then return p, nil, count end
  local form_ok, ferr, ffield = fields.check_form(p, CHECKED)
  if not form_ok then return fail(ferr, ffield) end
  local size = options_bytes(p)
  if size > _M.MAX_OPTIONS_BYTES then
    return fail("the o:, h:, v: and t: options take " .. size .. " bytes; Mailgun accepts at most "
      .. _M.MAX_OPTIONS_BYTES, "options")
  end
  return p, nil, count
end

return _M

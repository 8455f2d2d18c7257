-- MailerSend's checks on an email object (POST /v1/email, each bulk item).
-- Errors come as {field = {"message #MSxxxxx"}} like the real 422 body.
local store = require("sandbox.store")
local util = require("sandbox.util")
local crypto = require("sandbox.crypto")

local type, ipairs, pairs, tostring, tonumber, next = type, ipairs, pairs, tostring, tonumber, next

local _M = {}

local MAX_TO, MAX_CC, MAX_TAGS = 50, 10, 5
local MAX_TEXT = 2 * 1024 * 1024
local MAX_ATTACHMENT = 25 * 1024 * 1024
-- the attachment file types MailerSend accepts: the reference data's
local EXTENSIONS = require("mailersend.resources._reference")["POST /email"].bodies.json
  .fields.attachments.item_fields.filename.extensions

local function add(errors, field, msg)
  errors[field] = errors[field] or util.array()
  errors[field][#errors[field] + 1] = msg
end

-- The 422 body: {message = first error (and N more), errors = ...}
function _M.body(errors)
  local fields = {}
  for k in pairs(errors) do fields[#fields + 1] = k end
  table.sort(fields)
  local n = 0
  for _, list in pairs(errors) do n = n + #list end
  local first = errors[fields[1]][1]
  local msg = first
  if n > 1 then msg = msg .. " (and " .. (n - 1) .. " more error" .. (n > 2 and "s" or "") .. ")" end
  return { message = msg, errors = errors }
end

local function check_people(errors, req, field, max, required)
  local list = req[field]
  if list == nil or list == util.null then
    if required then add(errors, field, "The " .. field .. " field is required. #MS42209") end
    return
  end
  if type(list) ~= "table" or (list[1] == nil and next(list) ~= nil) then
    add(errors, field, "The " .. field .. " must be an array.")
    return
  end
  if required and #list == 0 then
    add(errors, field, "The " .. field .. " field is required. #MS42209")
  end
  if #list > max then
    add(errors, field, "The " .. field .. " must not have more than " .. max
      .. " items. #MS42205")
  end
  local seen = {}
  for i, p in ipairs(list) do
    local key = field .. "." .. (i - 1)
    if type(p) ~= "table" or type(p.email) ~= "string" or p.email == "" then
      add(errors, key .. ".email", "The " .. key .. ".email field is required. #MS42209")
    elseif not util.valid_email(p.email) then
      add(errors, key .. ".email", "The " .. key .. ".email must be a valid email address.")
    else
      local e = p.email:lower()
      if seen[e] then
        add(errors, key .. ".email", "The " .. key .. ".email field has a duplicate value. #MS42201")
      end
      seen[e] = true
      if type(p.name) == "string" and p.name:find("[;,]") then
        add(errors, key .. ".name", "The " .. key .. ".name may not contain ; or ,")
      end
    end
  end
end

local function check_attachments(errors, req)
  local list = req.attachments
  if list == nil then return end
  if type(list) ~= "table" then
    add(errors, "attachments", "The attachments must be an array.")
    return
  end
  for i, a in ipairs(list) do
    local key = "attachments." .. (i - 1)
    if type(a) ~= "table" then
      add(errors, key, "The " .. key .. " must be an object.")
    else
      if type(a.filename) ~= "string" or a.filename == "" then
        add(errors, key .. ".filename", "The " .. key .. ".filename field is required. #MS42209")
      else
        local ext = a.filename:match("%.([%w]+)$")
        if not ext or not EXTENSIONS[ext:lower()] then
          add(errors, key .. ".filename", "The " .. key
            .. ".filename must have one of the allowed extensions. #MS42210")
        end
      end
      if type(a.content) ~= "string" or a.content == "" then
        add(errors, key .. ".content", "The " .. key .. ".content field is required. #MS42209")
      else
        local clean = a.content:gsub("%s", "")
        local bin = clean:match("^[%w%+/]+=?=?$") and ngx.decode_base64(clean)
        if not bin then
          add(errors, key .. ".content", "The " .. key
            .. ".content must be a valid base64 string. #MS42215")
        elseif #bin > MAX_ATTACHMENT then
          add(errors, key .. ".content", "The " .. key
            .. ".content may not be greater than 25 MB. #MS42206")
        else
          a._size, a._sha256 = #bin, crypto.sha256(bin)
        end
      end
      if a.disposition ~= nil and a.disposition ~= "attachment" and a.disposition ~= "inline" then
        add(errors, key .. ".disposition", "The selected " .. key .. ".disposition is invalid.")
      end
    end
  end
end

-- -> nil, domain (valid) | errors
function _M.email(req)
  local errors = {}
  if type(req) ~= "table" then
    add(errors, "from.email", "The from.email field is required. #MS42209")
    return errors
  end
  local tpl
  if req.template_id ~= nil then
    tpl = store.ms.templates[tostring(req.template_id)]
    if not tpl then add(errors, "template_id", "The selected template id is invalid.") end
  end
  local domain
  local from = req.from
  if type(from) ~= "table" or type(from.email) ~= "string" or from.email == "" then
    if not (tpl and tpl.default_from) then
      add(errors, "from.email", "The from.email field is required. #MS42209")
    else
      domain = store.ms_domain_by_name(tpl.default_from.email:match("@(.+)$"))
    end
  elseif not util.valid_email(from.email) then
    add(errors, "from.email", "The from.email must be a valid email address.")
  else
    domain = store.ms_domain_by_name(from.email:match("@(.+)$"):lower())
    if not domain or not domain.is_verified then
      add(errors, "from.email",
        "The from.email domain must be verified in your account to send emails. #MS42207")
    end
  end
  check_people(errors, req, "to", MAX_TO, true)
  check_people(errors, req, "cc", MAX_CC, false)
  check_people(errors, req, "bcc", MAX_CC, false)
  if type(req.reply_to) == "table" and req.reply_to.email
    and not util.valid_email(req.reply_to.email) then
    add(errors, "reply_to.email", "The reply_to.email must be a valid email address.")
  end
  local has_tpl = req.template_id ~= nil
  if (req.subject == nil or req.subject == "") and not (tpl and tpl.subject) then
    if not has_tpl then
      add(errors, "subject", "The subject field is required when template id is not present. #MS42209")
    end
  elseif type(req.subject) == "string" and #req.subject > 998 then
    add(errors, "subject", "The subject may not be greater than 998 characters.")
  end
  if not req.text and not req.html and not has_tpl then
    add(errors, "text",
      "The text field is required when none of html / template id are present. #MS42211")
  end
  for _, f in ipairs({ "text", "html" }) do
    if req[f] ~= nil and type(req[f]) ~= "string" then
      add(errors, f, "The " .. f .. " must be a string.")
    elseif type(req[f]) == "string" and #req[f] > MAX_TEXT then
      add(errors, f, "The " .. f .. " may not be greater than 2 MB.")
    end
  end
  if req.tags ~= nil then
    if type(req.tags) ~= "table" then
      add(errors, "tags", "The tags must be an array.")
    elseif #req.tags > MAX_TAGS then
      add(errors, "tags", "The tags must not have more than 5 items.")
    end
  end
  if req.send_at ~= nil then
    local t = tonumber(req.send_at)
    local now = ngx.now()
    if not t or t % 1 ~= 0 then
      add(errors, "send_at", "The send at must be an integer. #MS42218")
    elseif t < now - 60 then
      add(errors, "send_at", "The send at must be a date after now. #MS42218")
    elseif t > now + 72 * 3600 then
      add(errors, "send_at", "The send at must be a date before 72 hours from now. #MS42219")
    end
  end
  if req.personalization ~= nil then
    if type(req.personalization) ~= "table" then
      add(errors, "personalization", "The personalization must be an array.")
    else
      for i, p in ipairs(req.personalization) do
        local key = "personalization." .. (i - 1)
        if type(p) ~= "table" or not util.valid_email(p.email) then
          add(errors, key .. ".email", "The " .. key .. ".email must be a valid email address.")
        elseif p.data ~= nil and type(p.data) ~= "table" then
          add(errors, key .. ".data", "The " .. key .. ".data must be an object.")
        end
      end
    end
  end
  check_attachments(errors, req)
  if next(errors) then return errors end
  return nil, domain
end

return _M

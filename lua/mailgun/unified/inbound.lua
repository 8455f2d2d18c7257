-- unified.inbound.parse{provider = "mailgun" | "mailersend", ...}: the
-- provider's inbound.parse with its own options; both return the same
-- message shape (see lua/mailgun/inbound.lua), or nil, err.
local mailgun_inbound = require("mailgun.inbound")
local mailersend_inbound = require("mailersend.inbound")

local type, error, pairs, tostring = type, error, pairs, tostring

local _M = {}

local PARSERS = { mailgun = mailgun_inbound.parse, mailersend = mailersend_inbound.parse }

function _M.parse(args)
  if type(args) ~= "table" then
    error("bad argument #1 to 'inbound.parse' (table expected, got " .. type(args) .. ")", 2)
  end
  local parse = PARSERS[args.provider]
  if not parse then
    error("bad argument 'opts.provider' to 'inbound.parse' (\"mailgun\" or \"mailersend\" expected, got "
      .. tostring(args.provider) .. ")", 2)
  end
  local opts = {}
  for k, v in pairs(args) do
    if k ~= "provider" then opts[k] = v end
  end
  return parse(opts)
end

return _M

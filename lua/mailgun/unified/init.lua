-- One API over Mailgun and MailerSend:
--   local unified = require("mailgun.unified")
--   local account = unified.connect{provider = "mailgun", api_key =, domain =, region = ...}
--   local account = unified.connect{provider = "mailersend", token =, ...}
--   account:send(msg)                        -- unified/message.lua, unified/send.lua
--   account:send_batch(msg, recipients, opts)
--   account.users:list{limit=, cursor=, role=} / :get(id) / :me() / :each() /
--     :invite{} / :update(id, {}) / :delete(id)  -- unified/users.lua
--   account.roles:list() / :get(id)          -- unified/roles.lua
--   account:request(method, path, params, opts), account:list(path, params, opts)
--   account:supports(feature) -> bool        -- a message field, e.g. "test_mode"
--   account:close()
--   unified.webhooks.parse{provider=, body=, headers=, secret=} -- unified/events.lua
local send = require("mailgun.unified.send")
local users = require("mailgun.unified.users")
local roles = require("mailgun.unified.roles")
local passthrough = require("mailgun.unified.passthrough")
local model = require("mailgun.unified.message")
local options = require("mailgun.engine.options")

local type, pairs, error, setmetatable, require, tostring, rawset =
  type, pairs, error, setmetatable, require, tostring, rawset

local _M = { _VERSION = require("mailgun.engine.version") }

_M.PROVIDERS = { mailgun = "mailgun", mailersend = "mailersend" }

local Account = {}
Account.__index = Account

-- unified.connect{provider=, ...the provider client's options} -> account
-- A ready client may be given instead of options: {provider=, client=}.
function _M.connect(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'unified.connect' (table expected, got " .. type(opts) .. ")", 2)
  end
  local provider = opts.provider
  local module = _M.PROVIDERS[provider]
  if not module then
    error("bad argument 'provider' to 'unified.connect' ('mailgun' or 'mailersend' expected, got "
      .. tostring(provider) .. ")", 2)
  end
  local client = opts.client
  local mod = require(module)
  -- the provider's own options, checked here so the error names connect
  local known = { provider = "string", client = "table" }
  for k, v in pairs(mod.OPTIONS) do known[k] = v end
  options.check(opts, known, "unified.connect", { hints = mod.OPTION_HINTS })
  if not client then
    local client_opts = {}
    for k, v in pairs(opts) do
      if k ~= "provider" then client_opts[k] = v end
    end
    client = mod.new(client_opts)
  end
  local account = setmetatable({ provider = provider, client = client }, Account)
  account.users = users.new(provider, client)
  account.roles = roles.new(provider)
  return account
end

-- (not tail calls: a mistake raises at the caller's line, see options.lua)
function Account:send(msg)
  local res, err = send.send(self, msg)
  return res, err
end

function Account:send_batch(msg, recipients, opts)
  local res, err = send.send_batch(self, msg, recipients, opts)
  return res, err
end

-- account:reconcile_batch(report, opts) -> report, settled calls
function Account:reconcile_batch(report, opts)
  return send.reconcile_batch(self, report, opts)
end

function Account:request(method, path, params, opts)
  local res, err = passthrough.request(self, method, path, params, opts)
  return res, err
end

function Account:list(path, params, opts)
  local res, err = passthrough.list(self, path, params, opts)
  return res, err
end

-- Whether this provider takes a message field (or "field.key").
function Account:supports(feature)
  if model.UNSUPPORTED[self.provider][feature] then return false end
  local top = feature:match("^([^.]+)")
  return model.FIELDS[top] ~= nil
end

function Account:close()
  return self.client:close()
end

_M.webhooks = setmetatable({}, { __index = function(t, k)
  local v = require("mailgun.unified.events")[k]
  if v ~= nil then rawset(t, k, v) end
  return v
end })

return _M

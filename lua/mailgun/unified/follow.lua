-- account:follow{start=, cursor=, poll=, window=, filter=, domain_id=}: the
-- provider's event log (Mailgun's Logs API, MailerSend's activity) as a
-- resumable stream of events in the shape unified.webhooks.parse gives.
--   for event, err, cursor in account:follow{start = os.time() - 3600} do ... end
local events = require("mailgun.unified.events")

local type, error, pairs = type, error, pairs

local _M = {}

function _M.follow(account, args)
  if args ~= nil and type(args) ~= "table" then
    error("bad argument #1 to 'follow' (table expected, got " .. type(args) .. ")", 3)
  end
  local opts = {}
  for k, v in pairs(args or {}) do opts[k] = v end
  if account.provider == "mailgun" then
    opts.map = events.from_mailgun
    return account.client.logs:follow(opts)
  end
  opts.date_from, opts.start = opts.start, nil
  opts.map = events.from_mailersend_activity
  return account.client.activity:follow(opts)
end

return _M

-- Batch sending with recipient-variables:
--   local batch = client:batch{from=, subject="Hi %recipient.name%", text=...}
--   batch:add("a@example.com", {name = "Ann"})
--   local report = batch:send{size = 1000, parallel = 4, progress = fn}
-- Any number of recipients become calls of at most `size` recipients, each
-- with its own recipient-variables (always present, so no recipient sees
-- another). The report lists every call; sending again with
-- {resume = report} sends only what did not succeed.
local message = require("mailgun.message")
local json = require("mailgun.engine.json")
local chunked = require("mailgun.engine.chunked")

local type, ipairs, pairs, error, setmetatable = type, ipairs, pairs, error, setmetatable

local _M = {}

local Batch = {}
Batch.__index = Batch

function _M.new(client, msg)
  if type(msg) ~= "table" then
    error("bad argument #1 to 'batch' (table expected, got " .. type(msg) .. ")", 3)
  end
  for _, k in ipairs({ "to", "cc", "bcc", "recipient_variables", "recipient-variables" }) do
    if msg[k] ~= nil then
      error("bad argument #1 to 'batch' (recipients are added with batch:add, not '" .. k .. "')", 3)
    end
  end
  return setmetatable({ client = client, msg = msg, recipients = {}, index = {} }, Batch)
end

-- batch:add(address, vars) or batch:add{ "a@x", {address=, name=, vars=}, ... }
-- Adding an address twice replaces its variables.
function Batch:add(address, vars)
  if type(address) == "table" and address[1] ~= nil then
    for _, item in ipairs(address) do
      if type(item) == "table" then
        self:add(item, item.vars)
      else
        self:add(item)
      end
    end
    return self
  end
  if vars ~= nil and type(vars) ~= "table" then
    error("bad argument #2 to 'batch:add' (table expected, got " .. type(vars) .. ")", 2)
  end
  local formatted, err = message.address_of(address, "to")
  if not formatted then error("bad argument #1 to 'batch:add' (" .. err.message .. ")", 2) end
  local bare = message.bare_address(address)
  local entry = { to = formatted, address = bare, vars = vars or {} }
  if type(address) == "table" and address.name and entry.vars.name == nil then
    entry.vars.name = address.name
  end
  local at = self.index[bare]
  if at then
    self.recipients[at] = entry
  else
    self.recipients[#self.recipients + 1] = entry
    self.index[bare] = #self.recipients
  end
  return self
end

function Batch:count()
  return #self.recipients
end

-- The form params of one call (shared options checked once by send);
-- recipient-variables are built in C (json.by_address).
local function call_params(base, chunk)
  local p = {}
  for k, v in pairs(base) do p[k] = v end
  local to = {}
  for i = 1, #chunk do to[i] = chunk[i].to end
  p.to = to
  p["recipient-variables"] = json.by_address(chunk, 1, #chunk)
  return p
end

-- batch:send_async(opts, callback) -> handle: send without waiting;
-- callback(report, err) runs inside mailgun.poll (see mailgun.scheduler).
function Batch:send_async(opts, callback)
  local engine = self.client.engine
  return engine.scheduler.call_async(engine:yields(), Batch.send, self,
    { n = 1, opts }, callback, "batch:send_async", true)
end

-- opts: size (<= 1000), parallel (calls in flight, default 1), progress =
-- function(report, call), resume = an earlier report.
-- Returns the report: {calls = {{recipients = {addresses}, id=, error=}},
-- sent = n recipients, failed = n, ok = bool}. Errors of a call are kept in
-- the report; send itself returns nil, err only for bad input.
function Batch:send(opts)
  opts = opts or {}
  local size = opts.size or message.MAX_RECIPIENTS
  if type(size) ~= "number" or size < 1 or size > message.MAX_RECIPIENTS then
    error("bad argument 'size' to 'batch:send' (1 to " .. message.MAX_RECIPIENTS .. ")", 2)
  end
  local done = {}
  if opts.resume then
    for _, call in ipairs(opts.resume.calls or {}) do
      if call.id then
        for _, a in ipairs(call.recipients) do done[a] = true end
      end
    end
  end
  local todo = {}
  for _, r in ipairs(self.recipients) do
    if not done[r.address] then todo[#todo + 1] = r end
  end
  -- the shared part, checked once with a placeholder recipient
  local probe = {}
  for k, v in pairs(self.msg) do probe[k] = v end
  probe.to = "probe@invalid"
  local base, err = message.to_params(probe)
  if not base then return nil, err end
  base.to = nil

  local report = { calls = {}, sent = 0, failed = 0, skipped = 0 }
  if opts.resume then
    for _, call in ipairs(opts.resume.calls or {}) do
      if call.id then
        report.calls[#report.calls + 1] = call
        report.skipped = report.skipped + #call.recipients
      end
    end
  end
  local chunks = chunked.chunks(todo, size)
  report.total_calls = #chunks

  local send_ep = self.client.messages._endpoints.send

  local function record(chunk, res, cerr)
    local addresses = {}
    for i, r in ipairs(chunk) do addresses[i] = r.address end
    local call = { recipients = addresses }
    if res then
      call.id = res.id
      report.sent = report.sent + #chunk
    else
      call.error = cerr
      report.failed = report.failed + #chunk
    end
    report.calls[#report.calls + 1] = call
    if opts.progress then opts.progress(report, call) end
  end

  chunked.run(self.client.engine, send_ep, chunks, function(chunk) return call_params(base, chunk) end, record,
    opts.parallel, "batch:send")
  report.ok = report.failed == 0
  return report
end

return _M

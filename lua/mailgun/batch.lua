-- Batch sending with recipient-variables:
--   local batch = client:batch{from=, subject="Hi %recipient.name%", text=...}
--   batch:add("a@example.com", {name = "Ann"})
--   local report = batch:send{size = 1000, parallel = 4, progress = fn,
--                             journal = "campaign.journal"}
--   batch:send{source = fn}   -- fn() -> address, vars; nil at the end
-- Any number of recipients become calls of at most `size` recipients, each
-- with its own recipient-variables (always present and always encodable,
-- so no recipient sees another). The report has one small entry per call
-- (mailgun.engine.chunked); sending again with {resume = report} or the
-- same journal sends only the calls that did not succeed, and never an
-- uncertain one unless resend_uncertain = true. batch:reconcile(report)
-- settles uncertain calls from the events log.
local message = require("mailgun.message")
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")
local chunked = require("mailgun.engine.chunked")
local options = require("mailgun.engine.options")
local journal = require("mailgun.engine.journal")
local native = require("mailgun.engine.native")

local type, ipairs, pairs, error, setmetatable, tostring = type, ipairs, pairs, error, setmetatable, tostring

local _M = {}

-- The user variable each call carries (v:batch-call = "<batch>-<call>"):
-- Mailgun shows it in every event of the messages of that call.
local MARKER = "batch-call"
_M.MARKER = MARKER

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
  -- recipients from batch:add, as lists (no table per recipient): to[i]
  -- (what goes in the to field), vars[i] (false: none) and, once one
  -- recipient's to is not its bare address, keys[i] (the bare address,
  -- recipient-variables' key); index: bare address -> i
  return setmetatable({ client = client, msg = msg, to = {}, vars = {}, keys = nil, index = {}, n = 0 },
    Batch)
end

local NO_VARS = setmetatable({}, { __newindex = function() error("batch: an entry's variables are read-only", 2) end })

-- core.plain_entry(address, vars): a bare address and nil or flat
-- variables (what JSON takes as it is), one C call (csrc/scan.c)
local plain_entry
-- {to=, address=, vars=} of one recipient, or nil, message.
local function entry_of(address, vars)
  -- the common case: a bare address and flat variables, checked in one C
  -- call (a streamed batch draws millions of these)
  if not plain_entry then plain_entry = native.core().plain_entry end
  if plain_entry(address, vars) then return { to = address, address = address, vars = vars or NO_VARS } end
  if vars ~= nil and type(vars) ~= "table" then return nil, "variables must be a table, got " .. type(vars) end
  local formatted, err = message.address_of(address, "to")
  if not formatted then return nil, err.message end
  if type(address) == "string" and message.count_addresses(address) > 1 then
    return nil, "one recipient per entry, not a comma-separated list ('" .. address .. "')"
  end
  local entry = { to = formatted, address = message.bare_address(address), vars = vars or {} }
  if type(address) == "table" and address.name and entry.vars.name == nil then
    entry.vars = { name = address.name }
    for k, v in pairs(vars or {}) do entry.vars[k] = v end
  end
  local ok, why = json.check(entry.vars, "variables")
  if not ok then return nil, "cannot be sent: " .. why end
  return entry
end

-- batch:add(address, vars) or batch:add{ "a@x", {address=, name=, vars=}, ... }
-- Adding an address twice replaces its variables.
function Batch:add(address, vars)
  local to, key
  if not plain_entry then plain_entry = native.core().plain_entry end
  if plain_entry(address, vars) then -- the common case, in one C call
    to, key = address, address
  elseif type(address) == "table" and address[1] ~= nil then
    local n = 0
    for k in pairs(address) do
      if type(k) == "number" then n = n + 1 end
    end
    if n ~= #address then
      error("bad argument #1 to 'batch:add' (the list has a hole (nil) after item " .. #address .. ")", 2)
    end
    for _, item in ipairs(address) do
      if type(item) == "table" then
        self:add(item, item.vars)
      else
        self:add(item)
      end
    end
    return self
  else
    if vars ~= nil and type(vars) ~= "table" then
      error("bad argument #2 to 'batch:add' (table expected, got " .. type(vars) .. ")", 2)
    end
    local entry, why = entry_of(address, vars)
    if not entry then error("bad argument #1 to 'batch:add' (" .. why .. ")", 2) end
    to, key, vars = entry.to, entry.address, entry.vars
    if key ~= to and not self.keys then
      local keys = {}
      for i = 1, self.n do keys[i] = self.to[i] end
      self.keys = keys
    end
  end
  local index = self.index
  local at = index[key]
  if not at then
    at = self.n + 1
    self.n = at
    index[key] = at
  end
  self.to[at], self.vars[at] = to, vars or false
  if self.keys then self.keys[at] = key end
  return self
end

function Batch:count()
  return self.n
end

-- The form params of one call (shared options checked once by send), or
-- nil, err: a call never goes out without its recipient-variables (built
-- in C: json.by_address). to: the call's to field; encoded, jerr: its
-- recipient-variables; first: the bare address of its first recipient.
local function params_of(base, call, marker, to, first, encoded, jerr)
  if not encoded then
    return nil, errors.invalid("cannot encode recipient-variables: " .. tostring(jerr), { field = "to" })
  end
  local p = {}
  for k, v in pairs(base) do p[k] = v end
  p.to = to
  p["recipient-variables"] = encoded
  p["v:" .. MARKER] = marker .. "-" .. call.index
  call.recipient = first
  return p
end

-- A call drawn from a source: items[i] a bare address (its variables in
-- extras[i], false: none) or an entry {to=, address=, vars=} | {bad=}.
-- When every item is a bare address, items is the to field itself.
local function call_params(base, items, call, marker, extras)
  local n, to, keys, vars = #items, items, items, extras
  for i = 1, n do
    if type(items[i]) ~= "string" then to = nil break end
  end
  if not to then
    to, keys, vars = {}, {}, {}
    for i = 1, n do
      local r = items[i]
      if type(r) == "string" then
        to[i], keys[i], vars[i] = r, r, extras[i]
      elseif r.bad then
        return nil, errors.invalid("recipient #" .. (call.first + i - 1) .. " of the source: " .. r.bad,
          { field = "to", index = call.first + i - 1 })
      else
        to[i], keys[i], vars[i] = r.to, r.address, r.vars
      end
    end
  end
  return params_of(base, call, marker, to, keys[1], json.by_address(keys, 1, n, vars))
end

-- A call drawn from the batch's own lists: items is to[first .. first +
-- count - 1] itself (a fresh table per call: it becomes the to field).
local function list_params(self, base, items, call, marker)
  local first = call.first
  local keys = self.keys or self.to
  return params_of(base, call, marker, items, keys[first],
    json.by_address(keys, first, first + #items - 1, self.vars))
end

-- batch:send_async(opts, callback) -> handle: send without waiting;
-- callback(report, err) runs inside mailgun.poll (see mailgun.scheduler).
function Batch:send_async(opts, callback)
  local engine = self.client.engine
  return engine.scheduler.call_async(engine:yields(), Batch.send, self,
    { n = 1, opts }, callback, "batch:send_async", true)
end

local OPTIONS = options.with(options.CHUNKED, { source = "function", source_id = "string" })

-- opts: size (<= 1000), parallel (calls in flight, default 1), progress =
-- function(report, call), resume = an earlier report, resend_uncertain,
-- journal = file name, source = function() -> address, vars (instead of
-- batch:add; source_id = a name for it in the journal's fingerprint).
-- Returns the report (see mailgun.engine.chunked); errors of a call stay
-- in the report; send itself returns nil, err for bad input or a journal
-- of another batch.
function Batch:send(opts)
  if opts ~= nil then options.check(opts, OPTIONS, "batch:send") end
  opts = opts or {}
  local size = opts.size or (opts.resume and opts.resume.size) or message.MAX_RECIPIENTS
  if type(size) ~= "number" or size < 1 or size > message.MAX_RECIPIENTS or size % 1 ~= 0 then
    error("bad argument 'size' to 'batch:send' (1 to " .. message.MAX_RECIPIENTS .. ")", 2)
  end
  local source = opts.source
  if source ~= nil and type(source) ~= "function" then
    error("bad argument 'source' to 'batch:send' (function expected, got " .. type(source) .. ")", 2)
  end
  if source and self.n > 0 then
    error("bad argument 'source' to 'batch:send' (this batch already has recipients from batch:add)", 2)
  end
  -- the shared part, checked once with a placeholder recipient
  local probe = {}
  for k, v in pairs(self.msg) do probe[k] = v end
  probe.to = "probe@invalid"
  local base, err = message.to_params(probe)
  if not base then return nil, err end
  base.to = nil
  local marker = journal.sum({ "mailgun-batch", base, opts.source_id or (not source and "list") }):sub(1, 12)
  -- a journal's header names the batch: its message and its recipients
  -- (a list, whole) or its source (source_id; each call is checked as read)
  local fingerprint = marker
  if opts.journal ~= nil and not source then
    local all = {}
    for i = 1, self.n do all[i] = { self.to[i], self.vars[i] or NO_VARS } end
    fingerprint = journal.sum({ marker, all })
  end

  -- a source's recipient: its bare address and its variables (false:
  -- none) in the common case, no table of its own; else its entry
  local next_item
  if source then
    if not plain_entry then plain_entry = native.core().plain_entry end
    next_item = function()
      local address, vars = source()
      if address == nil then return nil end
      if plain_entry(address, vars) then return address, vars or false end
      local entry, why = entry_of(address, vars)
      return entry or { bad = why }
    end
  end
  local report
  report, err = chunked.run({
    engine = self.client.engine, endpoint = self.client.messages._endpoints.send, label = "batch:send",
    provider = "mailgun", size = size, opts = opts, kind = "mailgun-batch", fingerprint = fingerprint,
    count = not source and self.n or nil,
    next_item = next_item, list = not source and self.to or nil,
    build = function(items, call, extras)
      if source then return call_params(base, items, call, marker, extras) end
      return list_params(self, base, items, call, marker)
    end,
    id_of = function(res) return type(res.id) == "string" and res.id ~= "" and res.id or nil end,
    sum_of = function(items, call, extras)
      local out = {}
      for i, r in ipairs(items) do
        if source and type(r) == "string" then
          out[i] = { r, extras[i] or NO_VARS }
        elseif source then
          out[i] = r.bad and { bad = r.bad } or { r.to, r.vars }
        else
          out[i] = { r, self.vars[call.first + i - 1] or NO_VARS }
        end
      end
      return out
    end,
  })
  if report then report.marker = marker end
  return report, err
end

-- Settles the uncertain calls of a report from Mailgun's events log: an
-- "accepted" event for the call's first recipient carrying the call's
-- v:batch-call marker means the call was accepted (its id is the event's
-- message id); none once `settle` seconds have passed since the call
-- (default 1800: Mailgun documents events as possibly that late) means it
-- was not, and resume sends it again. opts.settle, opts.now (epoch).
-- Returns the report, and the list of calls settled.
function Batch:reconcile(report, opts)
  opts = opts or {}
  if type(report) ~= "table" or type(report.calls) ~= "table" or not report.marker then
    error("bad argument #1 to 'batch:reconcile' (a report of batch:send expected)", 2)
  end
  local settle = opts.settle or 1800
  local now = opts.now or os.time()
  local events = self.client.events
  local settled = chunked.reconcile(report, function(call)
    if not call.recipient or not call.at then return nil end
    local marker = report.marker .. "-" .. call.index
    local res = events:list({ event = "accepted", recipient = call.recipient, begin = call.at - 60,
                              ascending = "yes", limit = 300 })
    if not res then return nil end -- unknown yet: stays uncertain
    for _, ev in ipairs(type(res.items) == "table" and res.items or {}) do
      local uv = type(ev["user-variables"]) == "table" and ev["user-variables"] or {}
      if uv[MARKER] == marker then
        local id = type(ev.message) == "table" and type(ev.message.headers) == "table"
          and ev.message.headers["message-id"]
        return "sent", id and ("<" .. id .. ">") or marker
      end
    end
    if now - call.at >= settle then
      return "failed", errors.new({ kind = "not_accepted", provider = "mailgun",
        message = "Mailgun has no 'accepted' event for call " .. call.index .. " after "
          .. (now - call.at) .. " s: it was not accepted" })
    end
  end)
  return report, settled
end

return _M

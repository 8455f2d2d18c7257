---@meta mailgun.batch

---A Mailgun batch (from `client:batch(msg)`).
---@class mailgun.Batch
local Batch = {}

---Adds a recipient with its variables (`%recipient.KEY%` in the message).
---Adding an address twice replaces its variables. Also takes a list:
---`batch:add{ "a@x", { address = "b@x", name = "B", vars = {...} } }`.
---@param address string|table "Name <a@x>", a list, or {address=, name=, vars=}
---@param vars? table variables of this recipient
---@return mailgun.Batch self
function Batch:add(address, vars) end

---How many recipients were added.
---@return integer
function Batch:count() end

---Sends in calls of at most `size` recipients, each with its own
---`recipient-variables`, at most `parallel` calls in flight. Errors of a
---call stay in the report; `send` itself raises for bad options and
---returns nil, err for a message that cannot be sent.
---@param opts? {size?: integer, parallel?: integer, progress?: fun(report: table, call: table), resume?: table}
---@return table|nil report {calls, sent, failed, ok, ...}
---@return mailgun.Error|nil err
function Batch:send(opts) end

---`batch:send` without waiting: `callback(report, err)` runs inside `mailgun.poll`.
---@param opts? table as for `send`
---@param callback fun(report: table|nil, err: mailgun.Error|nil)
---@return mailgun.AsyncHandle
function Batch:send_async(opts, callback) end

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
---`recipient-variables`, at most `parallel` calls in flight. Every call
---ends sent (`id`), failed (`error`) or uncertain (`error`, `uncertain =
---true`: it may have been accepted). Errors of a call stay in the report;
---`send` itself raises for bad options and returns nil, err for a message
---that cannot be sent or a journal of another batch. `resume = report` (or
---the same `journal`) sends only the calls that did not succeed, never an
---uncertain one unless `resend_uncertain = true`. `source = fn` streams the
---recipients instead of `batch:add`: `fn()` returns `address, vars`, nil at
---the end. Report: `{calls = {{index, first, count, at, id | error,
---uncertain?}}, sent, failed, uncertain, skipped, total, size, ok,
---source_error?, total_calls?, journal?}`.
---@param opts? {size?: integer, parallel?: integer, progress?: fun(report: table, call: table), resume?: table, resend_uncertain?: boolean, journal?: string, source?: fun(): (string|table|nil), table?, source_id?: string}
---@return table|nil report {calls, sent, failed, uncertain, ok, ...}
---@return mailgun.Error|nil err
function Batch:send(opts) end

---Settles the uncertain calls of a report from Mailgun's events log: an
---`accepted` event carrying the call's `v:batch-call` marker means sent;
---none after `settle` seconds (default 1800) means not accepted (resume
---sends it again). Updates the report (and its journal) in place.
---@param report table a report of `batch:send`
---@param opts? {settle?: number, now?: number}
---@return table report
---@return table settled the calls settled now
function Batch:reconcile(report, opts) end

---`batch:send` without waiting: `callback(report, err)` runs inside `mailgun.poll`.
---@param opts? table as for `send`
---@param callback fun(report: table|nil, err: mailgun.Error|nil)
---@return mailgun.AsyncHandle
function Batch:send_async(opts, callback) end

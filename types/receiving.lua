---@meta mailgun.receiving

---Inbound messages: `require("mailgun").inbound` (lua/mailgun/inbound.lua).
---@class mailgun.inbound
local mailgun_inbound = {}

---A Mailgun route POST (forward(): urlencoded or multipart, raw MIME for
---URLs ending in "mime"), a store(notify=) POST, or the stored-message
---JSON, read into one message shape: `{provider, recipient, sender, from,
---to, cc, subject, text, html, stripped_text, stripped_html, headers,
---message_id, in_reply_to, references, attachments = {{filename,
---content_type, size, path | data, content_id}}, raw}`. The signature is
---verified unless `verify = false`; attachments above `threshold` (1 MiB)
---are streamed to files in `dir`, which then belong to the caller.
---@param opts {content_type: string, body?: string, reader?: fun(n: integer): string|nil, string?, signing_key?: string, verify?: boolean, tolerance?: number, seen?: fun(token: string): boolean, dir?: string, threshold?: integer, max_size?: integer, max_parts?: integer, max_header_size?: integer, max_part_size?: integer, max_field_size?: integer}
---@return table|nil msg
---@return mailgun.Error|nil err kind "invalid" (code: the parser's word) or "auth" (code "signature")
function mailgun_inbound.parse(opts) end

---MailerSend inbound routes: `require("mailersend").inbound`.
---@class mailersend.inbound
local mailersend_inbound = {}

---A MailerSend inbound route's JSON, its `Signature` header checked with
---the route's secret, read into the shape of `mailgun.inbound.parse`.
---@param opts {body: string, secret?: string, signature?: string, verify?: boolean, dir?: string, threshold?: integer, max_size?: integer}
---@return table|nil msg
---@return mailgun.Error|nil err
function mailersend_inbound.parse(opts) end

---`unified.inbound`: either provider's inbound message, one shape.
---@class mailgun.unified.inbound
local unified_inbound = {}

---`{provider = "mailgun" | "mailersend", ...that provider's parse options}`.
---@param opts table
---@return table|nil msg
---@return mailgun.Error|nil err
function unified_inbound.parse(opts) end

---@class mailgun.resources.logs
local Logs = {}

---Follows the Logs API as a resumable stream: every event once, late ones
---included (a trailing `window`, 1800 s, is read again on each poll and
---deduplicated by id); ends when caught up unless `poll` (seconds) is given.
---```lua
---for event, err, cursor in client.logs:follow{start = os.time() - 3600} do ... end
---```
---@param opts? {start?: number|string, cursor?: string, filter?: table, events?: string[], poll?: number, window?: number, limit?: integer, map?: fun(item: table, ts: number): any}
---@return fun(): any, mailgun.Error|nil, string iterator event (false on an error), err, cursor
---@return table follower with `:cursor()`
function Logs:follow(opts) end

---`follow` as a task of the scheduler, driven by `mailgun.poll`:
---`on_event(event, err, cursor)`; returning false stops it.
---@param opts? table as for follow
---@param on_event fun(event: any, err: mailgun.Error|nil, cursor: string): boolean|nil
---@return table task with `:cancel()`
function Logs:follow_async(opts, on_event) end

---@class mailgun.resources.events
local Events = {}

---Follows the v3 events log like `logs:follow`; `begin` is the first moment,
---`filter` the v3 query fields (event=, recipient=, tags=, ...).
---@param opts? {begin?: number|string, cursor?: string, filter?: table, poll?: number, window?: number, limit?: integer, map?: function}
---@return function iterator
---@return table follower
function Events:follow(opts) end

---`events:follow` as a scheduler task (see `logs:follow_async`).
---@param opts? table
---@param on_event function
---@return table task
function Events:follow_async(opts, on_event) end

---@class mailersend.resources.activity
local Activity = {}

---Follows a domain's email activity like `logs:follow` (`date_from` is the
---first moment, `event` a list of activity types).
---@param opts {domain_id: string, date_from?: number|string, event?: string[], cursor?: string, poll?: number, window?: number, limit?: integer, map?: function}
---@return function iterator
---@return table follower
function Activity:follow(opts) end

---`activity:follow` as a scheduler task (see `logs:follow_async`).
---@param opts table
---@param on_event function
---@return table task
function Activity:follow_async(opts, on_event) end

---@class mailgun.unified.Account
local Account = {}

---Follows the account's event log (Mailgun's Logs API or MailerSend's
---activity) into the normalized events `unified.webhooks.parse` gives.
---@param opts? {start?: number|string, cursor?: string, poll?: number, window?: number, filter?: table, domain_id?: string}
---@return function iterator event, err, cursor
---@return table follower
function Account:follow(opts) end

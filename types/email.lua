---@meta mailersend.email

---A MailerSend message (`ms.email:send`). Unknown fields raise.
---@class mailersend.Message
---@field from {email: string, name?: string}|string
---@field to string|table one address or a list of {email=, name=} (at most 50)
---@field cc? table
---@field bcc? table
---@field reply_to? {email: string, name?: string}
---@field subject? string
---@field text? string
---@field html? string
---@field template_id? string
---@field tags? string[] at most 5
---@field personalization? {email: string, data: table}[]
---@field attachments? ({path: string}|{content: string, filename: string})[] read and base64-encoded
---@field send_at? integer epoch seconds (at most 3 days ahead)
---@field in_reply_to? string
---@field headers? {name: string, value: string}[]
---@field precedence_bulk? boolean
---@field settings? {track_clicks?: boolean, track_opens?: boolean, track_content?: boolean}

---`ms.email`: sending.
---@class mailersend.resources.email
local Email = {}

---Sends one message (`POST /email`).
---@param msg mailersend.Message
---@param opts? mailgun.CallOptions
---@return {message_id: string, send_paused: boolean, warnings?: table}|nil
---@return mailgun.Error|nil err
function Email:send(msg, opts) end

---Sends many messages through `/bulk-email` in calls of at most 500; the
---report lists every call (see `mailgun.Batch:send` for the shape; `id` is
---the bulk_email_id, `bulk_email_ids` lists them). `list` may be an
---iterator returning the next message (nil at the end), drawn one call at
---a time.
---@param list mailersend.Message[]|fun(): mailersend.Message|nil
---@param opts? {size?: integer, parallel?: integer, progress?: function, resume?: table, resend_uncertain?: boolean, journal?: string, source_id?: string}
---@return table|nil report
---@return mailgun.Error|nil
function Email:send_bulk(list, opts) end

---Settles the uncertain calls of a `send_bulk` report from the activity
---log of the domain: activity for the call's first recipient since the
---call started means sent; none after `settle` seconds (default 1800)
---means not accepted.
---@param report table a report of `send_bulk`
---@param opts {domain_id: string, settle?: number, now?: number, max_pages?: integer}
---@return table report
---@return table settled
function Email:reconcile_bulk(report, opts) end

---`ms.bulk`: the bulk-email endpoint itself.
---@class mailersend.resources.bulk
local Bulk = {}

---One `/bulk-email` call of at most 500 messages.
---@param list mailersend.Message[]
---@param opts? mailgun.CallOptions
---@return {bulk_email_id: string, message: string}|nil
---@return mailgun.Error|nil
function Bulk:send(list, opts) end

---Polls a bulk request until it is done.
---@param id string the bulk_email_id
---@param opts? {interval?: number, timeout?: number, progress?: function} seconds
---@return table|nil status the final bulk-email status
---@return mailgun.Error|nil
function Bulk:wait(id, opts) end

---`ms.sms`: SMS.
---@class mailersend.resources.sms
local Sms = {}

---Sends an SMS (`POST /sms`): `{from=, to = {numbers}, text=}`.
---@param params {from: string, to: string[], text: string}
---@param opts? mailgun.CallOptions
---@return {message_id: string}|nil
---@return mailgun.Error|nil
function Sms:send(params, opts) end

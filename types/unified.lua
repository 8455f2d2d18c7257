---@meta mailgun.unified

---One API over Mailgun and MailerSend: `require("mailgun.unified")`.
---@class mailgun.unified
---@field PROVIDERS table<string, string> provider name -> client module
---@field webhooks mailgun.unified.webhooks
local unified = {}

---Connects an account of either provider: `{provider = "mailgun" |
---"mailersend", ...the provider client's options}` or `{provider=, client=}`.
---@param opts table
---@return mailgun.unified.Account
function unified.connect(opts) end

---An account of one provider behind the unified API.
---@class mailgun.unified.Account
---@field provider "mailgun"|"mailersend"
---@field client mailgun.Client|mailersend.Client
---@field users mailgun.unified.Users
---@field roles table
local Account = {}

---Sends one message of the unified model.
---@param msg table {from, to, cc, bcc, reply_to, subject, text, html, attachments, tags, variables, template, send_at, headers, test_mode, tracking}
---@return {id: string, provider: string, accepted: string[], warnings: table[]}|nil
---@return mailgun.Error|nil err
function Account:send(msg) end

---Sends one message to many recipients, each getting its own copy
---(Mailgun: calls of at most 1,000 with recipient-variables; MailerSend:
---/bulk-email calls of at most 500).
---@param msg table
---@param recipients (string|{email: string, name?: string, variables?: table})[]
---@param opts? table {size=, parallel=, progress=, resume=, resend_uncertain=, journal=}
---@return table|nil report the report of `mailgun.Batch:send`, plus `provider`
---@return mailgun.Error|nil err
function Account:send_batch(msg, recipients, opts) end

---Settles the uncertain calls of a `send_batch` report (Mailgun: the
---events log; MailerSend: the activity log, `opts.domain_id` required).
---@param report table
---@param opts? table {settle=, domain_id=}
---@return table report
---@return table settled
function Account:reconcile_batch(report, opts) end

---An authenticated request to any endpoint of the provider.
---@param method string
---@param path string
---@param params? table
---@param opts? table
---@return table|nil
---@return mailgun.Error|nil
function Account:request(method, path, params, opts) end

---A page of any listing endpoint in the unified page shape `{result, next_cursor}`.
---@param path string
---@param params? table
---@param opts? table {cursor=}
---@return {result: table[], next_cursor: string|nil}|nil
---@return mailgun.Error|nil
function Account:list(path, params, opts) end

---Whether this provider takes a message field (or "field.key").
---@param feature string
---@return boolean
function Account:supports(feature) end

---Closes the account's client.
function Account:close() end

---The user directory of an account, one shape for both providers.
---@class mailgun.unified.Users
local Users = {}

---A page of users.
---@param args? {limit?: integer, cursor?: string, role?: string}
---@return {result: table[], next_cursor: string|nil}|nil
---@return mailgun.Error|nil
function Users:list(args) end

---Every user, page after page: `for user, err in users:each() do ... end`.
---@param args? {limit?: integer, role?: string}
---@return function iterator
function Users:each(args) end

---One user.
---@param id string
---@return table|nil user
---@return mailgun.Error|nil
function Users:get(id) end

---The user the credentials belong to.
---@return table|nil user
---@return mailgun.Error|nil
function Users:me() end

---Invites a user (MailerSend).
---@param args {email: string, role: string, permissions?: string[], domains?: string[], templates?: string[]}
---@return table|nil
---@return mailgun.Error|nil
function Users:invite(args) end

---Updates a user (MailerSend).
---@param id string
---@param args table {role=, permissions=, ...}
---@return table|nil
---@return mailgun.Error|nil
function Users:update(id, args) end

---Deletes a user (MailerSend).
---@param id string
---@return boolean|nil
---@return mailgun.Error|nil
function Users:delete(id) end

---Normalized webhook events of both providers.
---@class mailgun.unified.webhooks
local uwebhooks = {}

---Verifies and parses a webhook request into normalized events.
---@param args {provider: "mailgun"|"mailersend", body: string, headers?: table, signing_key?: string, secret?: string}
---@return table[]|nil events
---@return mailgun.Error|nil
function uwebhooks.parse(args) end

---Tells which provider sent a webhook request.
---@param args {body: string, headers?: table}
---@return "mailgun"|"mailersend"|nil
function uwebhooks.detect(args) end

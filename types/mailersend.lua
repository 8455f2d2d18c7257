---@meta mailersend

---The MailerSend client module: `local mailersend = require("mailersend")`.
---@class mailersend
---@field BASE_URL string "https://api.mailersend.com/v1"
---@field PAGE_LIMITS {min: integer, max: integer} page sizes the API accepts
---@field webhooks mailersend.webhooks
local mailersend = {}

---Options of `mailersend.new`. Unknown names and wrong types raise.
---@class mailersend.Options
---@field token string the API token (never shown in errors or logs)
---@field base_url? string default https://api.mailersend.com/v1 (keep the /v1)
---@field timeout? number total time of one attempt, in seconds (default 30)
---@field connect_timeout? number seconds (default 10)
---@field deadline? number seconds for a whole call, every attempt and wait included (default 120)
---@field retries? integer
---@field backoff? table
---@field user_agent? string
---@field verify? boolean
---@field cafile? string
---@field capath? string
---@field proxy? string
---@field max_body? integer bytes (default 32 MiB)
---@field transport? table

---Creates a client.
---
---```lua
---local ms = mailersend.new({ token = os.getenv("MAILERSEND_TOKEN") })
---```
---@param opts mailersend.Options
---@return mailersend.Client
function mailersend.new(opts) end

---Every endpoint the client declares.
---@return {resource: string, name: string, method: string, path: string}[]
function mailersend.endpoints() end

---The rate-limit and quota headers of a result or an error.
---@param res_or_err table
---@return {limit?: integer, remaining?: integer, reset?: number, quota_remaining?: integer, quota_reset?: string, request_id?: string}
function mailersend.limits(res_or_err) end

---A MailerSend client: every resource as a field (`ms.email`, `ms.domains`, ...).
---@class mailersend.Client
local Client = {}

---As `mailersend.limits`.
---@param res_or_err table
---@return table
function Client:limits(res_or_err) end

---An authenticated request to any endpoint (see `mailgun.Client:request`).
---@param method string
---@param path string
---@param params? table
---@param opts? table
---@return table|nil result
---@return mailgun.Error|nil err
function Client:request(method, path, params, opts) end

---A view with callback-taking resource methods (see `mailgun.Client:async`).
---@return table
function Client:async() end

---Same as `mailgun.poll`.
---@param timeout_ms? number
---@param budget_ms? number
---@return integer
function Client:poll(timeout_ms, budget_ms) end

---The client's non-blocking loop, or nil.
---@return table|nil
function Client:loop() end

---Closes the client (requests in flight end with `kind = "cancelled"`).
function Client:close() end

---Webhook signature checks (MailerSend).
---@class mailersend.webhooks
---@field TEST_SECRET string the public secret of `webhook.test` pings
local webhooks = {}

---Verifies the `Signature` header: HMAC-SHA256 of the raw body with the
---webhook's secret, in constant time. Never raises on malformed input.
---@param args {secret: string, signature: string, body: string}
---@return boolean ok
---@return string|nil reason
function webhooks.verify(args) end

---Deduplicates deliveries on `data.id`: the returned function is true the
---first time it sees a payload.
---@param ttl? number seconds (default 3 days)
---@return fun(payload: string|table): boolean
function webhooks.dedupe(ttl) end

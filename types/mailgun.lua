---@meta mailgun
-- LuaLS definitions of the public API (editor completion) and the source
-- of docs/reference.md (`make docs`). Resource methods are generated from
-- the endpoint data into types/resources_*.lua; do not edit those.

---The Mailgun client module: `local mailgun = require("mailgun")`.
---@class mailgun
---@field REGIONS table<string, {base: string, storage: string}> base URLs of the "us" and "eu" regions
---@field webhooks mailgun.webhooks webhook signature checks
local mailgun = {}

---Options of `mailgun.new`. Unknown names and wrong types raise.
---@class mailgun.Options
---@field api_key string the private API key (never shown in errors or logs)
---@field domain? string the sending domain, used for every `{domain_name}` path
---@field region? "us"|"eu" the region of the account (default "us")
---@field base_url? string an API origin without a version, e.g. a sandbox URL (overrides region)
---@field storage_url? string where stored messages are fetched
---@field timeout? number total time of one attempt, in seconds (default 30)
---@field connect_timeout? number seconds to establish a connection (default 10)
---@field deadline? number seconds for a whole call, every attempt and wait included (default 120)
---@field retries? integer retries of retryable failures (default 3)
---@field backoff? {base: number, max: number, max_wait: number} seconds of the jittered exponential backoff
---@field subaccount? string acts on behalf of this subaccount (X-Mailgun-On-Behalf-Of)
---@field user_agent? string
---@field verify? boolean verify TLS certificates (default true)
---@field cafile? string CA bundle path
---@field capath? string CA directory
---@field proxy? string proxy URL
---@field max_body? integer largest response body accepted, in bytes (default 32 MiB)
---@field signing_key? string the webhook signing key, only so errors never show it
---@field transport? table a transport object (see docs/internals.md)

---Creates a client. Cheap: clients share their resources' definitions.
---
---```lua
---local client = mailgun.new({ api_key = os.getenv("MAILGUN_API_KEY"), domain = "mg.example.com" })
---```
---@param opts mailgun.Options
---@return mailgun.Client
function mailgun.new(opts) end

---Every endpoint the client declares.
---@return {resource: string, name: string, method: string, path: string, deprecated?: boolean}[]
function mailgun.endpoints() end

---Drives every request started without waiting (`*_async`, tasks):
---never waits longer than `timeout_ms` (0: not at all) and runs the
---callbacks of what finished for about `budget_ms` at most.
---@param timeout_ms? number milliseconds to wait for activity (default 0)
---@param budget_ms? number milliseconds of callback work in this call
---@return integer completed how many requests and tasks completed
function mailgun.poll(timeout_ms, budget_ms) end

---Runs `fn(...)` as a task: blocking-looking client calls inside it yield
---instead of blocking; it advances inside `mailgun.poll`.
---@param fn function
---@return table task with `:cancel()`
function mailgun.spawn(fn, ...) end

---Drives every task and request to completion (blocking).
---@param timeout? number seconds at most
function mailgun.run(timeout) end

---How many requests and tasks are still in flight (one `send_async` counts one).
---@return integer
function mailgun.pending() end

---A Mailgun client: every resource of the API as a field (`client.messages`,
---`client.domains`, `client.bounces`, ...; see the resources section).
---@class mailgun.Client
---@field domain string|nil
---@field region string
---@field base_url string
---@field messages mailgun.resources.messages
local Client = {}

---Options of one call, the last argument of every resource method.
---@class mailgun.CallOptions
---@field timeout? number seconds for this call's attempts
---@field deadline? number seconds for this whole call, retries included
---@field retries? integer retries for this call
---@field headers? table<string, string> extra request headers
---@field label? string name used in error messages

---A batch: one message to many recipients, each personalised with
---`%recipient.name%` variables, sent in calls of at most 1,000.
---
---```lua
---local batch = client:batch({ from = "news@mg.example.com", subject = "Hi %recipient.name%", text = "..." })
---batch:add("ann@example.org", { name = "Ann" })
---local report = batch:send({ parallel = 4 })
---```
---@param msg table the message of `messages:send` without `to`/`cc`/`bcc`
---@return mailgun.Batch
function Client:batch(msg) end

---An authenticated request to any endpoint.
---@param method string "GET", "POST", ...
---@param path string a path under the base URL ("/v4/domains") or an absolute URL
---@param params? table query (GET/DELETE) or body fields
---@param opts? {encoding?: "query"|"json"|"multipart"|"urlencoded"|"raw", paging?: string, items?: string, timeout?: number, headers?: table}
---@return table|nil result the decoded answer
---@return mailgun.Error|nil err
function Client:request(method, path, params, opts) end

---A view whose resource methods take a trailing `callback(res, err)` and
---return a handle with `:cancel()` (same as `resource:method_async`).
---@return table
function Client:async() end

---Same as `mailgun.poll`: one call drives every client.
---@param timeout_ms? number
---@param budget_ms? number
---@return integer
function Client:poll(timeout_ms, budget_ms) end

---The client's non-blocking loop, or nil on a transport without one.
---@return table|nil
function Client:loop() end

---Closes the client: requests in flight end with `kind = "cancelled"`,
---then the connections close. Idempotent.
function Client:close() end

---Every method of every resource also exists as `name_async(..., callback)`:
---it starts at once, never waits, and `callback(res, err)` runs inside
---`mailgun.poll` (or on a light thread in nginx). Returns a handle with `:cancel()`.
---@class mailgun.AsyncHandle
---@field cancel fun(self: mailgun.AsyncHandle): boolean

---Webhook signature checks (Mailgun).
---@class mailgun.webhooks
local webhooks = {}

---Verifies a Mailgun webhook: HMAC-SHA256 of timestamp .. token with the
---webhook signing key (not the API key), in constant time; refuses stale
---timestamps and replayed tokens. Never raises on malformed input.
---@param args {signing_key: string, payload?: string|table, timestamp?: string, token?: string, signature?: string, tolerance?: number, seen?: fun(token: string): boolean, now?: number}
---@return boolean ok
---@return string|nil reason why it was refused
function webhooks.verify(args) end

---A small in-memory replay guard: `seen(token)` is true when the token was
---seen in the last `ttl` seconds, and records it otherwise.
---@param ttl? number seconds (default 600)
---@return fun(token: string): boolean seen
function webhooks.replay_guard(ttl) end

---The one error shape of both clients. `tostring(err)` names the provider
---and never shows a secret.
---@class mailgun.Error
---@field kind "invalid"|"auth"|"not_found"|"validation"|"rate_limited"|"http"|"network"|"timeout"|"not_supported"|"cancelled"
---@field status? integer the HTTP status
---@field message string
---@field provider string "mailgun" or "mailersend"
---@field retry_after? number seconds the server asked to wait
---@field body? table|string the decoded answer (secrets redacted)
---@field headers? table
---@field code? string a provider error code (MailerSend "#MS42901")
---@field errors? table a field -> messages map (validation)
---@field field? string the message field or param at fault (kind "invalid": a bad value, nothing sent)
---@field method? string
---@field path? string
---@field attempts? integer
---@field uncertain? boolean the request may have been accepted (a send): do not resend blindly

return mailgun

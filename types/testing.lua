---@meta mailgun.testing

---A local sandbox for your own test suites: `require("mailgun.testing")`.
---@class mailgun.testing
local testing = {}

---Starts a sandbox (nginx + lua-nginx-module) on 127.0.0.1; raises when it cannot.
---
---```lua
---local sb = require("mailgun.testing").start()
---local client = require("mailgun").new(sb.mailgun)
---```
---@param opts? {port?: integer, mailgun_key?: string, domain?: string, mailersend_token?: string, signing_key?: string}
---@return mailgun.testing.Sandbox
function testing.start(opts) end

---The path of the sandbox launcher this module will run.
---@return string
function testing.launcher() end

---A running sandbox.
---@class mailgun.testing.Sandbox
---@field url string "http://127.0.0.1:PORT"
---@field mailgun mailgun.Options options for `mailgun.new`
---@field mailersend mailersend.Options options for `mailersend.new`
---@field mailgun_key string
---@field domain string
---@field mailersend_token string
---@field signing_key string
local Sandbox = {}

---Delivered per-recipient copies, optionally filtered (`{to=, provider=}`).
---@param filter? table
---@return table[]
function Sandbox:deliveries(filter) end

---Every request the sandbox recorded.
---@param filter? {path?: string, method?: string}
---@return table[]
function Sandbox:requests(filter) end

---Adds a fault rule: `{method=, path=, status=, retry_after=, delay_ms=, drop=, truncate=, count=}`.
---@param rule table
---@return table
function Sandbox:fault(rule) end

---Forgets messages, events, faults and data.
---@return mailgun.testing.Sandbox
function Sandbox:reset() end

---Stops the sandbox (also when the object is collected and at exit).
function Sandbox:stop() end

---One request to the sandbox's control API (raises on failure).
---@param method string
---@param path string
---@param body? table
---@param filter? table
---@return table
function Sandbox:control(method, path, body, filter) end

---@meta mailgun.messages

---A Mailgun message (`client.messages:send`). Unknown fields raise.
---@class mailgun.Message
---@field from string|{name?: string, address: string} "Name <a@x>" or a table
---@field to string|table one address, "a@x, b@x", or a list (at most 1,000 with cc and bcc)
---@field cc? string|table
---@field bcc? string|table
---@field reply_to? string|table
---@field subject? string
---@field text? string
---@field html? string
---@field amp_html? string
---@field template? string a stored template's name
---@field template_version? string
---@field template_text? boolean also render a text part from the template
---@field variables? table `v:` variables (JSON-encoded per key); `vars` is an alias
---@field recipient_variables? table per-recipient variables (use `client:batch` to build them)
---@field attachments? ({path: string}|{data: string, filename: string, content_type?: string})[] files are streamed from disk
---@field inline? table[] inline images, as attachments; refer to them as `cid:FILENAME`
---@field tags? string[] at most 10
---@field headers? table<string, string> `h:` headers (no CR/LF)
---@field deliverytime? number|string epoch seconds or an RFC 2822 date
---@field testmode? boolean
---@field tracking? boolean
---@field tracking_clicks? boolean|"htmlonly"
---@field tracking_opens? boolean
---@field require_tls? boolean
---@field skip_verification? boolean
---@field dkim? boolean
---@field deliver_within? string e.g. "24h"
---@field sending_ip? string
---@field sending_ip_pool? string
---@field domain? string sends from another domain than the client's
---@field message? string|{path: string} the MIME text (send_mime only)

---`client.messages`: sending and stored messages.
---@class mailgun.resources.messages
local Messages = {}

---Sends a message (`POST /v3/{domain_name}/messages`, multipart). Checks
---the message before anything is sent (recipients, limits, header
---injection, files) and returns `kind = "invalid"` for what cannot be sent.
---
---```lua
---local res, err = client.messages:send({ from = "me@mg.example.com", to = "ann@example.org",
---                                        subject = "Hi", text = "Hello" })
---```
---@param msg mailgun.Message
---@param opts? mailgun.CallOptions
---@return {id: string, message: string}|nil result `id` is the Message-Id
---@return mailgun.Error|nil err
function Messages:send(msg, opts) end

---Sends a MIME message you built (`POST /v3/{domain_name}/messages.mime`):
---`{to=, message = mime_text | {path=}, ...options}`.
---@param msg mailgun.Message
---@param opts? mailgun.CallOptions
---@return {id: string, message: string}|nil
---@return mailgun.Error|nil
function Messages:send_mime(msg, opts) end

---@meta mailgun.core

---The C core on libcurl and OpenSSL: `require("mailgun.core")`. The
---clients use it; it is public for hosts that want its pieces directly.
---@class mailgun.core
---@field curl_version string libcurl's version text
local core = {}

---A kept-alive HTTP session (one libcurl handle; TLS verified by default).
---@param opts? {timeout?: integer, connect_timeout?: integer, verify?: boolean, cafile?: string, capath?: string, proxy?: string, user_agent?: string, max_body?: integer, http2?: boolean} timeouts in milliseconds, sizes in bytes
---@return userdata session with `:request{method=, url=, headers=, body= | form=, timeout=}` -> res | nil, word, code, detail; `:close()`
function core.session(opts) end

---Many transfers at once (libcurl multi): `:add(req) -> id`,
---`:poll(timeout_ms) -> completions`, `:wait()`, `:cancel(id)`, `:pending()`, `:close()`.
---@param opts? table session options plus max_connections
---@return userdata multi
function core.multi(opts) end

---A streaming multipart/form-data body: `:field(name, value)`,
---`:fields(name, list[, i]) -> index | nil` (list[i..] as fields of one
---name in one call; stops at the first item that is not a string and
---returns its index),
---`:file(name, path, {filename=, content_type=, inline=})`,
---`:data(name, bytes, {...})`, `:content_type()`, `:length()`,
---`:read(n)`, `:rewind()`, `:close()`. Files are read while sending.
---@return userdata form
function core.form() end

---HMAC-SHA256 as lowercase hex.
---@param key string
---@param msg string
---@return string
function core.hmac_sha256(key, msg) end

---SHA-256 as lowercase hex.
---@param msg string
---@return string
function core.sha256(msg) end

---Compares two strings in constant time.
---@param a string
---@param b string
---@return boolean
function core.equal(a, b) end

---Base64 (RFC 4648).
---@param s string
---@return string
function core.base64_encode(s) end

---Decodes base64; nil and a message on malformed input.
---@param s string
---@return string|nil
---@return string|nil err
function core.base64_decode(s) end

---The value of an `Authorization: Basic` header.
---@param user string
---@param password string
---@return string
function core.basic_auth(user, password) end

---An RFC 5322 / MIME message built once and read as a stream: headers with
---RFC 2047 words for non-ASCII text, Date, Message-ID and MIME-Version
---added, quoted-printable text/html, base64 parts read from disk while the
---message is read. `:message_id()`, `:read(n) -> bytes | nil`, `:rewind()`, `:close()`.
---@param spec {headers?: table, text?: string, html?: string, attachments?: table, inline?: table, domain?: string} headers: `{{name, value}, ...}`, value a string or a list of addresses (`{email=, name=}` or "a@x"); parts: `{path= | data=, filename=, content_type=, cid=}`
---@return userdata|nil mime
---@return string|nil message bad input (nothing built)
function core.mime(spec) end

---An SMTP submission session (libcurl, one connection reused): smtp://
---requires STARTTLS unless `allow_insecure`. `:send{from=, to={...},
---message=mime} -> true | nil, word, code, detail, reply, sent`; `:close()`.
---@param opts {url: string, username?: string, password?: string, allow_insecure?: boolean, verify?: boolean, cafile?: string, capath?: string, timeout?: integer, connect_timeout?: integer} url smtp://host:587 or smtps://host:465; times in milliseconds
---@return userdata smtp
function core.smtp(opts) end

---The JSON object `{entries[k].address: entries[k].vars}` for k = i..j (a
---batch call's recipient-variables), built in one buffer; nil when a
---`vars` is not flat (string keys; string, number or boolean values), for
---the caller to use a general JSON encoder. With `vars` (a list):
---`entries[k]` is the address itself and `vars[k]` its variables (false or
---nil: none), no table per recipient.
---@param entries table `{address = string, vars = table|nil}` each, or addresses
---@param i integer
---@param j integer
---@param vars? table
---@return string|nil
function core.json_by_address(entries, i, j, vars) end

---Whether s is a bare address with nothing to trim, split or unquote: one
---"@" with something on each side, no space, control character or any of
---`"<>,()\` (one pass in C; `mailgun.engine.address` uses it).
---@param s any
---@return boolean
function core.plain_address(s) end

---Whether s holds a control character (bytes 0-31 and 127, Lua's `%c`).
---@param s string
---@return boolean
function core.has_control(s) end

---Whether address is plain (`core.plain_address`) and vars is nil or flat
---(string keys; string, boolean or finite number values): a batch
---recipient JSON takes as it is, checked in one call.
---@param address any
---@param vars? any
---@return boolean
function core.plain_entry(address, vars) end

---An encoder of the common message, checked and encoded in one call
---(csrc/simple.c): `encode(msg)` returns a form ("form") or a JSON text
---("json") and the number of recipients when every key of msg is one of
---the fields with a string value that passes its kind, else nil (the Lua
---layer then takes the message). fields: a list of {name=, wire=, kind=
---"recipient"|"address"|"line"|"text", max= (bytes), refuse= (bytes a
---recipient's name must not hold)}; a form's fields go in wire-name order.
---@param format "form"|"json"
---@param fields table[]
---@return fun(msg: table): (userdata|string|nil), integer?
function core.simple_encoder(format, fields) end

---Seconds (a float) on a clock that never jumps with the wall clock
---(CLOCK_MONOTONIC); only differences are meaningful.
---@return number
function core.monotonic() end

---Wall-clock seconds since the epoch (a float).
---@return number
function core.now() end

---Blocks the process for `seconds` (fractions allowed). Never inside nginx.
---@param seconds number
function core.sleep(seconds) end

---A streaming multipart parser (the inverse of `core.form()`, RFC 2046 /
---RFC 7578 framing): `:feed(chunk)`, `:finish()`, then `:next()` until
---"done": `"part", headers` | `"data", bytes` | `"end", {size=, data= | path=}` |
---`"done"` | nil (feed more) | nil, word, detail. `:sink("memory" | "discard" |
---"file", path | "spill", threshold, path)` right after "part" keeps the body
---in C; `:close()` removes a part file left incomplete. Words: "malformed",
---"truncated", "too_large", "too_many_parts", "header_too_large",
---"part_too_large", "file", "no_memory".
---@param opts {boundary: string, max_size?: integer, max_parts?: integer, max_header_size?: integer, max_part_size?: integer} limits in bytes (0 = none)
---@return userdata|nil parser
---@return string? word "bad_boundary"
---@return string? detail
function core.multipart_parser(opts) end

---What is at `path`, from stat(2): it never opens the file, so a FIFO
---does not block. Attachments must be a "file".
---@param path string
---@return "file"|"directory"|"fifo"|"character"|"block"|"socket"|"link"|"other"|nil kind
---@return string? message when the path cannot be read
function core.file_kind(path) end

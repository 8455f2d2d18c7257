-- The safe defaults both transports and the engine start from (issue 12:
-- nothing may hang or grow without bound when the caller sets nothing).
-- Times in seconds, sizes in bytes.
return {
  timeout = 30,             -- one attempt, whole: connect, send, headers, body
  connect_timeout = 10,     -- the TCP (and TLS) connection of one attempt
  deadline = 120,           -- one call, every attempt and wait between them
  max_body = 32 * 1024 * 1024, -- response body
  max_header_bytes = 64 * 1024, -- response status line + headers (OpenResty)
  min_retry_after = 1,      -- a negative Retry-After waits this long
}

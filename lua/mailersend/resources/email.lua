-- Sending one email. client.email:send(msg) takes a friendly table (see
-- mailersend/email.lua) and returns message_id, send_paused and warnings;
-- client.email:send_bulk(list, opts) goes through /bulk-email in chunks.
-- Never retried unless the request provably did not reach the server.
return {
  name = "email",
  endpoints = {
    { name = "send", method = "POST", path = "/email", encoding = "json", send = true,
      result_header = "x-message-id" },
  },
}

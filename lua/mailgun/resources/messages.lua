-- Sending, stored messages and the sending queues of a domain.
-- client.messages:send / :send_mime are wrapped by mailgun/init.lua (friendly
-- message tables); stored messages and envelopes live on the storage host.
return {
  name = "messages",
  endpoints = {
    { name = "send", method = "POST", path = "/v3/{domain_name}/messages",
      encoding = "multipart", send = true, result_id = "id" },
    { name = "send_mime", method = "POST", path = "/v3/{domain_name}/messages.mime",
      encoding = "multipart", send = true, result_id = "id" },
    -- pass url = event["storage"]["url"] to fetch from the host that holds it
    { name = "retrieve", method = "GET", path = "/v3/domains/{domain_name}/messages/{storage_key}",
      base = "storage" },
    { name = "resend", method = "POST", path = "/v3/domains/{domain_name}/messages/{storage_key}",
      encoding = "multipart", send = true, base = "storage", result_id = "id" },
    { name = "queue_status", method = "GET", path = "/v3/domains/{name}/sending_queues" },
    -- deletes all scheduled and undelivered mail of the domain
    { name = "cancel_scheduled", method = "DELETE", path = "/v3/{domain_name}/envelopes",
      base = "storage" },
  },
}

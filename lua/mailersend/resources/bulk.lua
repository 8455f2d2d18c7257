-- Bulk email: up to 500 messages per call, validated and sent
-- asynchronously; status(id) tells the state, validation errors and
-- suppressed recipients. send is mapped from friendly messages and wait
-- polls status (mailersend/bulk.lua).
return {
  name = "bulk",
  endpoints = {
    { name = "send", method = "POST", path = "/bulk-email", encoding = "json", send = true,
      result_id = "bulk_email_id" },
    { name = "status", method = "GET", path = "/bulk-email/{bulk_email_id}" },
  },
}

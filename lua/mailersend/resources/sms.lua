-- Sending an SMS: {from, to = {...}, text, personalization}. 202 with
-- X-SMS-Message-Id (copied to message_id by the client). Never retried
-- unless the request provably did not reach the server.
return {
  name = "sms",
  endpoints = {
    { name = "send", method = "POST", path = "/sms", encoding = "json", send = true },
  },
}

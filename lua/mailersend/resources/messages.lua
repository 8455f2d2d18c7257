-- Sent messages (page, limit) and one message with its emails.
return require("mailersend.resources._crud")("messages", "/messages", "message_id",
  { "list", "get" })

-- Sent SMS messages.
return require("mailersend.resources._crud")("sms_messages", "/sms-messages", "sms_message_id",
  { "list", "get" })

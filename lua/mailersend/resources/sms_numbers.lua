-- SMS phone numbers (paused, page, limit); update {paused}.
return require("mailersend.resources._crud")("sms_numbers", "/sms-numbers", "sms_number_id",
  { "list", "get", "update", "delete" })

-- SMS webhooks (list by sms_number_id): {url, name, events, enabled,
-- sms_number_id}. Deliveries are signed like email webhooks.
return require("mailersend.resources._crud")("sms_webhooks", "/sms-webhooks", "sms_webhook_id",
  { "list", "create", "get", "update", "delete" })

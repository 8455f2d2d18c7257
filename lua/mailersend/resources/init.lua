-- The resources of the MailerSend client, in order: each name is a module
-- mailersend.resources.<name> returning {name=, endpoints={...}} (see
-- docs/internals.md) and becomes client.<name>.
return {
  -- sending
  "email",
  "bulk",
  "messages",
  "scheduled_messages",
  "templates",
  -- activity and analytics
  "activity",
  "analytics",
  -- domains and their parts
  "domains",
  "smtp_users",
  "inbound",
  "webhooks",
  "identities",
  -- recipients and suppressions
  "recipients",
  "blocklist",
  "hard_bounces",
  "spam_complaints",
  "unsubscribes",
  "on_hold",
  -- account
  "tokens",
  "users",
  "invites",
  "api_quota",
  -- SMS
  "sms",
  "sms_numbers",
  "sms_messages",
  "sms_activity",
  "sms_recipients",
  "sms_webhooks",
  "sms_inbounds",
  -- email verification
  "email_verification",
  -- deliverability monitoring
  "dmarc",
  "blocklist_monitoring",
}

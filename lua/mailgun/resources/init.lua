-- The resources of the Mailgun client, in order: each name is a module
-- mailgun.resources.<name> returning {name=, endpoints={...}} (see
-- docs/internals.md) and becomes client.<name>.
return {
  -- sending
  "messages",
  "templates",
  "account_templates",
  -- domains and their settings
  "domains",
  "domain_ips",
  "tracking",
  "dkim",
  "credentials",
  "webhooks",
  "account_webhooks",
  -- suppressions
  "bounces",
  "unsubscribes",
  "complaints",
  "allowlist",
  -- inbound and lists
  "routes",
  "lists",
  "list_members",
  -- events and analytics
  "events",
  "logs",
  "metrics",
  "analytics_tags",
  "alerts",
  "bounce_classification",
  "stats",
  "tags",
  -- validation
  "validation",
  "bulk_validations",
  "validation_previews",
  -- IPs
  "ips",
  "ip_pools",
  "dynamic_pools",
  "ip_warmups",
  -- account
  "account",
  "subaccounts",
  "keys",
  "ip_allowlist",
  "users",
  -- optimize
  "inbox_placement",
  "email_previews",
}

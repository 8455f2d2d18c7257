-- Analytics: date_from, date_to (required), event (list, for by_date),
-- domain_id, recipient_id (list), tags (list), group_by (by_date only).
return {
  name = "analytics",
  endpoints = {
    { name = "by_date", method = "GET", path = "/analytics/date" },
    { name = "by_country", method = "GET", path = "/analytics/country" },
    { name = "by_ua_name", method = "GET", path = "/analytics/ua-name" },
    { name = "by_ua_type", method = "GET", path = "/analytics/ua-type" },
  },
}

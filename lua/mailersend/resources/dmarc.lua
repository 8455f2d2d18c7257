-- DMARC monitoring. list (page, limit, query, sort_by, order); create
-- {domain_id}; update {wanted_dmarc_record}; report and report_by_ip
-- (page, limit, date_from, date_to, search, category, report_source);
-- report_sources (date_from, date_to, status); favourite IPs. There is
-- no endpoint for one monitor: find it in list.
local one = "/dmarc-monitoring/{monitor_id}"
return require("mailersend.resources._crud")("dmarc", "/dmarc-monitoring", "monitor_id",
  { "list", "create", "update", "delete" }, {
    { name = "report", method = "GET", path = one .. "/report", paging = "page", items = "data" },
    { name = "report_by_ip", method = "GET", path = one .. "/report/{ip}", paging = "page", items = "data" },
    { name = "report_sources", method = "GET", path = one .. "/report-sources" },
    { name = "add_favorite", method = "PUT", path = one .. "/favorite/{ip}", encoding = "json" },
    { name = "remove_favorite", method = "DELETE", path = one .. "/favorite/{ip}" },
  })

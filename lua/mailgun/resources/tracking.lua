-- Open, click and unsubscribe tracking of a domain, and the HTTPS
-- certificate of its tracking host ({domain} of /v2/x509 is the tracking
-- host, web_prefix.domain, not the sending domain).
return {
  name = "tracking",
  endpoints = {
    { name = "get", method = "GET", path = "/v3/domains/{name}/tracking" },
    { name = "update_click", method = "PUT", path = "/v3/domains/{name}/tracking/click",
      encoding = "multipart" },
    { name = "update_open", method = "PUT", path = "/v3/domains/{name}/tracking/open",
      encoding = "multipart" },
    { name = "update_unsubscribe", method = "PUT", path = "/v3/domains/{name}/tracking/unsubscribe",
      encoding = "multipart" },
    { name = "certificate_status", method = "GET", path = "/v2/x509/{domain}/status" },
    { name = "create_certificate", method = "POST", path = "/v2/x509/{domain}",
      encoding = "query" },
    { name = "regenerate_certificate", method = "PUT", path = "/v2/x509/{domain}",
      encoding = "query" },
  },
}

"""The mail gateway: read a message (parse), authenticate it (auth: SPF, DKIM, DMARC
alignment), turn it into a claim and findings (check), and its route (router)."""

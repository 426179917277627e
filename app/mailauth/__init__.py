"""Mail authentication for the gateway: SPF, DKIM, DMARC-style alignment, A-R header."""

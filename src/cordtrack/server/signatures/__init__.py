"""Electronic signatures with meaning (21 CFR 11.50, 11.70, 11.200); see services.signatures."""

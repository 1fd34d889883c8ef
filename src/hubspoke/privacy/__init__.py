"""Privacy: personal-data detection, pseudonymisation, suppression and safe exports."""

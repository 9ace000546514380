"""What every request and answer goes through: middleware, the client's address, throttling,
the admin's sign-in lockout, database outages, health endpoints and the request log."""

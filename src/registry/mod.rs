//! Registry v2 API client and Docker CLI credentials.

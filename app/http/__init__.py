"""What every HTTP adapter shares: problem details, body limits, client addresses, API keys,
dependencies and the OpenAPI document."""

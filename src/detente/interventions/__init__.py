"""What-if interventions scored against each other, and forecasts scored against dated facts."""

"""Events, series and the yearly calendar."""

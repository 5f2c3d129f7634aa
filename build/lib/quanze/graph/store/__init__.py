"""Store: the embedded pyoxigraph store and the build that fills it."""

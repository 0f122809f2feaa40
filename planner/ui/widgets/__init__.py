"""Building blocks shared by panels and dialogs: delegates, read-only tables, throttling."""

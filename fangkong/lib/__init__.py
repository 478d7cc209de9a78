"""Pure helpers: no models, no database, no settings."""

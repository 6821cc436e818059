"""viewflow imports this module before migrations; it imports one module per status change."""

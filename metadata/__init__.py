"""Case-file metadata: the model, its XML binding, schema and semantic rules."""

"""The question templates, one small file per template, grouped by topic folder."""

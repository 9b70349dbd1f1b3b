"""Chat views: pages (list, conversation, search), actions (POSTs), the SSE stream, export/import."""

"""The officers' and supervisors' web app: server-rendered pages over the same services and
selectors as the API."""

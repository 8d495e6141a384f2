"""Public pages for citizens: no account, the tracking code is the key.

Home, the aspiration form, the confirmation with the tracking code, the tracking page with
the citizen's actions (supply information, confirm or dispute the answer) and the
transparency figures. Light pages: no JavaScript needed, one small stylesheet, nothing
loaded from elsewhere.
"""

"""What the officers' pages (:mod:`casework.web`) and the public pages (:mod:`casework.public`)
share: showing a refusal next to its form, the redirect after a form, the fields a phone
user types into, and the bar charts. Neither set of pages imports the other, nor the API."""

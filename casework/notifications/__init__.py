"""Notifications: an outbox written with the change, delivered by workers through a backend per
channel.

* :mod:`.outbox` writes the rows in the transaction of their cause, so a message exists exactly
  when its change was committed, and hands their ids to the workers after the commit;
* :mod:`.handoff` publishes those ids to the broker (one task message for many); a broker
  outage only delays them: the sweep hands pending rows over again
  (:func:`.delivery.requeue_pending`);
* :mod:`.delivery` sends one row at a time, with retries backing off;
* :mod:`.rendering` turns a row into a subject and a body;
* :mod:`.backends` deliver a message: e-mail, and an HTTP gateway for SMS and WhatsApp.
"""

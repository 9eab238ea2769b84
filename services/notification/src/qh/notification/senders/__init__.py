"""The channels' providers behind one port: :class:`Sender`."""

from qh.notification.senders.base import Message, Outcome, Sender, SendResult

__all__ = ["Message", "Outcome", "SendResult", "Sender"]

"""The queue of conversations handed from the bot to human staff: pure domain logic, no I/O.

queue: ticket states and transitions; hours: business hours and holidays; wait: waiting estimates.
"""

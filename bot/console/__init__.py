"""The staff console (/staff): login, the live queue, claiming and answering conversations."""

"""The gateway: channels in, conversations stored, Rasa asked, answers delivered."""

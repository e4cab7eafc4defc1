"""Where hookgate's state lives: the state backend (ADR 0028) and its parts."""

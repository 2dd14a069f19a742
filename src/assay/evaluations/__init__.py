"""Model evaluations: prompts, contestants' replies, blind battles and leaderboards."""

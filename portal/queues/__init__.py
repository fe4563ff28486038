"""Staff work queues: claim, decide, ask for material, transfer, co-review, deadlines, export."""

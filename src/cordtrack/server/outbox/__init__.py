"""The transactional outbox: notifications written in the same transaction as the save that
causes them, and delivered afterwards with retries (ADR 0036)."""

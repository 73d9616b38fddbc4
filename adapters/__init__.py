"""Technology adapters: PostgreSQL (asyncpg), Kafka (faststream), embedded dev services."""

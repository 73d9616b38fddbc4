"""Use cases: orchestration over the domain and the ports, free of every framework."""

"""A mock made of several processes: Redis and a load balancer from Debian, started and stopped here.

`redis_server` runs Debian's `redis-server`, `balancer` runs `haproxy` in front of mock processes,
and `cluster` is `make cluster`: both, and three `cudis-mock serve --state redis://...`, for a person.
The tests under tests/scale_out start the same parts.
"""

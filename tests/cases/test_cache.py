"""The Redis cache shares one client and pool per server and options in a process (cases/cache.py).
Building clients and pools opens no connection, so this needs no Redis."""

from cases.infra import cache


def make(location="redis://127.0.0.1:6379/3", **options):
    return cache.RedisCache(location, {"OPTIONS": options})


def test_caches_of_one_server_and_options_share_one_client_and_pool():
    first, second = make(), make()
    assert first is not second
    assert first._cache is second._cache
    client = first._cache.get_client(write=True)
    assert second._cache.get_client(write=True) is client
    assert client.connection_pool is first._cache._get_connection_pool(True)


def test_another_server_or_other_options_get_a_client_of_their_own():
    base = make()._cache
    assert make("redis://127.0.0.1:6379/4")._cache is not base
    assert make(db=5)._cache is not base


def test_each_pool_gets_its_own_redis_client():
    shared = make("redis://127.0.0.1:6379/3,redis://127.0.0.1:6379/6")._cache
    writer = shared.get_client(write=True)
    reader = shared.get_client(write=False)
    assert writer.connection_pool is shared._get_connection_pool(True)
    assert reader.connection_pool is shared._get_connection_pool(False)
    assert shared.get_client(write=False) is reader

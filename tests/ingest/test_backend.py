"""The streaming JSON parser runs on ijson's C backend (the pure-Python one is
several times slower on large exports)."""

from reviewer.ingest import jsonstream


def test_ijson_c_backend_is_used() -> None:
    assert jsonstream.BACKEND.__name__.endswith("yajl2_c")

"""Plain domain objects and pure functions: no Qt, no SQL, no Presidio."""

"""What the services need from the machine, under them and above the pure domain:
where the shipped resources are installed, the process environment (secrets kept out of
children), file digests."""

"""Site-wide parts that belong to no one room: sign-up, the home page, the serve, worker and
demo commands, housekeeping and template helpers. The top layer: it may import every app."""

# The agenda only reads the other rooms; it has no tables of its own.

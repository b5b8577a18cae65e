"""The app's own SPARQL: its fixed queries (:mod:`endpoint.sparql.fixed`)."""

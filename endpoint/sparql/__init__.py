"""The endpoint's SPARQL: the guard on user queries (:mod:`~endpoint.sparql.guard`), their evaluation and
result formats (:mod:`~endpoint.sparql.results`), the worker pool that bounds their time
(:mod:`~endpoint.sparql.pool`), the service the ``/sparql`` route talks to (:mod:`~endpoint.sparql.service`),
and the app's own fixed queries (:mod:`~endpoint.sparql.fixed`)."""

// The /query page: YASGUI against this site's /sparql, and the example queries' "load" buttons.
// (A static file: the pages' Content-Security-Policy forbids inline scripts.)
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("yasgui");
    if (!el || typeof Yasgui === "undefined") { return; }
    var endpoint = new URL(el.getAttribute("data-endpoint") || "/sparql", window.location.href).href;
    var yasgui = new Yasgui(el, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      yasqe: { autocompleters: ["prefixes", "variables"] }
    });
    window.gongkaiYasgui = yasgui;
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    var initial = el.getAttribute("data-initial-query");
    var first = document.querySelector("article.example pre");
    if (initial) { tab.setQuery(initial); }
    else if (first && !tab.getQuery().match(/gongkai/)) { tab.setQuery(first.textContent); }
    document.querySelectorAll("button.load-example").forEach(function (button) {
      button.addEventListener("click", function () {
        var pre = document.getElementById(button.getAttribute("data-query-id"));
        var current = yasgui.getTab();
        current.setEndpoint(endpoint);
        current.setQuery(pre.textContent);
        el.scrollIntoView();
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();

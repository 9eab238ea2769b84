// Starts Swagger UI for a QH service. Kept out of the page so the page's CSP needs no
// inline script: the spec URL and OAuth settings come from data attributes.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  });
  ui.initOAuth(JSON.parse(root.dataset.initOauth || "{}"));
  window.ui = ui;
})();

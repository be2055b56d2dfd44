// Draws the page's charts: each element with data-chart="<id>" gets the Plotly figure of
// that id from the page's JSON (<script type="application/json" id="page-data">, key
// "charts"). Plotly itself is /static/plotly.min.js, served by the app (no CDN).
(function () {
  "use strict";
  var node = document.getElementById("page-data");
  if (!node || typeof Plotly === "undefined") { return; }
  var page = JSON.parse(node.textContent);
  var charts = (page && page.charts) || {};
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var fig = charts[el.getAttribute("data-chart")];
    if (!fig) { return; }
    var layout = Object.assign({ margin: { t: 30, r: 10, b: 40, l: 60 } }, fig.layout || {});
    Plotly.newPlot(el, fig.data, layout, { displayModeBar: false, responsive: true })
      .then(function () { el.setAttribute("data-rendered", "true"); });
  });
})();

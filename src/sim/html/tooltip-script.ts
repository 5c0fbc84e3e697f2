/**
 * The report's only script: on hover over a line chart it moves a dashed guide to the
 * nearest sample and shows that sample's values in a small box. It reads the chart data
 * from the page's `application/json` block and the plot geometry from the SVG's data
 * attributes. The page is complete without it; it fetches nothing.
 */
export const TOOLTIP_SCRIPT = `
(function () {
  var dataEl = document.getElementById('chart-data');
  if (!dataEl) return;
  var charts = JSON.parse(dataEl.textContent || '{}');
  var svgs = document.querySelectorAll('svg[data-hover]');
  for (var i = 0; i < svgs.length; i++) attach(svgs[i]);

  function attach(svg) {
    var data = charts[svg.getAttribute('data-hover')];
    if (!data || !data.xs.length) return;
    var panel = svg.closest('section');
    var tip = document.createElement('div');
    tip.className = 'tooltip';
    panel.appendChild(tip);
    var guide = svg.querySelector('.guide');
    var left = +svg.getAttribute('data-left'), right = +svg.getAttribute('data-right');
    var xMax = +svg.getAttribute('data-xmax');
    var width = svg.viewBox.baseVal.width;
    svg.addEventListener('mousemove', function (ev) {
      var box = svg.getBoundingClientRect();
      var vx = (ev.clientX - box.left) * width / box.width;
      if (vx < left || vx > right) { hide(); return; }
      var t = (vx - left) / (right - left) * xMax;
      var best = 0;
      for (var k = 1; k < data.xs.length; k++) {
        if (Math.abs(data.xs[k] - t) < Math.abs(data.xs[best] - t)) best = k;
      }
      var gx = left + data.xs[best] / xMax * (right - left);
      guide.setAttribute('x1', gx);
      guide.setAttribute('x2', gx);
      guide.setAttribute('visibility', 'visible');
      var html = '<div class="row"><span>t = ' + data.xs[best] + ' s</span></div>';
      var rows = data.series.slice(0, 12);
      for (var s = 0; s < rows.length; s++) {
        html += '<div class="row"><span class="swatch" style="display:inline-block;width:10px;height:3px;background:' +
          rows[s].colour + '"></span><span>' + escape(rows[s].name) + '</span><b>' +
          Math.round(rows[s].values[best]).toLocaleString('en-US') + '</b></div>';
      }
      if (data.series.length > rows.length) html += '<div class="row">… ' + (data.series.length - rows.length) + ' more</div>';
      tip.innerHTML = html;
      tip.style.display = 'block';
      var pbox = panel.getBoundingClientRect();
      var x = ev.clientX - pbox.left + 14;
      if (x + tip.offsetWidth > pbox.width) x = ev.clientX - pbox.left - tip.offsetWidth - 14;
      tip.style.left = x + 'px';
      tip.style.top = (ev.clientY - pbox.top + 10) + 'px';
    });
    svg.addEventListener('mouseleave', hide);
    function hide() { tip.style.display = 'none'; guide.setAttribute('visibility', 'hidden'); }
  }
  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }
})();
`;

/* Bulwark serving dashboard: polls /v1/dashboard and draws it with ECharts. */
(function () {
  'use strict';
  var POLL_MS = 2000;
  var charts = {};
  var state = { model: null, updates: 0, failures: 0, lastData: null };
  window.bulwarkCharts = charts;
  window.bulwarkDashboard = state;

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    }
    return charts[id];
  }

  function num(v, digits) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  }

  function esc(s) {
    return String(s === null || s === undefined ? '' : s)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  var base = {
    animation: false,
    grid: { left: 55, right: 55, top: 35, bottom: 30 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 }
  };

  function withBase(extra) {
    return Object.assign({}, base, extra);
  }

  function drawReports(d) {
    var reports = d.reports || [];
    var byVersion = function (field) {
      return reports.filter(function (r) { return r[field] !== null; }).map(function (r) { return [r.version, r[field]]; });
    };
    var byTime = function (field) {
      return reports.filter(function (r) { return r[field] !== null; }).map(function (r) { return [r.createdAt, r[field]]; });
    };
    chart('chart-accuracy-version').setOption(withBase({
      xAxis: { type: 'value', name: 'version', minInterval: 1, scale: true },
      yAxis: { type: 'value', min: 0, max: 1, name: 'accuracy' },
      series: [
        { name: 'clean', type: 'line', showSymbol: true, data: byVersion('cleanAccuracy') },
        { name: 'robust', type: 'line', showSymbol: true, data: byVersion('robustAccuracy') },
        { name: 'prequential', type: 'line', showSymbol: false, lineStyle: { type: 'dashed' }, data: byVersion('prequentialAccuracy') }
      ]
    }), true);
    chart('chart-accuracy-time').setOption(withBase({
      xAxis: { type: 'time' },
      yAxis: { type: 'value', min: 0, max: 1, name: 'accuracy' },
      series: [
        { name: 'clean', type: 'line', showSymbol: true, data: byTime('cleanAccuracy') },
        { name: 'robust', type: 'line', showSymbol: true, data: byTime('robustAccuracy') }
      ]
    }), true);
    var families = {};
    reports.forEach(function (r) { Object.keys(r.attacks || {}).forEach(function (f) { families[f] = true; }); });
    chart('chart-attacks').setOption(withBase({
      xAxis: { type: 'value', name: 'version', minInterval: 1, scale: true },
      yAxis: { type: 'value', min: 0, max: 1, name: 'accuracy under attack' },
      graphic: Object.keys(families).length ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: 'no attack-suite results (job option eval.attack-texts = 0)', fill: '#888' } }],
      series: Object.keys(families).sort().map(function (f) {
        return { name: f, type: 'line', showSymbol: true, data: reports
          .filter(function (r) { return r.attacks && r.attacks[f] !== null && r.attacks[f] !== undefined; })
          .map(function (r) { return [r.version, r.attacks[f]]; }) };
      })
    }), true);
    // Without the Bregman term there is no EMA teacher and its drift is 0 by definition: say so instead of a flat line.
    var noTeacher = reports.length > 0 && reports.every(function (r) { return !r.teacherDriftKl; });
    var teacherNote = noTeacher ? [{ type: 'text', left: 'center', top: 30,
      style: { text: 'no EMA teacher (Bregman term off): teacher drift is not measured', fill: '#888' } }] : [];
    chart('chart-drift').setOption(withBase({
      graphic: teacherNote,
      xAxis: { type: 'value', name: 'version', minInterval: 1, scale: true },
      yAxis: [{ type: 'value', name: 'symKL' }, { type: 'value', name: '‖δ‖' }],
      series: [
        { name: 'teacher drift (symKL)', type: 'line', data: byVersion('teacherDriftKl') },
        { name: 'delta norm', type: 'line', yAxisIndex: 1, data: byVersion('deltaNorm') }
      ]
    }), true);
    chart('chart-drift-time').setOption(withBase({
      graphic: teacherNote,
      xAxis: { type: 'time' },
      yAxis: [{ type: 'value', name: 'symKL' }, { type: 'value', name: '‖δ‖' }],
      series: [
        { name: 'teacher drift (symKL)', type: 'line', data: byTime('teacherDriftKl') },
        { name: 'delta norm', type: 'line', yAxisIndex: 1, data: byTime('deltaNorm') }
      ]
    }), true);
    var serving = d.serving || [];
    var rps = function (arm) {
      return serving.map(function (s) { return [s.t, s.arms[arm] ? s.arms[arm].rps : 0]; });
    };
    chart('chart-throughput').setOption(withBase({
      xAxis: { type: 'time' },
      yAxis: [{ type: 'value', name: 'examples/s' }, { type: 'value', name: 'requests/s' }],
      series: [
        { name: 'training examples/s', type: 'line', showSymbol: true, data: byTime('examplesPerSecond') },
        { name: 'requests/s A', type: 'line', yAxisIndex: 1, showSymbol: false, data: rps('A') },
        { name: 'requests/s B', type: 'line', yAxisIndex: 1, showSymbol: false, data: rps('B') }
      ]
    }), true);
    var lat = function (arm, q) {
      return serving.filter(function (s) { return s.arms[arm] && s.arms[arm].rps > 0; })
        .map(function (s) { return [s.t, s.arms[arm][q]]; });
    };
    chart('chart-latency').setOption(withBase({
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: 'ms' },
      series: [
        { name: 'A p50', type: 'line', showSymbol: false, data: lat('A', 'p50') },
        { name: 'A p99', type: 'line', showSymbol: false, data: lat('A', 'p99') },
        { name: 'B p50', type: 'line', showSymbol: false, data: lat('B', 'p50') },
        { name: 'B p99', type: 'line', showSymbol: false, data: lat('B', 'p99') }
      ]
    }), true);
  }

  function drawArms(d) {
    var arms = d.arms || [];
    var names = arms.map(function (a) { return a.arm + (a.version ? ' (v' + a.version + ')' : ''); });
    var pick = function (f, scale) {
      return arms.map(function (a) { return a[f] === null || a[f] === undefined ? 0 : a[f] * (scale || 1); });
    };
    chart('chart-arms').setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: [
        { left: 50, top: 40, width: '24%', bottom: 30 },
        { left: '38%', top: 40, width: '24%', bottom: 30 },
        { left: '71%', top: 40, width: '24%', bottom: 30 }
      ],
      xAxis: [
        { type: 'category', data: names, gridIndex: 0, name: 'requests', nameLocation: 'middle', nameGap: 18 },
        { type: 'category', data: names, gridIndex: 1, name: 'latency ms', nameLocation: 'middle', nameGap: 18 },
        { type: 'category', data: names, gridIndex: 2, name: 'accuracy %', nameLocation: 'middle', nameGap: 18 }
      ],
      yAxis: [
        { type: 'value', gridIndex: 0 },
        { type: 'value', gridIndex: 1 },
        { type: 'value', gridIndex: 2, min: 0, max: 100 }
      ],
      series: [
        { name: 'requests', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: pick('requests') },
        { name: 'p50 ms', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: pick('p50Millis') },
        { name: 'p99 ms', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: pick('p99Millis') },
        { name: 'feedback accuracy', type: 'bar', xAxisIndex: 2, yAxisIndex: 2, data: pick('accuracy', 100) }
      ]
    }, true);
    var rows = '<tr><th>arm</th><th>serves</th><th>version</th><th>weight</th><th>requests</th>' +
      '<th>p50 ms</th><th>p99 ms</th><th>accuracy</th><th>feedback</th></tr>';
    arms.forEach(function (a) {
      rows += '<tr><td>' + esc(a.arm) + '</td><td>' + esc(a.spec) + '</td><td>' + esc(a.version === null ? '–' : 'v' + a.version) +
        '</td><td>' + esc(a.weight) + '</td><td>' + esc(a.requests || 0) + '</td><td>' + num(a.p50Millis, 2) +
        '</td><td>' + num(a.p99Millis, 2) + '</td><td>' + (a.accuracy === null || a.accuracy === undefined ? '–' : num(a.accuracy * 100, 1) + '%') +
        '</td><td>' + esc(a.feedback || 0) + '</td></tr>';
    });
    var sh = d.shadow || {};
    rows += '<tr><td colspan="9" id="shadow-line">shadow mode: <b>' + (sh.enabled ? 'on' : 'off') + '</b>' +
      (sh.enabled ? ', mirroring ' + num(100 * sh.share, 0) + '% of requests (' + (sh.mirrored || 0) + ' mirrored, ' +
        (sh.skipped || 0) + ' skipped), B\'s answers discarded' : '') +
      (sh.agree || sh.disagree ? ' — B agreed with A on ' + sh.agree + ' of ' + (sh.agree + sh.disagree) + ' texts' : '') + '</td></tr>';
    document.getElementById('arms-table').innerHTML = rows;
  }

  function pairedRow(name, p) {
    if (!p) { return ''; }
    return '<tr><td>' + name + '</td><td>' + esc(p.n) + '</td><td>' + esc(p.b) + '</td><td>' + esc(p.c) + '</td><td>' +
      num(p.currentAccuracy, 3) + '</td><td>' + num(p.candidateAccuracy, 3) + '</td><td>' + num(p.difference, 3) +
      '</td><td>' + num(p.lowerBound, 3) + '</td><td>' + (p.pWorse === null ? '–' : Number(p.pWorse).toPrecision(3)) + '</td></tr>';
  }

  function drawGate(d) {
    var e = d.experiment || {};
    var g = e.gate;
    var c = d.canary || {};
    var html = c.size ?
      '<p>Canary set v' + esc(c.version) + ': <b>' + esc(c.size) + '</b> held-out examples (of ' + esc(c.capacity) +
        '), each also under ' + esc((c.attacks || []).join(', ') + '') + '. A candidate is promoted when it is not worse' +
        ' than A by more than <b>' + num(e.gateMargin, 3) + '</b> on the same examples, clean and under attack' +
        ' (McNemar, exact bound on the difference).</p>' :
      '<p>No canary set: A may auto-promote to a newer version only if its robust accuracy is at most <b>' +
        num(e.gateMargin, 3) + '</b> below A\'s.</p>';
    if (g) {
      html += '<p><span class="outcome ' + esc(g.outcome) + '">' + esc(g.outcome) + '</span> v' + esc(g.candidateVersion) +
        ' — ' + esc(g.reason) + '</p>';
      if (g.clean) {
        html += '<table id="gate-stats"><tr><th></th><th>n</th><th>b (A only)</th><th>c (cand. only)</th><th>A acc.</th>' +
          '<th>cand. acc.</th><th>difference</th><th>lower bound</th><th>McNemar p</th></tr>' +
          pairedRow('clean', g.clean) + pairedRow('under attack', g.robust) + '</table>';
      }
    } else {
      html += '<p>No candidate checked yet.</p>';
    }
    var al = e.aliases || {};
    html += '<p>Champion: ' + esc(al.champion ? (al.champion.version === null ? '–' : 'v' + al.champion.version) +
      ' (' + al.champion.spec + ')' : '–') + ' · challenger: ' + esc(al.challenger ? (al.challenger.version === null ? '–' :
      'v' + al.challenger.version) + ' (' + al.challenger.spec + ')' : '–') + '</p>';
    html += '<p>Rollback history: ' + esc((e.rollbackHistory || []).map(function (v) { return 'v' + v; }).join(', ') || 'none') + '</p>';
    (e.autoRollbacks || []).forEach(function (r) {
      html += '<p class="refused">automatic rollback ' + esc(r.message) + '</p>';
    });
    document.getElementById('gate').innerHTML = html;
  }

  function drawTables(d) {
    var reportOf = {};
    (d.reports || []).forEach(function (r) { reportOf[r.version] = r; });
    var rows = '<tr><th>version</th><th>created</th><th>arms</th><th>pinned</th><th>clean</th><th>robust</th>' +
      '<th>canary clean</th><th>canary attacked</th><th>examples</th></tr>';
    (d.versions || []).forEach(function (v) {
      var r = v.report || reportOf[v.version] || {};
      rows += '<tr><td>v' + esc(v.version) + '</td><td>' + esc(new Date(v.createdAt).toLocaleTimeString()) + '</td><td>' +
        esc((v.arms || []).join(', ')) + '</td><td>' + (v.pinned ? 'yes' : '') + '</td><td>' + num(r.cleanAccuracy, 3) +
        '</td><td>' + num(r.robustAccuracy, 3) + '</td><td>' + (v.canary ? num(v.canary.cleanAccuracy, 3) : '–') +
        '</td><td>' + (v.canary ? num(v.canary.robustAccuracy, 3) : '–') + '</td><td>' + esc(v.examplesSeen) + '</td></tr>';
    });
    document.getElementById('versions-table').innerHTML = rows;
    var items = '';
    (d.refused || []).forEach(function (r) {
      items += '<li class="refused">refused v' + esc(r.version) + ' (' + esc(r.kind) + '): ' + esc(r.reason) + '</li>';
    });
    ((d.experiment || {}).events || []).forEach(function (ev) {
      items += '<li>' + esc(new Date(ev.at).toLocaleTimeString()) + ' ' + esc(ev.message) + '</li>';
    });
    document.getElementById('events').innerHTML = items || '<li>none</li>';
  }

  function drawModels(d) {
    var sel = document.getElementById('model');
    var models = d.models || [];
    if (sel.options.length !== models.length) {
      sel.innerHTML = models.map(function (m) { return '<option>' + esc(m) + '</option>'; }).join('');
    }
    if (d.model) {
      sel.value = d.model;
    }
  }

  function refresh() {
    var url = '/v1/dashboard' + (state.model ? '?model=' + encodeURIComponent(state.model) : '');
    fetch(url, { cache: 'no-store' }).then(function (resp) {
      if (!resp.ok) {
        throw new Error('HTTP ' + resp.status);
      }
      return resp.json();
    }).then(function (d) {
      state.lastData = d;
      drawModels(d);
      if (d.model) {
        drawReports(d);
        drawArms(d);
        drawGate(d);
        drawTables(d);
        if (window.bulwarkMonitor) {
          window.bulwarkMonitor.draw(d, chart);
        }
      }
      state.updates++;
      var loaded = (d.versions || []).length;
      document.getElementById('status').textContent = d.model
        ? loaded + ' version(s) loaded · ' + (d.reports || []).length + ' report(s) · updated ' + new Date(d.now).toLocaleTimeString()
        : 'no model seen yet · updated ' + new Date(d.now).toLocaleTimeString();
    }).catch(function (err) {
      state.failures++;
      document.getElementById('status').textContent = 'update failed: ' + err.message;
    }).finally(function () {
      setTimeout(refresh, POLL_MS);
    });
  }

  document.getElementById('model').addEventListener('change', function (e) {
    state.model = e.target.value;
  });
  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  refresh();
})();

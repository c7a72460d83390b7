/* Bulwark serving dashboard: the monitor's panels (status line, drift and attack evidence, centroid distance of the
   pooled embeddings, estimated accuracy, attack success per family), drawn from the "monitor" and "reports" parts of
   /v1/dashboard. */
(function () {
  'use strict';
  var HISTORY = 300;
  var EMBEDDING = 'embedding_centroid_distance';
  var history = [];
  var NAMES = {
    token_js: 'word buckets JS (bits)', length_psi: 'length PSI', char_class_psi: 'character-class PSI',
    embedding_centroid_distance: 'embedding centroid distance / noise floor', obfuscation_share_rise: 'obfuscated share rise', normalization_change_rise: 'de-obfuscation change rise'
  };

  function num(v, digits) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  }

  function esc(s) {
    return String(s === null || s === undefined ? '' : s)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function drawStatus(m) {
    var box = document.getElementById('monitor-status');
    box.className = 'monitor-status ' + esc(m.status);
    box.textContent = m.line;
    var rows = '<tr><th>signal</th><th>statistic</th><th>value</th><th>reference</th><th>threshold</th><th>z</th>' +
      '<th>fired</th></tr>';
    (m.evidence || []).forEach(function (e) {
      rows += '<tr class="' + (e.fired ? 'fired' : '') + '"><td>' + esc(e.signal) + '</td><td>' + esc(e.statistic) +
        '</td><td>' + num(e.value, 4) + '</td><td>' + num(e.reference, 4) + '</td><td>' + num(e.threshold, 3) +
        '</td><td>' + num(e.z, 1) + '</td><td>' + (e.fired ? 'yes' : 'no') + '</td></tr>';
    });
    var w = m.windows || {};
    var ref = w.reference || {};
    var cur = w.current || {};
    document.getElementById('monitor-evidence').innerHTML = rows;
    document.getElementById('monitor-detail').textContent = m.message + ' · reference window ' + ref.texts + '/' +
      ref.capacity + ' texts, current window ' + cur.texts + '/' + cur.capacity + ' texts (' + w.textsSeen +
      ' served so far, re-baselined ' + w.rebaselines + ' times)';
  }

  function drawStatistics(chart, m, now) {
    var ev = m.evidence || [];
    if (ev.length) {
      var point = { t: now };
      ev.forEach(function (e) { point[e.statistic] = e.value; });
      history.push(point);
      while (history.length > HISTORY) { history.shift(); }
    }
    chart('chart-monitor-statistics').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 35, bottom: 60 },
      graphic: ev.length ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: m.message || 'warming up', fill: '#888' } }],
      xAxis: { type: 'category', data: ev.map(function (e) { return NAMES[e.statistic] || e.statistic; }),
        axisLabel: { interval: 0, rotate: 12 } },
      yAxis: { type: 'value', name: 'value / threshold' },
      series: [
        { name: 'value / threshold', type: 'bar', data: ev.map(function (e) {
          return { value: e.value === null ? 0 : e.value / e.threshold,
            itemStyle: { color: e.fired ? '#b42318' : (e.signal === 'attack' ? '#9a6700' : '#1a73e8') } };
        }), markLine: { symbol: 'none', data: [{ yAxis: 1, name: 'threshold' }], lineStyle: { type: 'dashed' } } }
      ]
    }, true);
    var keys = Object.keys(NAMES).filter(function (k) { return k !== EMBEDDING; });
    chart('chart-monitor-time').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 45, bottom: 30 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value' },
      series: keys.map(function (k) {
        return { name: NAMES[k], type: 'line', showSymbol: false, data: history
          .filter(function (p) { return p[k] !== null && p[k] !== undefined; })
          .map(function (p) { return [p.t, p[k]]; }) };
      })
    }, true);
  }

  function drawEmbedding(chart, m) {
    var e = ((m.windows || {}).embedding) || {};
    var ev = (m.evidence || []).filter(function (x) { return x.statistic === EMBEDDING; })[0];
    var threshold = (m.settings || {}).embeddingDistance;
    var points = history.filter(function (p) { return p[EMBEDDING] !== null && p[EMBEDDING] !== undefined; })
      .map(function (p) { return [p.t, p[EMBEDDING]]; });
    var text = e.version === null || e.version === undefined
      ? 'no pooled embeddings yet (the champion has none, or nothing was served)'
      : 'embedding version v' + esc(e.version) + ': ' + e.referenceTexts + ' reference and ' + e.currentTexts +
        ' current texts; centroid distance ' + num(e.distance, 5) + ', noise floor ' + num(e.noiseFloor, 5) +
        ', ratio ' + num(e.ratio, 2) + ' (threshold ' + num(threshold, 1) + ')' +
        (ev && ev.fired ? ' — inputs are shifting' : '');
    document.getElementById('monitor-embedding').textContent = text;
    chart('chart-monitor-embedding').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 35, bottom: 30 },
      graphic: points.length ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: e.version === null || e.version === undefined ? 'no pooled embeddings yet'
          : 'warming up: ' + e.referenceTexts + ' reference, ' + e.currentTexts + ' current texts', fill: '#888' } }],
      xAxis: { type: 'time' },
      yAxis: { type: 'value', min: 0, name: 'distance / noise floor' },
      series: [{ name: 'centroid distance / noise floor', type: 'line', showSymbol: false, data: points,
        markLine: threshold ? { symbol: 'none', data: [{ yAxis: threshold, name: 'threshold' }],
          lineStyle: { type: 'dashed', color: '#b42318' } } : undefined }]
    }, true);
  }

  function drawObfuscation(chart, m) {
    var w = m.windows || {};
    var ref = (w.reference || {}).obfuscationShare || {};
    var cur = (w.current || {}).obfuscationShare || {};
    var kinds = Object.keys(ref);
    chart('chart-monitor-obfuscation').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 35, bottom: 30 },
      xAxis: { type: 'category', data: kinds },
      yAxis: { type: 'value', min: 0, max: 1, name: 'share of texts' },
      series: [
        { name: 'reference window', type: 'bar', data: kinds.map(function (k) { return ref[k] || 0; }) },
        { name: 'current window', type: 'bar', data: kinds.map(function (k) { return cur[k] || 0; }) }
      ]
    }, true);
  }

  function drawEstimates(chart, m) {
    var versions = (m.versions || []).slice().reverse();
    var names = versions.map(function (v) { return 'v' + v.version + (v.arms.length ? ' (' + v.arms.join(',') + ')' : ''); });
    var pick = function (f) {
      return versions.map(function (v) { return v[f] === null || v[f] === undefined ? null : v[f]; });
    };
    chart('chart-monitor-accuracy').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 35, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', min: 0, max: 1, name: 'accuracy' },
      series: [
        { name: 'estimated (CBPE)', type: 'bar', data: pick('estimatedAccuracy') },
        { name: 'feedback', type: 'bar', data: pick('feedbackAccuracy') },
        { name: 'canary clean', type: 'bar', data: pick('canaryAccuracy') },
        { name: 'canary under attack', type: 'bar', data: pick('canaryRobustAccuracy') }
      ]
    }, true);
  }

  function drawAttackSuccess(chart, reports) {
    var families = {};
    reports.forEach(function (r) { Object.keys(r.attackSuccess || {}).forEach(function (f) { families[f] = true; }); });
    chart('chart-attack-success').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 45, bottom: 30 },
      graphic: Object.keys(families).length ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: 'no attack-suite results (job option eval.attack-texts = 0)', fill: '#888' } }],
      xAxis: { type: 'value', name: 'version', minInterval: 1, scale: true },
      yAxis: { type: 'value', min: 0, max: 1, name: 'success rate' },
      series: Object.keys(families).sort().map(function (f) {
        return { name: f, type: 'line', showSymbol: true, data: reports
          .filter(function (r) { return r.attackSuccess && r.attackSuccess[f] !== null && r.attackSuccess[f] !== undefined; })
          .map(function (r) { return [r.version, r.attackSuccess[f]]; }) };
      })
    }, true);
  }

  function drawLosses(chart, reports) {
    var pick = function (f) {
      return reports.filter(function (r) { return r[f] !== null && r[f] !== undefined; })
        .map(function (r) { return [r.version, r[f]]; });
    };
    var any = pick('lossGap').length > 0;
    chart('chart-loss-gap').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 55, right: 20, top: 35, bottom: 30 },
      graphic: any ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: 'the reports carry no held-out losses (job without PGD evaluation, or older job)', fill: '#888' } }],
      xAxis: { type: 'value', name: 'version', minInterval: 1, scale: true },
      yAxis: { type: 'value', name: 'cross-entropy' },
      series: [
        { name: 'clean loss', type: 'line', showSymbol: true, data: pick('cleanLoss') },
        { name: 'adversarial loss', type: 'line', showSymbol: true, data: pick('adversarialLoss') },
        { name: 'gap', type: 'line', showSymbol: true, lineStyle: { type: 'dashed' }, data: pick('lossGap') }
      ]
    }, true);
  }

  function drawTraining(m) {
    var t = m.training || {};
    var html = t.version === null || t.version === undefined ? 'no robustness report yet' :
      'report v' + esc(t.version) + ': clean ' + num(t.cleanAccuracy, 3) + ', PGD robust ' + num(t.robustAccuracy, 3) +
      ' (gap ' + num(t.pgdGap, 3) + '), held-out loss clean ' + num(t.cleanLoss, 4) + ' / adversarial ' +
      num(t.adversarialLoss, 4) + ' (gap ' + num(t.lossGap, 4) + '), training loss ' + num(t.loss, 4) + ', mean ‖δ‖ ' + num(t.deltaNorm, 4) +
      (t.hasTeacher ? ', teacher divergence (symKL) ' + num(t.teacherDriftKl, 4) : ', no EMA teacher');
    document.getElementById('monitor-training').innerHTML = html;
  }

  window.bulwarkMonitor = {
    history: history,
    draw: function (d, chart) {
      var m = d.monitor;
      if (!m) { return; }
      drawStatus(m);
      drawStatistics(chart, m, d.now);
      drawEmbedding(chart, m);
      drawObfuscation(chart, m);
      drawEstimates(chart, m);
      drawAttackSuccess(chart, d.reports || []);
      drawLosses(chart, d.reports || []);
      drawTraining(m);
    }
  };
})();

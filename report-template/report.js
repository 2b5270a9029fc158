// Renders the golive report from the JSON injected into #golive-data. DOM built with textContent only.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('golive-data').textContent);
  var run = data.summary;
  var PHASE_COLORS = {
    baseline: 'rgba(120,120,120,0.06)',
    disruption: 'rgba(240,140,0,0.10)',
    recovery: 'rgba(51,154,240,0.08)',
    tail: 'rgba(120,120,120,0.04)',
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function row(tbody, cells) {
    var tr = el('tr');
    cells.forEach(function (c) {
      var td = el('td', c && c.cls ? { class: c.cls } : null, c && typeof c === 'object' ? c.text : c);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
    return tr;
  }
  function ms(v) {
    if (v === null || v === undefined) return 'n/a';
    if (v === 0) return '0s';
    if (v < 10) return v.toFixed(2) + ' ms';
    if (v < 1000) return v.toFixed(1) + ' ms';
    if (v < 60000) return (v / 1000).toFixed(2) + ' s';
    return Math.floor(v / 60000) + 'm' + Math.round((v % 60000) / 1000) + 's';
  }
  function pct(f) {
    return f === 0 ? '0 %' : (f * 100 < 0.01 ? (f * 100).toPrecision(2) : (f * 100).toFixed(2)) + ' %';
  }
  function verdictBadge(span, passed) {
    span.textContent = passed ? 'passed' : 'failed';
    span.className = 'verdict ' + (passed ? 'passed' : 'failed');
  }

  // ── the run ──
  document.getElementById('run-name').textContent = 'golive · ' + run.name;
  var rv = document.getElementById('run-verdict');
  rv.textContent = run.passed ? 'ready' : 'not ready';
  rv.className = 'verdict ' + (run.passed ? 'passed' : 'failed');
  document.getElementById('run-meta').textContent =
    'started ' +
    run.startedAt +
    ' · finished ' +
    run.finishedAt +
    ' · platform ' +
    run.platform.kind +
    (run.platform.context ? ' (' + run.platform.context + ')' : '') +
    (run.platform.namespace ? ' namespace ' + run.platform.namespace : '') +
    ' · golive ' +
    run.tool.version;
  var vt = document.querySelector('#verdict-table tbody');
  run.drills.forEach(function (d) {
    var objectives = d.objectives.length
      ? d.objectives
      : [{ name: d.error ? 'completed' : '(no objectives)', limit: '', measured: d.error || '', passed: d.passed }];
    objectives.forEach(function (o, i) {
      var tr = row(vt, [
        i === 0 ? d.name : '',
        i === 0 ? { text: d.passed ? 'passed' : 'failed', cls: d.passed ? 'pass' : 'fail' } : '',
        {
          text: (o.notJudged ? '· ' : o.passed ? '✓ ' : '✗ ') + o.name + (o.default ? ' (default)' : '') + (o.notJudged ? ' (not judged)' : ''),
          cls: o.notJudged ? '' : o.passed ? 'pass' : 'fail',
        },
        o.limit,
        o.measured,
      ]);
      tr.setAttribute('data-drill', d.name);
    });
  });

  // ── each drill ──
  var template = document.getElementById('drill-template');
  var container = document.getElementById('drills');
  run.drills.forEach(function (d) {
    var node = template.content.cloneNode(true);
    var section = node.querySelector('section');
    section.id = 'drill-' + d.name;
    section.querySelector('.drill-name').textContent = d.name;
    verdictBadge(section.querySelector('.verdict'), d.passed);
    var l = d.load;
    section.querySelector('.drill-load').textContent =
      (l.model === 'open' ? 'open model, ' + l.executor + ' ' + l.targetRps + ' req/s' : 'closed model, ' + l.vus + ' VUs') +
      ' · ' +
      ms(l.durationMs) +
      ' · ' +
      l.connections +
      ' connections · latency from each request\u2019s intended start' +
      (d.placement
        ? ' · placement at the start: ' +
          Object.keys(d.placement.byZone)
            .map(function (z) {
              return z + ' ' + d.placement.byZone[z];
            })
            .join(', ') +
          (d.placement.skew ? ' (skewed: ' + d.placement.skew + ')' : '')
        : '') +
      (d.error ? ' · ' + d.error : '');
    var figs = section.querySelector('.figures');
    var figures = [
      ['requests', d.requests.total],
      ['failed', d.requests.failed],
      ['throughput', d.throughput.rps + ' req/s'],
      ['p50', ms(d.latencyMs.p50)],
      ['p95', ms(d.latencyMs.p95)],
      ['p99', ms(d.latencyMs.p99)],
      ['max', ms(d.latencyMs.max)],
      ['downtime', ms(d.downtime.totalMs)],
      ['degraded', ms(d.downtime.degradedMs)],
    ];
    if (d.recovery)
      figures.push(
        ['recovery point', ms(d.recovery.pointMs)],
        ['recovery time', ms(d.recovery.timeMs)],
        ['lost writes', d.recovery.lostWrites + ' of ' + d.recovery.ackedWrites],
      );
    if (d.setupMs !== undefined) figures.push(['setup time', ms(d.setupMs)]);
    if (d.generator && d.generator.bound) figures.push(['generator', 'bound: ' + d.generator.warnings.length + ' warning(s)']);
    figures.forEach(function (f) {
      var box = el('div', { class: 'figure' });
      box.appendChild(el('b', null, f[1]));
      box.appendChild(el('span', null, f[0]));
      figs.appendChild(box);
    });

    var wt = section.querySelector('.windows tbody');
    if (!d.downtime.windows.length) row(wt, [{ text: 'no outage window', cls: 'empty' }, '', '', '', '', '']);
    d.downtime.windows.slice(0, 200).forEach(function (w) {
      row(wt, [
        ms(w.startMs),
        ms(w.endMs),
        ms(w.endMs - w.startMs),
        { text: w.failed, cls: 'num' },
        Object.keys(w.outcomes)
          .map(function (k) {
            return k + ' ' + w.outcomes[k];
          })
          .join(', '),
        {
          text: w.events
            .map(function (e) {
              return ms(e.atMs) + ' ' + e.kind + (e.subject ? ' ' + e.subject : '') + ': ' + e.message;
            })
            .join('\n'),
          cls: 'events-inside',
        },
      ]);
    });

    var pt = section.querySelector('.phases tbody');
    d.phases.forEach(function (p) {
      var r = p.requests;
      row(pt, [
        p.name,
        ms(p.startMs),
        ms(p.endMs),
        { text: r.total, cls: 'num' },
        { text: pct(r.total ? r.failed / r.total : 0), cls: 'num' },
        { text: ms(p.latencyMs.avg), cls: 'num' },
        { text: ms(p.latencyMs.p50), cls: 'num' },
        { text: ms(p.latencyMs.p90), cls: 'num' },
        { text: ms(p.latencyMs.p95), cls: 'num' },
        { text: ms(p.latencyMs.p99), cls: 'num' },
        { text: ms(p.latencyMs.max), cls: 'num' },
      ]);
    });

    if (d.findings && d.findings.length) {
      section.querySelector('.findings-block').hidden = false;
      var fl = section.querySelector('.findings');
      d.findings.forEach(function (f) {
        fl.appendChild(el('li', null, '[' + f.severity + '] ' + f.message + (f.fix ? ' Fix: ' + f.fix : '')));
      });
    }
    if (d.setupMs !== undefined) {
      section.querySelector('.setup-block').hidden = false;
      var st = section.querySelector('.setup tbody');
      d.events
        .filter(function (e) {
          return /^(reset|deploy\.|drill\.recovered)/.test(e.kind);
        })
        .forEach(function (e) {
          row(st, [ms(e.atMs), e.kind, e.message]);
        });
      row(st, ['', { text: 'setup time', cls: 'pass' }, ms(d.setupMs) + ' from reset to healthy and smoke test passed']);
    }
    var et = section.querySelector('.events tbody');
    d.events.forEach(function (e) {
      row(et, [ms(e.atMs), e.kind, e.subject || '', e.message]);
    });

    container.appendChild(node);
    drawCharts(section, d, (data.series && data.series[d.name]) || { t: [], ok: [], failed: [], p50: [], p95: [], p99: [] });
  });

  function drawCharts(section, d, s) {
    var width = Math.max(600, Math.min(1150, section.clientWidth || 1150));
    var syncKey = uPlot.sync('golive-' + d.name);
    var hover = section.querySelector('.hover-event');
    var overlays = overlayPlugin(d, hover);
    var common = { width: width, height: 220, cursor: { sync: { key: syncKey.key } }, plugins: [overlays], legend: { live: true } };
    var total = s.ok.map(function (v, i) {
      return v + s.failed[i];
    });
    new uPlot(
      Object.assign({}, common, {
        title: 'requests per second',
        scales: { x: { time: false } },
        axes: [{ label: 'seconds' }, { label: 'req/s' }],
        series: [
          { label: 's' },
          { label: 'ok + failed', stroke: '#e03131', fill: 'rgba(224,49,49,0.35)', width: 1 },
          { label: 'ok', stroke: '#2f9e44', fill: 'rgba(47,158,68,0.75)', width: 1 },
        ],
      }),
      [s.t, total, s.ok],
      section.querySelector('.chart.throughput'),
    );
    new uPlot(
      Object.assign({}, common, {
        title: 'latency (ms, from intended start)',
        scales: { x: { time: false } },
        axes: [{ label: 'seconds' }, { label: 'ms' }],
        series: [
          { label: 's' },
          { label: 'p50', stroke: '#1c7ed6', width: 1 },
          { label: 'p95', stroke: '#f08c00', width: 1 },
          { label: 'p99', stroke: '#c2255c', width: 1 },
        ],
      }),
      [s.t, s.p50, s.p95, s.p99],
      section.querySelector('.chart.latency'),
    );
    // Small charts under the main two, on the same time axis, with the same overlays and cursor.
    var xRange = [0, Math.max(1, s.t.length ? s.t[s.t.length - 1] : 0, d.load.durationMs / 1000)];
    function smallChart(title, unit, lines, data, el) {
      new uPlot(
        {
          width: width,
          height: 180,
          title: title,
          scales: { x: { time: false, range: xRange } },
          cursor: { sync: { key: syncKey.key } },
          plugins: [overlays],
          axes: [{ label: 'seconds' }, { label: unit }],
          series: [{ label: 's' }].concat(
            lines.map(function (l) {
              return { label: l[0], stroke: l[1], width: 2 };
            }),
          ),
        },
        data,
        section.querySelector(el),
      );
    }
    var u = d.capacity && d.capacity.kind === 'usage' && d.capacity.series;
    if (u && u.length) {
      section.querySelector('.usage-block').hidden = false;
      var sat = d.capacity.saturation;
      if (sat) section.querySelector('.usage-notes').textContent = sat.notes.join(' · ');
      var col = function (k) {
        return u.map(function (p) {
          return k === 't' ? p.atMs / 1000 : p[k];
        });
      };
      smallChart(
        'CPU (millicores): replicas in total, the Service, golive',
        'millicores',
        [
          ['replicas', '#2f9e44'],
          ['Service', '#f08c00'],
          ['golive', '#1c7ed6'],
        ],
        [col('t'), col('replicasMillicores'), col('serviceMillicores'), col('goliveMillicores')],
        '.chart.usage',
      );
    }
    var c = d.capacity && d.capacity.canary;
    if (c) {
      section.querySelector('.canary-block').hidden = false;
      smallChart(
        'canary writes acknowledged (cumulative): kept and lost',
        'writes',
        [
          ['acknowledged', '#1c7ed6'],
          ['lost', '#e03131'],
        ],
        [c.t, c.acked, c.lost],
        '.chart.canary',
      );
    }
  }

  /** Phases shaded, outage windows in red, events as vertical lines whose text shows on hover. */
  function overlayPlugin(d, hover) {
    var eventsS = d.events.filter(function (e) {
      return e.kind.indexOf('replica.') !== 0 || d.events.length < 60;
    });
    return {
      hooks: {
        drawClear: [
          function (u) {
            var ctx = u.ctx,
              top = u.bbox.top,
              h = u.bbox.height;
            ctx.save();
            d.phases.forEach(function (p) {
              var x0 = u.valToPos(p.startMs / 1000, 'x', true),
                x1 = u.valToPos(p.endMs / 1000, 'x', true);
              ctx.fillStyle = PHASE_COLORS[p.name] || 'rgba(0,0,0,0.03)';
              ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
            });
            ctx.fillStyle = 'rgba(224,49,49,0.18)';
            d.downtime.windows.forEach(function (w) {
              var x0 = u.valToPos(w.startMs / 1000, 'x', true),
                x1 = u.valToPos(w.endMs / 1000, 'x', true);
              ctx.fillRect(x0, top, Math.max(2, x1 - x0), h);
            });
            ctx.restore();
          },
        ],
        draw: [
          function (u) {
            var ctx = u.ctx,
              top = u.bbox.top,
              h = u.bbox.height;
            ctx.save();
            ctx.strokeStyle = 'rgba(80,80,80,0.55)';
            ctx.setLineDash([4, 4]);
            eventsS.forEach(function (e) {
              var x = Math.round(u.valToPos(e.atMs / 1000, 'x', true)) + 0.5;
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + h);
              ctx.stroke();
            });
            ctx.restore();
          },
        ],
        setCursor: [
          function (u) {
            if (u.cursor.left === undefined || u.cursor.left < 0) return;
            var t = u.posToVal(u.cursor.left, 'x') * 1000,
              best = null,
              bestDist = Infinity;
            var tol = ((u.scales.x.max - u.scales.x.min) * 1000) / 100;
            eventsS.forEach(function (e) {
              var dd = Math.abs(e.atMs - t);
              if (dd < bestDist) {
                bestDist = dd;
                best = e;
              }
            });
            hover.textContent =
              best && bestDist <= tol ? ms(best.atMs) + ' · ' + best.kind + (best.subject ? ' ' + best.subject : '') + ': ' + best.message : '\u00a0';
          },
        ],
      },
    };
  }

  document.body.setAttribute('data-rendered', 'true');
})();

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

  var EMPTY_SERIES = {
    t: [],
    span: [],
    ok: [],
    failed: [],
    okP50: [],
    okP95: [],
    okP99: [],
    failedP50: [],
    failedP99: [],
    strip: { slotMs: 100, ok: [], failed: [] },
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
          (d.placement.byComponent
            ? Object.keys(d.placement.byComponent)
                .map(function (name) {
                  var zones = d.placement.byComponent[name].byZone;
                  return (
                    name +
                    ' ' +
                    Object.keys(zones)
                      .map(function (z) {
                        return z + ' ' + zones[z];
                      })
                      .join(', ')
                  );
                })
                .join('; ')
            : Object.keys(d.placement.byZone)
                .map(function (z) {
                  return z + ' ' + d.placement.byZone[z];
                })
                .join(', ')) +
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
    if (!d.downtime.windows.length) row(wt, [{ text: 'no outage window', cls: 'empty' }, '', '', '', '', '', '']);
    function eventList(list) {
      return list
        .map(function (e) {
          return ms(e.atMs) + ' ' + e.kind + (e.subject ? ' ' + e.subject : '') + ': ' + e.message;
        })
        .join('\n');
    }
    d.downtime.windows.slice(0, 200).forEach(function (w) {
      row(wt, [
        { text: ms(w.startMs), cls: 'nowrap' },
        { text: ms(w.endMs), cls: 'nowrap' },
        { text: ms(w.endMs - w.startMs), cls: 'nowrap' },
        { text: w.failed, cls: 'num' },
        Object.keys(w.outcomes)
          .map(function (k) {
            return k + ' ' + w.outcomes[k];
          })
          .join(', '),
        { text: eventList(w.before || []), cls: 'events-inside trigger' },
        { text: eventList(w.events), cls: 'events-inside' },
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

    if (d.journeys && d.journeys.length) {
      section.querySelector('.journeys-block').hidden = false;
      var jt = section.querySelector('.journeys tbody');
      d.journeys.forEach(function (j) {
        var failed = j.failed + j.timedOut;
        var tr = row(jt, [
          j.name,
          { text: j.started, cls: 'num' },
          { text: j.completed, cls: 'num' },
          { text: failed + (j.timedOut ? ' (' + j.timedOut + ' past maxDuration)' : ''), cls: 'num' },
          { text: j.durationMs ? ms(j.durationMs.p50) : '—', cls: 'num' },
          { text: j.durationMs ? ms(j.durationMs.p95) : '—', cls: 'num' },
          { text: j.durationMs ? ms(j.durationMs.p99) : '—', cls: 'num' },
          j.unfinished ? j.unfinished + ' cut by the end of the load' : '',
        ]);
        tr.className = 'journey';
        j.steps.forEach(function (st) {
          var r = st.requests;
          var tr2 = row(jt, [
            st.name,
            { text: r.total, cls: 'num' },
            { text: r.ok, cls: 'num' },
            { text: r.failed, cls: 'num' },
            { text: ms(st.latencyMs.p50), cls: 'num' },
            { text: ms(st.latencyMs.p95), cls: 'num' },
            { text: ms(st.latencyMs.p99), cls: 'num' },
            Object.keys(r.byOutcome)
              .filter(function (k) {
                return k !== 'ok';
              })
              .map(function (k) {
                return k + ' ' + r.byOutcome[k];
              })
              .join(', '),
          ]);
          tr2.className = 'step';
        });
      });
    }

    if (d.findings && d.findings.length) {
      section.querySelector('.findings-block').hidden = false;
      var fl = section.querySelector('.findings');
      d.findings.forEach(function (f) {
        var box = el('div', { class: 'finding ' + f.severity });
        var head = el('p');
        head.appendChild(el('span', { class: 'severity ' + f.severity }, f.severity));
        head.appendChild(el('b', { class: 'finding-id' }, ' ' + f.id));
        head.appendChild(document.createTextNode(' · ' + d.name + ' · ' + f.message));
        box.appendChild(head);
        if (f.fix) {
          box.appendChild(el('p', { class: 'fix-label' }, 'Fix:'));
          var pre = el('pre', { class: 'fix' });
          pre.appendChild(el('code', null, f.fix));
          box.appendChild(pre);
        }
        fl.appendChild(box);
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
    drawCharts(section, d, (data.series && data.series[d.name]) || EMPTY_SERIES);
  });

  function drawCharts(section, d, s) {
    var width = Math.max(600, Math.min(1150, section.clientWidth || 1150));
    var syncKey = uPlot.sync('golive-' + d.name);
    var hover = section.querySelector('.hover-event');
    var overlays = overlayPlugin(d, hover);
    var charts = [];
    var tEnd = s.t.length ? s.t[s.t.length - 1] + s.span[s.span.length - 1] / 2 : 0;
    var xMax = Math.max(1, tEnd, d.load.durationMs / 1000, (s.strip.ok.length * s.strip.slotMs) / 1000);
    var zoom = zoomSync(charts, xMax, section.querySelector('.zoom-reset'));
    var durationS = Math.max(0.001, d.load.durationMs / 1000);
    function chart(opts, data, where) {
      var u = new uPlot(
        Object.assign(
          {
            width: width,
            cursor: {
              sync: { key: syncKey.key },
              drag: { x: true, y: false, setScale: false },
              // A double click shows the whole drill, on every chart of it (uPlot's own would fit the data).
              bind: {
                dblclick: function () {
                  return function () {
                    zoom.reset();
                    return null;
                  };
                },
              },
            },
            plugins: [overlays, zoom],
          },
          opts,
          { scales: Object.assign({ x: { time: false, range: zoom.range } }, opts.scales || {}) },
        ),
        data,
        section.querySelector(where),
      );
      charts.push(u);
      return u;
    }
    /** A legend cell: the value under the cursor, or the whole drill's figure when the cursor is elsewhere. */
    function legend(whole, fmt) {
      return function (u, v, si, idx) {
        if (idx === null || idx === undefined) return whole;
        return v === null || v === undefined ? 'none' : fmt(v);
      };
    }
    var xLegend = {
      label: 's',
      value: legend('whole drill', function (v) {
        return v.toFixed(1) + ' s';
      }),
    };
    var fromZero = function (u, min, max) {
      return [0, max > 0 ? max * 1.08 : 1];
    };
    var perSec = function (v) {
      return Math.round(v) + ' req/s';
    };

    drawStrip(section, d, s.strip, chart, xLegend, legend);

    var total = s.ok.map(function (v, i) {
      return v + s.failed[i];
    });
    chart(
      {
        title: 'requests per second (a partial last second over its own length)',
        height: 220,
        scales: { y: { range: fromZero } },
        axes: [{ label: 'seconds' }, { label: 'req/s' }],
        series: [
          xLegend,
          {
            label: 'ok + failed',
            stroke: '#e03131',
            fill: 'rgba(224,49,49,0.35)',
            width: 1,
            value: legend(Math.round(d.requests.total / durationS) + ' req/s avg', perSec),
          },
          {
            label: 'ok',
            stroke: '#2f9e44',
            fill: 'rgba(47,158,68,0.75)',
            width: 1,
            value: legend(Math.round(d.requests.ok / durationS) + ' req/s avg', perSec),
          },
        ],
      },
      [s.t, total, s.ok],
      '.chart.throughput',
    );
    var lat = d.latencyMs;
    chart(
      {
        title: 'latency (ms, from intended start): ok requests, and failed ones dashed',
        height: 220,
        scales: { y: { range: fromZero } },
        axes: [{ label: 'seconds' }, { label: 'ms' }],
        series: [
          xLegend,
          { label: 'ok p50', stroke: '#1c7ed6', width: 1, value: legend('all ' + ms(lat.p50), ms) },
          { label: 'ok p95', stroke: '#f08c00', width: 1, value: legend('all ' + ms(lat.p95), ms) },
          { label: 'ok p99', stroke: '#c2255c', width: 1, value: legend('all ' + ms(lat.p99), ms) },
          { label: 'failed p50', stroke: '#e03131', width: 1.5, dash: [6, 4], value: legend(d.requests.failed + ' failed', ms) },
          { label: 'failed p99', stroke: '#862e9c', width: 1.5, dash: [2, 3], value: legend(d.requests.failed + ' failed', ms) },
        ],
      },
      [s.t, s.okP50, s.okP95, s.okP99, s.failedP50, s.failedP99],
      '.chart.latency',
    );
    // Small charts under the main two, on the same time axis, with the same overlays, cursor and zoom.
    function smallChart(title, unit, lines, data, el) {
      chart(
        {
          height: 180,
          title: title,
          axes: [{ label: 'seconds' }, { label: unit }],
          series: [xLegend].concat(
            lines.map(function (l, i) {
              var col = data[i + 1] || [];
              var peak = col.reduce(function (a, v) {
                return v !== null && v !== undefined && v > a ? v : a;
              }, 0);
              return {
                label: l[0],
                stroke: l[1],
                width: 2,
                value: legend('peak ' + peak, function (v) {
                  return String(v);
                }),
              };
            }),
          ),
        },
        data,
        el,
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
    var PALETTE = ['#1c7ed6', '#f08c00', '#2f9e44', '#c2255c', '#7048e8', '#0c8599', '#e8590c', '#5c940d'];
    // The local platform's own samples are drawn in the usage chart already.
    var fromPlatform = (d.observed || []).filter(function (q) {
      return q.source !== 'local';
    });
    if (fromPlatform.length) {
      section.querySelector('.observed-block').hidden = false;
      var holder = section.querySelector('.observed');
      fromPlatform.forEach(function (q, qi) {
        if (q.error !== undefined || !q.series.length) {
          holder.appendChild(el('p', { class: 'meta' }, q.name + ': ' + (q.error || 'no data')));
          return;
        }
        var shown = q.series.slice(0, PALETTE.length);
        var joined = uPlot.join(
          shown.map(function (s) {
            return [
              s.t.map(function (t) {
                return t / 1000;
              }),
              s.v,
            ];
          }),
        );
        var box = el('div', { class: 'chart observed-' + qi });
        holder.appendChild(box);
        var label = function (s) {
          var keys = Object.keys(s.labels).filter(function (k) {
            return k !== '__name__';
          });
          return (
            keys
              .map(function (k) {
                return k + '=' + s.labels[k];
              })
              .join(',') || q.name
          );
        };
        smallChart(
          q.name +
            (q.unit ? ' (' + q.unit + ')' : '') +
            (q.series.length > shown.length ? ' · first ' + shown.length + ' of ' + q.series.length + ' series' : ''),
          q.unit || '',
          shown.map(function (s, i) {
            return [label(s), PALETTE[i]];
          }),
          joined,
          '.chart.observed-' + qi,
        );
      });
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

  var OK_COLOR = 'rgb(47,158,68)';
  var FAILED_COLOR = 'rgb(224,49,49)';

  /**
   * The downtime strip: each slot of intended start (100 ms; longer for drills over an hour) coloured by its share of ok (green, from the
   * bottom) and failed (red, from the top) requests, outage windows outlined, events as labelled ticks.
   */
  function drawStrip(section, d, strip, chart, xLegend, legend) {
    var slotS = strip.slotMs / 1000;
    var x = [],
      share = [];
    strip.ok.forEach(function (ok, i) {
      var n = ok + strip.failed[i];
      x.push(i * slotS + slotS / 2);
      share.push(n ? (100 * strip.failed[i]) / n : null);
    });
    var el = section.querySelector('.chart.strip');
    var events = markedEvents(d);
    chart(
      {
        title: 'downtime strip: share of failed requests per ' + strip.slotMs + ' ms (by intended start); outage windows outlined',
        height: 150,
        padding: [22, null, null, null],
        scales: { y: { range: [0, 100] } },
        axes: [{ label: 'seconds' }, { label: '% failed', splits: [0, 50, 100] }],
        legend: { live: true },
        series: [
          xLegend,
          {
            label: 'failed',
            stroke: 'transparent',
            points: { show: false },
            value: legend(ms(d.downtime.totalMs) + ' down in ' + d.downtime.windows.length + ' window(s)', function (v) {
              return v.toFixed(0) + ' %';
            }),
          },
        ],
        hooks: {
          draw: [
            function (u) {
              var ctx = u.ctx,
                top = u.bbox.top,
                h = u.bbox.height;
              ctx.save();
              ctx.beginPath();
              ctx.rect(u.bbox.left, top, u.bbox.width, h);
              ctx.clip();
              strip.ok.forEach(function (ok, i) {
                var n = ok + strip.failed[i];
                if (!n) return;
                var x0 = Math.round(u.valToPos(i * slotS, 'x', true)),
                  x1 = Math.round(u.valToPos((i + 1) * slotS, 'x', true));
                var red = Math.round((h * strip.failed[i]) / n);
                ctx.fillStyle = FAILED_COLOR;
                ctx.fillRect(x0, top, Math.max(1, x1 - x0), red);
                ctx.fillStyle = OK_COLOR;
                ctx.fillRect(x0, top + red, Math.max(1, x1 - x0), h - red);
              });
              ctx.strokeStyle = '#212529';
              ctx.lineWidth = 2;
              d.downtime.windows.forEach(function (w) {
                var x0 = u.valToPos(w.startMs / 1000, 'x', true),
                  x1 = u.valToPos(w.endMs / 1000, 'x', true);
                ctx.strokeRect(x0, top + 1, Math.max(2, x1 - x0), h - 2);
              });
              ctx.restore();
              // Event ticks with their kind above the strip; a label that would overlap the last one is left out.
              ctx.save();
              ctx.fillStyle = '#343a40';
              ctx.strokeStyle = '#343a40';
              ctx.lineWidth = 1;
              ctx.font = Math.round(10 * window.devicePixelRatio) + 'px sans-serif';
              ctx.textBaseline = 'bottom';
              var lastRight = -Infinity;
              events.forEach(function (e) {
                var px = Math.round(u.valToPos(e.atMs / 1000, 'x', true)) + 0.5;
                if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
                ctx.beginPath();
                ctx.moveTo(px, top - 6 * window.devicePixelRatio);
                ctx.lineTo(px, top);
                ctx.stroke();
                var label = e.kind + (e.subject && e.kind.indexOf('replica.') !== 0 ? ' ' + e.subject : '');
                var wl = ctx.measureText(label).width;
                if (px - 2 > lastRight) {
                  ctx.fillText(label, px + 2, top - 7 * window.devicePixelRatio);
                  lastRight = px + 2 + wl;
                }
              });
              ctx.restore();
              // Where the plot area is, so a test (or a user's script) can map pixels to time.
              el.setAttribute('data-plot-left', String(u.bbox.left / window.devicePixelRatio));
              el.setAttribute('data-plot-top', String(u.bbox.top / window.devicePixelRatio));
              el.setAttribute('data-plot-width', String(u.bbox.width / window.devicePixelRatio));
              el.setAttribute('data-plot-height', String(u.bbox.height / window.devicePixelRatio));
              el.setAttribute('data-x-min', String(u.scales.x.min));
              el.setAttribute('data-x-max', String(u.scales.x.max));
            },
          ],
        },
      },
      [x, share],
      '.chart.strip',
    );
  }

  /**
   * Drag to zoom on any chart of a drill zooms them all to the same seconds; the reset button (or a double
   * click) shows the whole drill again. The zoom is ours, not uPlot's: one view for every chart.
   */
  function zoomSync(charts, xMax, reset) {
    var view = null;
    function apply() {
      var r = view || [0, xMax];
      charts.forEach(function (c) {
        c.setScale('x', { min: r[0], max: r[1] });
      });
      reset.hidden = view === null;
    }
    function resetAll() {
      view = null;
      apply();
    }
    reset.addEventListener('click', resetAll);
    return {
      reset: resetAll,
      /** The x range uPlot asks for: the current view. */
      range: function () {
        return view || [0, xMax];
      },
      hooks: {
        setSelect: [
          function (u) {
            if (u.select.width < 2) return;
            var min = u.posToVal(u.select.left, 'x'),
              max = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            view = [Math.max(0, min), Math.min(xMax, max)];
            apply();
          },
        ],
      },
    };
  }

  /** The events drawn as markers: a long drill's replica events would hide the rest. */
  function markedEvents(d) {
    return d.events.filter(function (e) {
      return e.kind.indexOf('replica.') !== 0 || d.events.length < 60;
    });
  }

  /** Phases shaded, outage windows in red, events as vertical lines whose text shows on hover. */
  function overlayPlugin(d, hover) {
    var eventsS = markedEvents(d);
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

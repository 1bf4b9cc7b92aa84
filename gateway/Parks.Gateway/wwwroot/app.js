// The city dashboard: reads the gateway's REST/JSON (proto3 canonical JSON) with a read-only session cookie and its
// live feed (Server-Sent Events). Figures a unit did not give are shown as "—", never as zero; figures of a unit
// that stopped answering are shown with the time they date from.
'use strict';

const REFRESH_MS = 5000;
const FEED_MAX = 100;
const TIER_ORDER = ['ENTERPRISE_TIER_TECH_SME', 'ENTERPRISE_TIER_HIGH_TECH', 'ENTERPRISE_TIER_EAGLET', 'ENTERPRISE_TIER_GAZELLE', 'ENTERPRISE_TIER_UNICORN'];
const TIER_LABEL = {
  ENTERPRISE_TIER_TECH_SME: ['科小', 'Tech SMEs'],
  ENTERPRISE_TIER_HIGH_TECH: ['高企', 'High-tech'],
  ENTERPRISE_TIER_EAGLET: ['雏鹰', 'Eaglets'],
  ENTERPRISE_TIER_GAZELLE: ['瞪羚', 'Gazelles'],
  ENTERPRISE_TIER_UNICORN: ['独角兽', 'Unicorns'],
  ENTERPRISE_TIER_LEADER: ['领军', 'Leaders'],
  ENTERPRISE_TIER_LISTED: ['上市', 'Listed'],
};
const FRESHNESS_LABEL = {
  FRESHNESS_CURRENT: ['最新', 'current', 'current'],
  FRESHNESS_DEGRADED: ['未响应', 'degraded', 'degraded'],
  FRESHNESS_UNAVAILABLE: ['暂无数据', 'no figures', 'unavailable'],
};
// The units' investment-project funnel, in order (意向 → 签约 → 落地 → 开工 → 投产); dropped projects are not in the funnel.
const STAGE_ORDER = ['lead', 'signed', 'landed', 'construction-started', 'in-production'];
const STAGE_LABEL = {
  lead: ['意向', 'Lead'],
  signed: ['签约', 'Signed'],
  landed: ['落地', 'Landed'],
  'construction-started': ['开工', 'Construction'],
  'in-production': ['投产', 'In production'],
  dropped: ['终止', 'Dropped'],
};
const QUALIFIER = { QUALIFIER_GT: '>', QUALIFIER_GTE: '≥', QUALIFIER_LT: '<', QUALIFIER_LTE: '≤', QUALIFIER_APPROX_MORE: '>≈', QUALIFIER_APPROX: '≈' };

const state = { overview: null, indicators: [], profile: null, charts: {}, refreshTimer: null, pending: null, feedIds: new Set() };

const $ = (selector) => document.querySelector(selector);
const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const t = (zh, en) => `<span class="zh">${esc(zh)}</span><span class="en">${esc(en)}</span>`;
const DASH = '—';

// ---------- numbers ----------

function figureValue(figure) {
  if (figure == null) return null;
  if (figure.amountFen != null) return Number(figure.amountFen);
  if (figure.amountUsdCents != null) return Number(figure.amountUsdCents);
  if (figure.quantity != null) return Number(figure.quantity);
  return null;
}

function formatValue(value, unit) {
  if (value == null || Number.isNaN(value)) return DASH;
  switch (unit) {
    case 'fen': return t(`${trim(value / 1e10, 1)} 亿元`, `CNY ${trim(value / 1e11, 2)} bn`);
    case 'usd_cents': return t(`${trim(value / 1e10, 2)} 亿美元`, `USD ${trim(value / 1e11, 3)} bn`);
    case 'percent': return `${trim(value, 1)}%`;
    default: return Math.round(value).toLocaleString('en-US');
  }
}

function trim(value, digits) {
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

function formatFigure(figure, unit) {
  const prefix = QUALIFIER[figure?.qualifier] ?? '';
  return prefix + formatValue(figureValue(figure), unit);
}

function count(value) {
  return value == null ? DASH : Number(value).toLocaleString('en-US');
}

function wan(fen) {
  return fen == null ? DASH : t(`${trim(Number(fen) / 1e6, 2)} 万元`, `CNY ${trim(Number(fen) / 1e8, 2)} m`);
}

function time(ts) {
  if (!ts) return DASH;
  const d = new Date(ts);
  return d.toLocaleString('zh-CN', { hour12: false });
}

// ---------- data ----------

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  if (response.status === 401) {
    showLogin();
    throw new Error('unauthenticated');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || `HTTP ${response.status}`);
  }
  return response.status === 204 ? null : response.json();
}

async function signIn(apiKey) {
  const response = await fetch('/v1/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || `HTTP ${response.status}`);
  }
  return response.json();
}

// ---------- rendering ----------

function renderWarnings(overview) {
  const warnings = overview.warnings ?? [];
  $('#warnings').innerHTML = warnings.map((w) =>
    `<div class="warning kind-${esc(w.kind)}" data-subject="${esc(w.subject)}">⚠ ${t(w.messageZh, w.messageEn)}</div>`).join('');
}

function renderKpis(overview) {
  const kpis = overview.kpis ?? [];
  $('#kpis').innerHTML = kpis.map((k) => {
    const id = k.indicator.split('/').pop();
    const unit = k.unitOfMeasure;
    const completion = k.completionPercent;
    const onTrack = k.onTrack === true;
    const change = k.changePercent != null
      ? t(`较 ${k.previous.year} 年 ${signed(k.changePercent)}%${k.changePercentPerYear != null ? `(年均 ${signed(k.changePercentPerYear)}%)` : ''}`,
          `${signed(k.changePercent)}% vs ${k.previous.year}${k.changePercentPerYear != null ? ` (${signed(k.changePercentPerYear)}%/yr)` : ''}`)
      : DASH;
    const target = k.target
      ? `${t(`${k.target.year} 年目标 `, `${k.target.year} target `)}<span class="target-value">${formatFigure(k.target, unit)}</span> [${esc(k.target.src)}]`
        + (k.otherTargets?.length ? ` <span class="meta">(${t('另有', 'also')} ${k.otherTargets.map((o) => `${formatFigure(o, unit)} [${esc(o.src)}]`).join(', ')})</span>` : '')
      : t('无目标', 'no target');
    return `<article class="kpi ${k.target ? (onTrack ? 'on-track' : 'behind') : ''}" id="kpi-${esc(id)}" data-indicator="${esc(k.indicator)}">
      <div class="name">${t(k.nameZh, k.nameEn)}</div>
      <div class="value">${formatFigure(k.latest, unit)}</div>
      <div class="meta as-of">${t(`截至 ${k.latest.year} 年`, `as of ${k.latest.year}`)} · ${esc(k.latest.src)}</div>
      <div class="meta target">${target}</div>
      <div class="bar" title="completion"><span style="width:${Math.min(100, completion ?? 0)}%"></span></div>
      <div class="meta"><span class="completion">${completion != null ? `${completion}%` : DASH}</span> ${t('完成率', 'of target')} ·
        ${k.target ? `<span class="pill ${onTrack ? 'on-track' : 'behind'}">${onTrack ? t('进度正常', 'on track') : t('落后于进度', 'behind pace')}</span>` : ''}</div>
      <div class="meta change">${change}</div>
    </article>`;
  }).join('');
}

function signed(value) {
  return (value > 0 ? '+' : '') + value;
}

function renderMap(overview) {
  for (const unit of overview.units ?? []) {
    const node = document.querySelector(`#map .unit[data-unit="${CSS.escape(unit.unit)}"]`);
    if (!node) continue;
    node.dataset.freshness = unit.status?.freshness ?? 'FRESHNESS_UNAVAILABLE';
    let title = node.querySelector('title');
    if (!title) {
      title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      node.prepend(title);
    }
    title.textContent = `${unit.displayNameZh} ${unit.displayNameEn}: ${FRESHNESS_LABEL[node.dataset.freshness][1]}` +
      (unit.status?.asOf ? `, as of ${time(unit.status.asOf)}` : '') +
      (unit.enterpriseCount != null ? `, ${unit.enterpriseCount} enterprises` : '');
  }
}

function tierCount(unit, tier) {
  const entry = (unit.tiers ?? []).find((x) => x.tier === tier);
  return entry ? Number(entry.count ?? 0) : null;
}

function renderLeague(overview) {
  const units = (overview.units ?? []).filter((u) => u.kind !== 'UNIT_KIND_SCIENCE_CITY');
  const sorted = [...units].sort((a, b) => (b.enterpriseCount != null ? Number(b.enterpriseCount) : -1) - (a.enterpriseCount != null ? Number(a.enterpriseCount) : -1));
  $('#league tbody').innerHTML = sorted.map((u, i) => {
    const freshness = u.status?.freshness ?? 'FRESHNESS_UNAVAILABLE';
    const [zh, en, css] = FRESHNESS_LABEL[freshness];
    const hasFigures = freshness !== 'FRESHNESS_UNAVAILABLE';
    const highTech = hasFigures && (u.tiers?.length ?? 0) > 0 ? tierCount(u, 'ENTERPRISE_TIER_HIGH_TECH') ?? 0 : null;
    const projects = hasFigures && (u.pipeline?.length ?? 0) > 0 ? u.pipeline.reduce((s, p) => s + Number(p.count ?? 0), 0) : null;
    const behind = hasFigures && (u.indicators?.length ?? 0) > 0 ? u.indicators.filter((x) => x.behindTarget).length : null;
    const asOf = freshness === 'FRESHNESS_DEGRADED' && u.status?.asOf ? ` <span class="meta">${t(`截至 ${time(u.status.asOf)}`, `as of ${time(u.status.asOf)}`)}</span>` : '';
    return `<tr class="${css}" data-unit="${esc(u.unit)}" data-freshness="${esc(freshness)}">
      <td>${i + 1}</td>
      <td>${t(u.displayNameZh, u.displayNameEn)}</td>
      <td><span class="pill ${css}">${t(zh, en)}</span>${asOf}</td>
      <td class="num">${count(u.enterpriseCount)}</td>
      <td class="num">${count(highTech)}</td>
      <td class="num">${count(projects)}</td>
      <td class="num">${count(behind)}</td>
    </tr>`;
  }).join('');
}

function chart(id) {
  if (!window.echarts) return null;
  const node = document.getElementById(id);
  if (!node) return null;
  state.charts[id] ??= echarts.init(node, null, { renderer: 'svg' });
  return state.charts[id];
}

function lang() {
  return document.body.dataset.lang;
}

function label(zh, en) {
  const l = lang();
  return l === 'zh' ? zh : l === 'en' ? en : `${zh} ${en}`;
}

function renderPyramid(overview) {
  const documented = (state.profile?.tierCounts ?? []).filter((c) => c.year === 2023 && !/类/.test(c.categoryZh));
  const live = overview.totals?.tiers ?? [];
  const series = [];
  if (documented.length) {
    series.push({
      name: label('文件数据(2023年底)', 'Documents (end 2023)'),
      type: 'funnel', sort: 'ascending', left: '2%', width: live.length ? '46%' : '90%', top: 30, bottom: 10, gap: 2,
      label: { show: true, position: 'inside', formatter: '{b}\n{c}' },
      data: TIER_ORDER.map((tier) => {
        const c = documented.find((x) => x.tier === tier);
        return c ? { name: label(...TIER_LABEL[tier]), value: Number(c.value) } : null;
      }).filter(Boolean),
    });
  }
  if (live.length) {
    series.push({
      name: label('各单位实时', 'Units, live'),
      type: 'funnel', sort: 'ascending', left: '52%', width: '46%', top: 30, bottom: 10, gap: 2,
      label: { show: true, position: 'inside', formatter: '{b}\n{c}' },
      data: TIER_ORDER.map((tier) => ({ name: label(...TIER_LABEL[tier]), value: Number(live.find((x) => x.tier === tier)?.count ?? 0) })),
    });
  }
  chart('pyramid')?.setOption({ tooltip: { trigger: 'item' }, legend: { top: 0 }, series }, true);
  const unicornClass = (state.profile?.tierCounts ?? []).find((c) => c.year === 2023 && /类/.test(c.categoryZh));
  $('#pyramid-note').innerHTML = [
    documented.length ? t(`文件数据出处 ${documented[0].src}`, `Document figures: ${documented[0].src}`) : '',
    unicornClass ? t(`另有独角兽类企业 ${unicornClass.value} 家`, `plus ${unicornClass.value} unicorn-class enterprises`) : '',
    live.length ? '' : t('各单位暂未报送梯次数据', 'No tier figures from the units yet'),
  ].filter(Boolean).join(' · ');
}

function renderFunnel(overview) {
  const stages = overview.totals?.pipeline ?? [];
  const node = document.getElementById('funnel');
  if (!stages.length) {
    state.charts.funnel?.clear();
    $('#funnel-note').innerHTML = t('各单位暂无项目数据', 'No project figures from the units yet');
    return;
  }
  const count = (id) => Number(stages.find((s) => s.stage === id)?.count ?? 0);
  chart('funnel')?.setOption({
    tooltip: { trigger: 'item' },
    series: [{ type: 'funnel', sort: 'none', top: 10, bottom: 10, label: { formatter: '{b}: {c}' },
      data: STAGE_ORDER.map((id) => ({ name: label(...(STAGE_LABEL[id] ?? [id, id])), value: count(id) })) }],
  }, true);
  const totals = overview.totals;
  const dropped = stages.find((s) => s.stage === 'dropped');
  $('#funnel-note').innerHTML = [
    `<span id="funnel-counts">${STAGE_ORDER.map((id) => `${t(...(STAGE_LABEL[id] ?? [id, id]))} <b data-stage="${esc(id)}">${count(id)}</b>`).join(' → ')}</span>`,
    Number(dropped?.count ?? 0) > 0 ? t(`终止 ${dropped.count} 个`, `${dropped.count} dropped`) : '',
    totals.complete ? '' : t(`仅含 ${totals.unitsReporting}/${totals.unitsTotal} 个数据最新的单位`, `Current units only: ${totals.unitsReporting} of ${totals.unitsTotal}`),
  ].filter(Boolean).join(' · ');
  void node;
}

function cell(labelHtml, figureHtml, status) {
  const asOf = status?.freshness === 'FRESHNESS_DEGRADED' && status.asOf ? `<div class="meta">${t(`截至 ${time(status.asOf)}`, `as of ${time(status.asOf)}`)}</div>` : '';
  return `<div class="cell ${FRESHNESS_LABEL[status?.freshness ?? 'FRESHNESS_UNAVAILABLE'][2]}"><div class="label">${labelHtml}</div><div class="figure">${figureHtml}</div>${asOf}</div>`;
}

function renderFinanceTalent(overview) {
  const f = overview.finance ?? {};
  $('#finance').innerHTML = [
    cell(t('创新积分贷(笔)', 'Innovation-points loans'), count(f.innovationPointsLoanCount), f.status),
    cell(t('创新积分贷金额', 'Loan amount'), wan(f.innovationPointsLoanFen), f.status),
    cell(t('政策兑现(笔)', 'Payouts made'), count(f.payoutsPaidCount), f.status),
    cell(t('兑现金额', 'Paid'), wan(f.payoutsPaidFen), f.status),
    cell(t('待兑现(笔)', 'Payouts pending'), count(f.payoutsPendingCount), f.status),
  ].join('');
  const sc = (overview.units ?? []).find((u) => u.kind === 'UNIT_KIND_SCIENCE_CITY') ?? {};
  $('#science-city').innerHTML = [
    cell(t('科研平台', 'Platforms'), count(sc.platformCount), sc.status),
    cell(t('科研项目', 'Research projects'), count(sc.researchProjectCount), sc.status),
    cell(t('技术合同成交额', 'Tech-contract turnover'), sc.techContractTurnoverFen != null ? formatValue(Number(sc.techContractTurnoverFen), 'fen') : DASH, sc.status),
  ].join('');
  const talent = overview.talent ?? {};
  $('#talent').innerHTML = [
    cell(t('人才', 'Talents'), count(talent.talentCount), talent.status),
    cell(t('在办服务申请', 'Open requests'), count(talent.openServiceRequests), talent.status),
    cell(t('超期服务申请', 'Overdue requests'), `<span id="talent-overdue">${count(talent.overdueServiceRequests)}</span>`, talent.status),
  ].join('');
}

function renderTrends() {
  const kpis = state.indicators.filter((i) => i.kpiOrder > 0).sort((a, b) => a.kpiOrder - b.kpiOrder);
  const container = $('#trends');
  if (container.childElementCount !== kpis.length) {
    container.innerHTML = kpis.map((k) => `<div class="chart" id="trend-${esc(k.id)}"></div>`).join('');
  }
  for (const k of kpis) {
    const scale = k.unitOfMeasure === 'fen' || k.unitOfMeasure === 'usd_cents' ? 1e10 : 1;
    const actual = k.figures.filter((f) => f.kind === 'FIGURE_KIND_ACTUAL' && f.year > 0).map((f) => [String(f.year), figureValue(f) / scale]);
    const targets = k.figures.filter((f) => f.kind === 'FIGURE_KIND_TARGET' && f.year > 0);
    const years = [...new Set([...actual.map((a) => a[0]), ...targets.map((f) => String(f.year))])].sort();
    const last = actual[actual.length - 1];
    const mainTarget = targets.length ? targets.filter((f) => f.year === Math.max(...targets.map((x) => x.year)))[0] : null;
    const unit = k.unitOfMeasure === 'fen' ? label('亿元', 'CNY 100m') : k.unitOfMeasure === 'usd_cents' ? label('亿美元', 'USD 100m') : k.unitOfMeasure === 'percent' ? '%' : '';
    chart(`trend-${k.id}`)?.setOption({
      title: { text: label(k.nameZh, k.nameEn), textStyle: { fontSize: 12 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 50, right: 16, top: 36, bottom: 24 },
      xAxis: { type: 'category', data: years },
      yAxis: { type: 'value', name: unit },
      series: [
        { name: label('实际', 'actual'), type: 'line', data: actual, symbolSize: 7 },
        { name: label('目标', 'target'), type: 'scatter', symbol: 'diamond', symbolSize: 11, data: targets.map((f) => [String(f.year), figureValue(f) / scale]) },
        ...(last && mainTarget ? [{ name: label('目标路径', 'path to target'), type: 'line', lineStyle: { type: 'dashed' }, symbol: 'none', data: [last, [String(mainTarget.year), figureValue(mainTarget) / scale]] }] : []),
      ],
    }, true);
  }
}

function renderUnitIndicators(overview) {
  // Targets without a reported actual are counted, not listed (a park's host area alone has dozens).
  const rows = [];
  let withoutActual = 0;
  for (const u of overview.units ?? []) {
    for (const i of u.indicators ?? []) {
      if (i.actual != null) rows.push({ u, i });
      else withoutActual++;
    }
  }
  $('#unit-indicators tbody').innerHTML = rows.map(({ u, i }) => {
    const freshness = u.status?.freshness ?? 'FRESHNESS_UNAVAILABLE';
    const name = `${t(i.nameZh, i.nameEn)}${i.breakdown ? ` (${esc(i.breakdown)})` : ''}${i.scope ? ` <span class="meta">${t('口径', 'scope')} ${esc(i.scope)}</span>` : ''}`;
    const actual = i.actual != null ? `${formatValue(i.actual, i.unitOfMeasure)} <span class="meta">${esc(i.actualPeriod)}</span>` : DASH;
    const pace = i.actual == null ? DASH
      : i.behindTarget ? `<span class="pill behind">${t('落后', 'behind')}</span>` : `<span class="pill on-track">${t('正常', 'on track')}</span>`;
    return `<tr class="${FRESHNESS_LABEL[freshness][2]}" data-indicator="${esc(i.indicator)}${i.breakdown ? `/${esc(i.breakdown)}` : ''}" data-freshness="${esc(freshness)}">
      <td>${t(u.displayNameZh, u.displayNameEn)}</td>
      <td>${name}</td>
      <td class="num actual">${actual}</td>
      <td class="num target">${formatValue(i.target, i.unitOfMeasure)} <span class="meta">${esc(i.period)}</span></td>
      <td class="num completion">${i.completionPercent != null ? `${i.completionPercent}%` : DASH}</td>
      <td>${pace}</td>
    </tr>`;
  }).join('');
  $('#unit-indicators-note').innerHTML = [
    rows.length || withoutActual ? '' : t('各单位暂未设定指标目标', 'No unit has set an indicator target yet'),
    withoutActual ? t(`另有 ${withoutActual} 项目标暂无对应实际值`, `${withoutActual} more targets have no reported actual yet`) : '',
    overview.includesDemoData ? t('各单位数据含演示数据', 'Unit figures include demo data') : '',
  ].filter(Boolean).join(' · ');
}

function renderOverview(overview) {
  state.overview = overview;
  $('#as-of').innerHTML = t(`更新于 ${time(overview.composeTime)}`, `updated ${time(overview.composeTime)}`);
  renderWarnings(overview);
  renderKpis(overview);
  renderMap(overview);
  renderLeague(overview);
  renderPyramid(overview);
  renderFunnel(overview);
  renderFinanceTalent(overview);
  renderUnitIndicators(overview);
}

// ---------- live feed ----------

function addFeedItem(item, fresh) {
  if (state.feedIds.has(item.id)) return;
  state.feedIds.add(item.id);
  const li = document.createElement('li');
  li.className = `kind-${item.kind}${fresh ? ' new' : ''}`;
  li.dataset.id = item.id;
  li.dataset.type = item.type;
  li.innerHTML = `<time datetime="${esc(item.time)}">${esc(time(item.time))}</time><span>${t(item.textZh, item.textEn)}</span>`;
  const list = $('#feed');
  list.prepend(li);
  while (list.childElementCount > FEED_MAX) list.lastElementChild.remove();
}

function connectFeed() {
  const source = new EventSource('/v1/events', { withCredentials: true });
  const indicator = $('#feed-state');
  source.addEventListener('open', () => { indicator.classList.remove('pill-muted'); indicator.classList.add('current'); });
  source.addEventListener('error', () => { indicator.classList.remove('current'); indicator.classList.add('pill-muted'); });
  source.addEventListener('feed', (message) => {
    addFeedItem(JSON.parse(message.data), true);
    scheduleRefresh(300);
  });
}

// ---------- lifecycle ----------

function scheduleRefresh(delay) {
  if (state.pending) return;
  state.pending = setTimeout(async () => {
    state.pending = null;
    await refresh();
  }, delay);
}

async function refresh() {
  try {
    const { overview } = await api('/v1/overview');
    renderOverview(overview);
    document.body.dataset.ready = 'true';
  } catch (error) {
    $('#as-of').textContent = `⚠ ${error.message}`;
  }
}

async function start(session) {
  $('#login').hidden = true;
  $('#dashboard').hidden = false;
  $('#sign-out').hidden = false;
  $('#caller').textContent = session.caller;
  const [profile, indicators] = await Promise.all([api('/v1/zone'), api('/v1/zone/indicators')]);
  state.profile = profile.profile;
  state.indicators = indicators.indicators ?? [];
  await refresh();
  renderTrends();
  connectFeed();
  clearInterval(state.refreshTimer);
  state.refreshTimer = setInterval(refresh, REFRESH_MS);
}

function showLogin(message) {
  $('#dashboard').hidden = true;
  $('#login').hidden = false;
  const error = $('#login-error');
  error.hidden = !message;
  error.textContent = message ?? '';
}

function setLang(value) {
  document.body.dataset.lang = value;
  localStorage.setItem('parks-dashboard-lang', value);
  if (state.overview) {
    renderPyramid(state.overview);
    renderTrends();
  }
}

async function main() {
  setLang(localStorage.getItem('parks-dashboard-lang') || 'both');
  document.querySelectorAll('[data-set-lang]').forEach((b) => b.addEventListener('click', () => setLang(b.dataset.setLang)));
  window.addEventListener('resize', () => Object.values(state.charts).forEach((c) => c.resize()));
  $('#login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await start(await signIn($('#api-key').value));
    } catch (error) {
      showLogin(error.message);
    }
  });
  $('#sign-out').addEventListener('click', async () => {
    await fetch('/v1/session', { method: 'DELETE', credentials: 'same-origin' });
    location.reload();
  });

  // A key in the fragment (#key=…, never sent to the server) opens a session, then leaves the address bar.
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (key) history.replaceState(null, '', location.pathname);
  try {
    const session = key ? await signIn(key) : await api('/v1/session');
    await start(session);
  } catch (error) {
    showLogin(error.message === 'unauthenticated' ? null : error.message);
  }
}

document.addEventListener('DOMContentLoaded', main);

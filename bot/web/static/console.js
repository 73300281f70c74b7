/*
 * Staff console of the help desk (bot/web/templates/console.html). Plain ES2019, no dependencies.
 *
 * Server contract (same origin, session cookie; every POST sends X-CSRF-Token and a JSON body):
 *   GET  /staff/api/state            → {me, waiting, mine, others, offline, agents}
 *   GET  /staff/api/tickets/{id}     → {ticket, transcript, notes, history, allowed}
 *   POST /staff/api/tickets/{id}/claim|release|hand_back|resolve {}  |  …/transfer {"to_agent"}  → {ticket}
 *   POST /staff/api/tickets/{id}/messages {"text","internal"}       → {message} | {note}
 *   GET  /staff/api/canned           → {"sq": [{title,text}], "en": [...]}
 *   GET  /staff/api/search?q&topic&channel&from&to → {results: [{conversation_id,channel,language,topic,first_at,last_at}]}
 *   GET  /staff/api/conversations/{id} → {transcript, tickets: [{id,state,agent,opened_at}]}
 *   WS   /staff/ws  server → {"type":"queue"} | {"type":"message",ticket_id,conversation_id,message}
 *                          | {"type":"new_ticket",ticket_id}
 *   Errors: 4xx with {"error": "plain message"}, shown in the alert region.
 *
 * Whatever users, the bot or colleagues wrote goes into the page as text nodes only, never as HTML.
 */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const T = readTexts();
  const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const LANG = document.documentElement.lang === 'en' ? 'en' : 'sq';
  const LOCALE = LANG === 'sq' ? 'sq-XK' : 'en-GB';
  const QUEUES = ['waiting', 'mine', 'others', 'offline'];
  const ACTIONS = ['claim', 'release', 'transfer', 'hand_back', 'resolve'];
  const ACTIVE = ['waiting', 'assigned', 'offline'];
  const AUTHORS = ['user', 'bot', 'staff', 'system'];
  const PRIMARY = { claim: 'btn-primary', resolve: 'btn-ok' };
  const ICONS = {
    widget: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zM2 12h20M12 2c2.5 2.7 4 6.2 4 10s-1.5 7.3-4 10M12 2c-2.5 2.7-4 6.2-4 10s1.5 7.3 4 10',
    telegram: 'M22 2 11 13M22 2l-7 20-4-9-9-4z',
    other: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z',
  };

  const el = {
    error: $('console-error'), live: $('console-live'), status: $('connection-status'),
    notify: $('enable-notifications'), empty: $('no-ticket'), view: $('ticket-view'), title: $('ticket-title'),
    facts: $('ticket-facts'), actions: $('ticket-actions'), transcript: $('transcript'), notes: $('notes'),
    history: $('history'), form: $('reply-form'), input: $('reply-input'), internal: $('reply-internal'),
    canned: $('canned-select'), send: $('reply-send'), hint: $('reply-hint'),
    ticketPanel: $('ticket-panel'), searchToggle: $('search-toggle'), searchPanel: $('search-panel'),
    searchForm: $('search-form'), searchWords: $('search-words'),
    searchStatus: $('search-status'), results: $('search-results'), pastTitle: $('past-title'),
    pastDetail: $('past-detail'), pastTickets: $('past-tickets'), pastTranscript: $('search-transcript'),
  };

  const app = {
    me: null, agents: [], lists: { waiting: [], mine: [], others: [], offline: [] }, fetchedAt: Date.now(),
    selected: null, detail: null, seen: new Set(), unread: {}, drafts: {}, canned: { sq: [], en: [] },
    busy: false, sending: false, stateFailed: false, baseTitle: document.title,
    searchSeq: 0, pastSeq: 0, pastOpen: null,
  };

  // ---- small helpers ------------------------------------------------------------------------

  function readTexts() {
    try { return JSON.parse(($('console-texts') || {}).textContent || '{}') || {}; } catch (e) { return {}; }
  }

  /** The catalogue text `key` with {placeholders} filled; the result is only ever used as text. */
  function t(key, values) {
    const template = typeof T[key] === 'string' ? T[key] : key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (values && values[name] != null ? String(values[name]) : whole));
  }

  /** An element; string children become text nodes, attributes `text`/`class`/`on…` are special. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((key) => {
      const value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    children.forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(path) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const shape = document.createElementNS(ns, 'path');
    Object.entries({ viewBox: '0 0 24 24', class: 'icon', 'aria-hidden': 'true', focusable: 'false' })
      .forEach(([key, value]) => svg.setAttribute(key, value));
    shape.setAttribute('d', path);
    svg.appendChild(shape);
    return svg;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const pad = (n) => String(n).padStart(2, '0');
    const hours = Math.floor(s / 3600);
    const rest = `${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
    return hours ? `${hours}:${rest}` : rest;
  }

  function when(iso) {
    const date = new Date(iso);
    if (!iso || isNaN(date.getTime())) return '';
    const today = date.toDateString() === new Date().toDateString();
    const options = today ? { hour: '2-digit', minute: '2-digit' }
      : { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    try { return date.toLocaleString(LOCALE, options); } catch (e) { return date.toISOString().slice(0, 16).replace('T', ' '); }
  }

  const timeNode = (iso) => h('time', { datetime: iso || null, text: when(iso) });

  function short(text, limit) {
    const flat = String(text || '').replace(/\s+/g, ' ').trim();
    return flat.length > (limit || 140) ? `${flat.slice(0, (limit || 140) - 1)}…` : flat;
  }

  function agentName(username) {
    if (!username) return '';
    const me = app.me && app.me.username === username ? app.me : null;
    const known = me || app.agents.find((a) => a.username === username);
    const name = (known && known.display_name) || username;
    return me ? `${name} (${t('you')})` : name;
  }

  function actorName(actor) {
    const name = String(actor || '').replace(/^(agent|staff):/, '');
    if (name === 'user' || name === 'bot' || name === 'system') return t(`from_${name}`);
    return agentName(name);
  }

  const label = (prefix, value) => (value && typeof T[prefix + value] === 'string' ? T[prefix + value] : value || t('unknown'));

  const findTicket = (id) => QUEUES.reduce((found, queue) => found || app.lists[queue].find((tk) => tk.id === id), null) || null;

  const isMine = (ticket) => !!(ticket && app.me && ticket.state === 'assigned' && ticket.agent === app.me.username);

  let announceTimer = null;
  function announce(text) {
    el.live.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => { el.live.textContent = text; }, 60);
  }

  // ---- errors and the API -------------------------------------------------------------------

  function clearError() { el.error.textContent = ''; }

  function showError(message, status) {
    clearError();
    el.error.appendChild(h('p', { class: 'alert-text', text: message }));
    if (status === 401) el.error.appendChild(h('a', { href: '/staff/login', class: 'alert-link', text: t('sign_in_again') }));
    el.error.appendChild(h('button', { type: 'button', class: 'btn btn-small', onclick: clearError, text: t('dismiss') }));
  }

  const report = (error) => showError(error.message || t('error_generic'), error.status);
  const failure = (message, status) => Object.assign(new Error(message), { status });

  /** GET `path`, or POST `body` as JSON with the CSRF token; resolves to the JSON answer. */
  async function api(path, body) {
    const init = body === undefined ? { credentials: 'same-origin', headers: { Accept: 'application/json' } } : {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': CSRF },
    };
    let response;
    try { response = await fetch(path, init); } catch (e) { throw failure(t('error_network'), 0); }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) throw failure((data && data.error) || t('session_expired'), 401);
    if (!response.ok) throw failure((data && data.error) || t('error_generic'), response.status);
    if (!data || typeof data !== 'object') throw failure(t('error_generic'), response.status);
    return data;
  }

  // ---- the queues ---------------------------------------------------------------------------

  let stateLoading = null;
  let stateAgain = false;

  /** Refetches the queues; calls made while one is under way are folded into one more fetch. */
  function refreshState() {
    if (stateLoading) { stateAgain = true; return stateLoading; }
    stateLoading = (async () => {
      try {
        do { stateAgain = false; applyState(await api('/staff/api/state')); } while (stateAgain);
        if (app.stateFailed) clearError(); // the problem that was shown is over
        app.stateFailed = false;
      } catch (error) { report(error); app.stateFailed = true; }
      stateLoading = null;
    })();
    return stateLoading;
  }

  function applyState(data) {
    app.me = data.me || app.me;
    app.agents = Array.isArray(data.agents) ? data.agents : [];
    app.fetchedAt = Date.now();
    QUEUES.forEach((queue) => { app.lists[queue] = Array.isArray(data[queue]) ? data[queue].slice() : []; });
    app.lists.waiting.sort((a, b) => (b.waiting_seconds || 0) - (a.waiting_seconds || 0)
      || String(a.opened_at).localeCompare(String(b.opened_at)) || a.id - b.id);
    renderQueues();
    const waiting = app.lists.waiting.length;
    document.title = waiting ? `(${waiting}) ${app.baseTitle}` : app.baseTitle;
    // The open ticket moved (a colleague claimed it, the user cancelled…): fetch it again.
    const shown = app.detail && app.detail.ticket;
    if (shown && shown.id === app.selected) {
      const fresh = findTicket(shown.id);
      if (fresh ? fresh.state !== shown.state || fresh.agent !== shown.agent : ACTIVE.includes(shown.state)) {
        loadTicket(shown.id);
      }
    }
  }

  function renderQueues() {
    const active = document.activeElement;
    const focused = active && active.getAttribute('data-testid') === 'ticket-item' ? active.getAttribute('data-ticket-id') : null;
    QUEUES.forEach((queue) => {
      const list = $(`queue-${queue}`);
      const tickets = app.lists[queue];
      $(`count-${queue}`).textContent = `(${tickets.length})`;
      list.textContent = '';
      if (!tickets.length) list.appendChild(h('li', { class: 'empty', text: t('empty_queue') }));
      tickets.forEach((ticket) => list.appendChild(h('li', null, ticketItem(ticket, queue))));
    });
    if (focused) {
      const again = document.querySelector(`[data-testid="ticket-item"][data-ticket-id="${focused}"]`);
      if (again) again.focus();
    }
    tick();
  }

  function channelBadge(channel, visible) {
    const name = label('channel_', channel);
    return h('span', { class: `badge channel channel-${ICONS[channel] ? channel : 'other'}`, title: name },
      icon(ICONS[channel] || ICONS.other), h('span', { class: visible ? 'badge-text' : 'sr', text: name }));
  }

  function languageBadge(language) {
    if (!language) return null;
    return h('span', { class: 'badge lang', title: label('language_', language) },
      h('span', { 'aria-hidden': 'true', text: String(language).toUpperCase() }),
      h('span', { class: 'sr', text: label('language_', language) }));
  }

  /** Waiting time counters carry when the wait began; tick() rewrites them every second. */
  function waitNode(ticket, fetchedAt) {
    const since = fetchedAt - (ticket.waiting_seconds || 0) * 1000;
    return h('span', { class: 'wait js-wait', 'data-since': since, text: t('waiting_for', { time: duration((Date.now() - since) / 1000) }) });
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll('.js-wait').forEach((node) => {
      node.textContent = t('waiting_for', { time: duration((now - Number(node.getAttribute('data-since'))) / 1000) });
    });
  }

  /** The first line of a ticket or conversation in a list: its name, channel and language, then `more`. */
  function itemTop(name, channel, language, ...more) {
    return h('span', { class: 'ticket-top' }, h('span', { class: 'ticket-no', text: name }),
      channelBadge(channel, false), languageBadge(language), ...more);
  }

  const topicNode = (topic) => (topic ? h('span', { class: 'ticket-topic', text: topic }) : null);

  function ticketItem(ticket, queue) {
    const unread = app.unread[ticket.id] || 0;
    const selected = ticket.id === app.selected;
    return h('button', {
      type: 'button', class: `ticket${selected ? ' is-selected' : ''}${unread ? ' has-unread' : ''}`,
      'data-testid': 'ticket-item', 'data-ticket-id': ticket.id, 'data-state': ticket.state,
      'data-unread': unread || null, 'aria-current': selected ? 'true' : null, onclick: () => select(ticket.id),
    },
    itemTop(t('ticket', { id: ticket.id }), ticket.channel, ticket.language,
      unread ? h('span', { class: 'unread' }, h('span', { 'aria-hidden': 'true', text: String(unread) }),
        h('span', { class: 'sr', text: t('unread', { count: unread }) })) : null,
      ticket.state === 'waiting' ? waitNode(ticket, app.fetchedAt)
        : h('span', { class: 'when', text: t('opened_at', { time: when(ticket.opened_at) }) })),
    topicNode(ticket.topic),
    queue === 'others' && ticket.agent ? h('span', { class: 'ticket-agent', text: t('handled_by', { agent: agentName(ticket.agent) }) }) : null,
    ticket.preview ? h('span', { class: 'ticket-preview', text: ticket.preview }) : null);
  }

  // ---- the selected ticket ------------------------------------------------------------------

  function select(id) {
    id = Number(id);
    showSearch(false);
    if (app.selected !== null && app.selected !== id) app.drafts[app.selected] = el.input.value;
    if (app.selected !== id) {
      el.input.value = app.drafts[id] || '';
      app.detail = null;
    }
    app.selected = id;
    delete app.unread[id];
    try { window.history.replaceState(null, '', `#ticket-${id}`); } catch (e) { /* file:// and the like */ }
    renderQueues();
    renderTicket();
    return loadTicket(id);
  }

  let ticketSeq = 0;

  async function loadTicket(id) {
    const seq = ++ticketSeq;
    try {
      const data = await api(`/staff/api/tickets/${id}`);
      if (seq !== ticketSeq || app.selected !== id) return;
      app.detail = {
        ticket: data.ticket || { id }, transcript: data.transcript || [], notes: data.notes || [],
        history: data.history || [], allowed: data.allowed || [], fetchedAt: Date.now(),
      };
      renderTicket();
    } catch (error) {
      if (seq !== ticketSeq) return;
      report(error);
      if (error.status === 404 && app.selected === id) { app.selected = null; app.detail = null; renderTicket(); renderQueues(); }
    }
  }

  function renderTicket() {
    const detail = app.detail;
    el.empty.hidden = app.selected !== null;
    el.view.hidden = app.selected === null;
    if (app.selected === null) return;
    el.view.setAttribute('data-ticket-id', app.selected);
    el.view.setAttribute('aria-busy', detail ? 'false' : 'true');
    el.title.textContent = detail ? t('ticket', { id: detail.ticket.id }) : t('loading');
    if (!detail) {
      [el.facts, el.actions, el.transcript, el.notes, el.history].forEach((node) => { node.textContent = ''; });
      el.view.removeAttribute('data-state');
      updateReply();
      return;
    }
    el.view.setAttribute('data-state', detail.ticket.state || '');
    renderFacts(detail);
    renderActions(detail);
    renderTranscript(detail);
    renderNotes(detail);
    renderHistory(detail);
    renderCanned();
    updateReply();
  }

  function renderFacts(detail) {
    const ticket = detail.ticket;
    const waiting = ticket.state === 'waiting';
    const fact = (field, name, ...values) => h('div', { class: 'fact' }, h('dt', { text: name }), h('dd', { 'data-field': field }, ...values));
    const rows = [
      fact('state', t('state'), h('span', { class: `state state-${ticket.state}`, text: label('state_', ticket.state) })),
      fact('agent', t('agent'), ticket.agent ? agentName(ticket.agent) : t('nobody')),
      fact('channel', t('channel'), channelBadge(ticket.channel, true)),
      fact('language', t('language'), label('language_', ticket.language)),
      fact('topic', t('topic'), ticket.topic || t('unknown')),
      fact('reason', t('reason'), label('reason_', ticket.reason)),
      ticket.email ? fact('email', t('email'), ticket.email) : null,
      fact('opened', t('opened'), timeNode(ticket.opened_at), waiting ? ' · ' : null, waiting ? waitNode(ticket, detail.fetchedAt) : null),
    ];
    el.facts.textContent = '';
    rows.filter(Boolean).forEach((row) => el.facts.appendChild(row));
  }

  function renderActions(detail) {
    const active = document.activeElement;
    const focused = active && el.actions.contains(active) ? active.getAttribute('data-testid') : null;
    const previous = $('transfer-to');
    const chosen = previous ? previous.value : '';
    const allowed = new Set(detail.allowed);
    el.actions.textContent = '';
    ACTIONS.filter((action) => allowed.has(action)).forEach((action) => {
      if (action === 'transfer') { el.actions.appendChild(transferControls(detail.ticket, chosen)); return; }
      el.actions.appendChild(h('button', {
        type: 'button', class: `btn ${PRIMARY[action] || ''}`, 'data-testid': `action-${action}`,
        onclick: () => act(action, {}), text: t(action),
      }));
    });
    setBusy(app.busy);
    if (focused) {
      const again = el.actions.querySelector(`[data-testid="${focused}"]`);
      (again || el.title).focus();
    }
  }

  function transferControls(ticket, chosen) {
    const me = app.me ? app.me.username : null;
    const choice = h('select', { id: 'transfer-to', 'data-testid': 'transfer-to' }, h('option', { value: '', text: t('choose_colleague') }));
    app.agents.filter((a) => a.username !== me && a.username !== ticket.agent).forEach((a) => {
      choice.appendChild(h('option', { value: a.username, text: a.display_name || a.username }));
    });
    choice.value = chosen;
    if (choice.value !== chosen) choice.value = '';
    const go = () => {
      if (!choice.value) { showError(t('choose_colleague_first')); choice.focus(); return; }
      act('transfer', { to_agent: choice.value });
    };
    return h('span', { class: 'transfer' },
      h('label', { for: 'transfer-to', class: 'sr', text: t('transfer_to') }), choice,
      h('button', { type: 'button', class: 'btn', 'data-testid': 'action-transfer', onclick: go, text: t('transfer') }));
  }

  function setBusy(busy) {
    app.busy = busy;
    el.actions.querySelectorAll('button, select').forEach((control) => { control.disabled = busy; });
    el.actions.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  async function act(action, body) {
    if (app.busy || app.selected === null) return;
    const id = app.selected;
    const focused = document.activeElement && document.activeElement.getAttribute('data-testid');
    setBusy(true);
    clearError();
    let done = false;
    try {
      const data = await api(`/staff/api/tickets/${id}/${action}`, body);
      if (data.ticket && app.detail && app.detail.ticket.id === data.ticket.id) app.detail.ticket = data.ticket;
      announce(t('action_done', { action: t(action) }));
      done = true;
    } catch (error) {
      report(error);
    }
    app.busy = false;
    await Promise.all([refreshState(), app.selected === id ? loadTicket(id) : null]);
    setBusy(false);
    if (app.selected !== id) return;
    // Keep keyboard users where they were: the same button, else the ticket's heading (the reply box after a claim).
    const lost = !document.activeElement || document.activeElement === document.body;
    if (done && action === 'claim' && !el.input.disabled) el.input.focus();
    else if (lost) (el.actions.querySelector(`[data-testid="${focused}"]`) || el.title).focus();
  }

  // ---- transcript, notes, history -----------------------------------------------------------

  function renderTranscript(detail) {
    const list = el.transcript;
    const reading = list.getAttribute('data-ticket-id') === String(detail.ticket.id)
      && list.scrollHeight - list.scrollTop - list.clientHeight > 80 ? list.scrollTop : null;
    list.setAttribute('data-ticket-id', detail.ticket.id);
    app.seen = fillTranscript(list, detail.transcript);
    list.scrollTop = reading === null ? list.scrollHeight : reading; // someone reading further up keeps their place
  }

  /** Shows `messages` in `list` (a transcript of tickets or past conversations), each once; returns their ids. */
  function fillTranscript(list, messages) {
    const seen = new Set();
    list.textContent = '';
    messages.filter((message) => firstTime(seen, message)).forEach((message) => list.appendChild(messageNode(message)));
    if (!messages.length) list.appendChild(h('li', { class: 'empty', text: t('empty_transcript') }));
    return seen;
  }

  /** Notes the message's id in `seen`; false when it was there already. */
  function firstTime(seen, message) {
    if (message.id === undefined || message.id === null) return true;
    if (seen.has(message.id)) return false;
    seen.add(message.id);
    return true;
  }

  /** Adds one message unless it is shown already; false when it was a duplicate. */
  function appendMessage(message) {
    if (!firstTime(app.seen, message)) return false;
    const list = el.transcript;
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();
    list.appendChild(messageNode(message));
    if (nearEnd) list.scrollTop = list.scrollHeight;
    return true;
  }

  function messageNode(message) {
    const from = AUTHORS.includes(message.from) ? message.from : 'system';
    const buttons = (Array.isArray(message.buttons) ? message.buttons : [])
      .map((b) => (typeof b === 'string' ? b : (b && (b.title || b.payload)) || ''))
      .filter(Boolean);
    return h('li', { class: `msg msg-${from}`, 'data-testid': 'transcript-message', 'data-from': from, 'data-message-id': message.id },
      h('div', { class: 'msg-meta' }, h('span', { class: 'msg-who', text: t(`from_${from}`) }), ' ', timeNode(message.at)),
      h('div', { class: 'msg-text', text: message.text || '' }),
      buttons.length ? h('ul', { class: 'chips', 'aria-label': t('buttons_offered') },
        ...buttons.map((title) => h('li', { class: 'chip', text: title }))) : null);
  }

  function noteNode(note) {
    return h('li', { class: 'note', 'data-testid': 'note' },
      h('div', { class: 'note-label', text: t('note_label') }),
      h('div', { class: 'note-meta' }, h('span', { class: 'note-author', text: actorName(note.author) }), ' ', timeNode(note.at)),
      h('div', { class: 'note-text', text: note.text || '' }));
  }

  function renderNotes(detail) {
    el.notes.textContent = '';
    if (!detail.notes.length) el.notes.appendChild(h('li', { class: 'empty', text: t('no_notes') }));
    detail.notes.forEach((note) => el.notes.appendChild(noteNode(note)));
  }

  function renderHistory(detail) {
    el.history.textContent = '';
    detail.history.forEach((entry) => {
      const key = `event_${entry.event}`;
      const what = typeof T[key] === 'string' ? t(key, { agent: agentName(entry.to_agent) || t('unknown') }) : String(entry.event || '');
      el.history.appendChild(h('li', { 'data-event': entry.event },
        timeNode(entry.at), ' ', h('span', { class: 'event', text: what }),
        entry.actor ? h('span', { class: 'actor', text: ` ${t('by', { actor: actorName(entry.actor) })}` }) : null));
    });
  }

  // ---- replying -----------------------------------------------------------------------------

  function updateReply() {
    const mine = !!app.detail && isMine(app.detail.ticket);
    const note = el.internal.checked;
    el.input.disabled = !mine;
    el.internal.disabled = !mine;
    el.send.disabled = !mine || app.sending;
    el.canned.disabled = !mine || el.canned.options.length < 2;
    el.form.classList.toggle('is-note', note);
    el.form.classList.toggle('is-locked', !mine);
    el.input.placeholder = note ? t('note_placeholder') : t('reply_placeholder');
    el.send.textContent = note ? t('add_note') : t('send');
    el.hint.textContent = mine || !app.detail ? '' : t('reply_locked');
  }

  function renderCanned() {
    const language = (app.detail && app.canned[app.detail.ticket.language] && app.detail.ticket.language) || LANG;
    el.canned.textContent = '';
    el.canned.setAttribute('data-language', language);
    el.canned.appendChild(h('option', { value: '', text: t('canned_choose') }));
    (app.canned[language] || []).forEach((reply, index) => {
      el.canned.appendChild(h('option', { value: String(index), text: reply.title || short(reply.text, 60) }));
    });
  }

  async function loadCanned() {
    try {
      const data = await api('/staff/api/canned');
      app.canned = { sq: Array.isArray(data.sq) ? data.sq : [], en: Array.isArray(data.en) ? data.en : [] };
      renderCanned();
      updateReply();
    } catch (error) {
      report(error);
    }
  }

  function insertCanned() {
    const index = el.canned.value;
    el.canned.value = '';
    const reply = index === '' ? null : (app.canned[el.canned.getAttribute('data-language')] || [])[Number(index)];
    if (!reply || el.input.disabled) return;
    const input = el.input;
    const start = input.selectionStart;
    const before = input.value.slice(0, start);
    const text = (before && !/\s$/.test(before) ? ' ' : '') + String(reply.text || '');
    input.setRangeText(text, start, input.selectionEnd, 'end');
    input.focus();
  }

  async function send() {
    const text = el.input.value.trim();
    if (!text || app.sending || el.input.disabled || !app.detail) return;
    const id = app.detail.ticket.id;
    const internal = el.internal.checked;
    app.sending = true;
    updateReply();
    clearError();
    try {
      const data = await api(`/staff/api/tickets/${id}/messages`, { text, internal });
      delete app.drafts[id];
      if (app.selected === id) el.input.value = '';
      if (app.detail && app.detail.ticket.id === id) {
        if (data.note) {
          app.detail.notes.push(data.note);
          renderNotes(app.detail);
        }
        if (data.message && appendMessage(data.message)) {
          app.detail.transcript.push(data.message);
          el.transcript.scrollTop = el.transcript.scrollHeight;
        }
      }
      announce(internal ? t('note_added') : t('reply_sent'));
    } catch (error) {
      report(error);
    } finally {
      app.sending = false;
      updateReply();
    }
  }

  // ---- past conversations -------------------------------------------------------------------

  /** The search panel takes the place of the ticket panel while it is open. */
  function showSearch(open) {
    const opening = open && el.searchPanel.hidden;
    el.searchPanel.hidden = !open;
    el.ticketPanel.hidden = open;
    el.searchToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (opening) el.searchWords.focus();
  }

  async function search() {
    const seq = ++app.searchSeq;
    const query = new URLSearchParams();
    new FormData(el.searchForm).forEach((value, key) => { if (String(value).trim()) query.set(key, String(value).trim()); });
    el.results.setAttribute('aria-busy', 'true');
    el.searchStatus.textContent = t('searching');
    clearError();
    try {
      const data = await api(`/staff/api/search?${query}`);
      if (seq !== app.searchSeq) return;
      const results = Array.isArray(data.results) ? data.results : [];
      el.searchStatus.textContent = results.length === 1 ? t('search_found_one')
        : results.length ? t('search_found', { count: results.length }) : t('search_none');
      el.results.textContent = '';
      results.forEach((found) => el.results.appendChild(h('li', null, resultItem(found))));
      markOpen();
    } catch (error) {
      if (seq !== app.searchSeq) return;
      el.searchStatus.textContent = '';
      report(error);
    } finally {
      if (seq === app.searchSeq) el.results.setAttribute('aria-busy', 'false');
    }
  }

  function resultItem(found) {
    const id = found.conversation_id;
    return h('button', {
      type: 'button', class: 'ticket', 'data-testid': 'search-result', 'data-conversation-id': id,
      onclick: () => openConversation(id),
    },
    itemTop(t('conversation', { id }), found.channel, found.language, h('span', { class: 'when' }, timeNode(found.last_at))),
    topicNode(found.topic));
  }

  function markOpen() {
    el.results.querySelectorAll('[data-testid="search-result"]').forEach((item) => {
      const open = item.getAttribute('data-conversation-id') === String(app.pastOpen);
      item.classList.toggle('is-selected', open);
      if (open) item.setAttribute('aria-current', 'true'); else item.removeAttribute('aria-current');
    });
  }

  async function openConversation(id) {
    const seq = ++app.pastSeq;
    app.pastOpen = id;
    markOpen();
    el.pastTitle.textContent = t('conversation', { id });
    el.pastDetail.hidden = false;
    el.pastDetail.setAttribute('aria-busy', 'true');
    el.pastTranscript.setAttribute('data-conversation-id', id);
    [el.pastTickets, el.pastTranscript].forEach((node) => { node.textContent = ''; });
    try {
      const data = await api(`/staff/api/conversations/${id}`);
      if (seq !== app.pastSeq) return;
      const tickets = Array.isArray(data.tickets) ? data.tickets : [];
      tickets.forEach((ticket) => el.pastTickets.appendChild(pastTicket(ticket)));
      if (!tickets.length) el.pastTickets.appendChild(h('li', { class: 'empty', text: t('no_tickets') }));
      fillTranscript(el.pastTranscript, Array.isArray(data.transcript) ? data.transcript : []);
      el.pastTranscript.scrollTop = 0;
      el.pastDetail.setAttribute('aria-busy', 'false');
    } catch (error) {
      if (seq === app.pastSeq) report(error);
    }
  }

  /** A ticket of a past conversation; its button opens the ticket in the ticket panel. */
  function pastTicket(ticket) {
    const open = () => { select(ticket.id); el.title.focus(); };
    return h('li', null,
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'search-ticket', 'data-ticket-id': ticket.id,
        onclick: open, text: t('ticket', { id: ticket.id }) }),
      ' ', h('span', { class: `state state-${ticket.state}`, text: label('state_', ticket.state) }),
      ticket.agent ? ` · ${agentName(ticket.agent)}` : null, ' · ', timeNode(ticket.opened_at));
  }

  // ---- live updates -------------------------------------------------------------------------

  function onPush(event) {
    if (!event || typeof event !== 'object') return;
    if (event.type === 'queue') refreshState();
    else if (event.type === 'message') onMessage(event);
    else if (event.type === 'new_ticket') {
      chime();
      notifyDesktop(Number(event.ticket_id));
      refreshState();
    }
  }

  function onMessage(event) {
    const id = Number(event.ticket_id);
    const message = event.message || {};
    const ticket = findTicket(id);
    if (ticket && message.from === 'user' && message.text) ticket.preview = message.text;
    const shown = app.detail && app.detail.ticket;
    const open = shown && app.selected === shown.id
      && (shown.id === id || (event.conversation_id != null && shown.conversation_id === event.conversation_id));
    if (open) {
      if (appendMessage(message)) {
        app.detail.transcript.push(message);
        if (message.from === 'user') announce(t('new_message', { text: short(message.text) }));
      }
      renderQueues();
      return;
    }
    if (app.selected === id) { renderQueues(); return; } // still loading: the fetch brings it
    if (message.from !== 'user') return;
    app.unread[id] = (app.unread[id] || 0) + 1;
    renderQueues();
    if (isMine(ticket)) announce(t('new_message_in', { id }));
  }

  let socket = null;
  let attempts = 0;
  let reconnectTimer = null;

  function setStatus(state) {
    el.status.setAttribute('data-state', state);
    el.status.textContent = t(state);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    setStatus(attempts ? 'reconnecting' : 'connecting');
    let ws;
    try { ws = new WebSocket(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/staff/ws`); } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempts = 0;
      setStatus('connected');
      // Whatever happened while we were away: fetch everything again.
      refreshState();
      if (app.selected !== null) loadTicket(app.selected);
    };
    ws.onmessage = (message) => {
      let data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      onPush(data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      setStatus('reconnecting');
      if (!opened || event.code === 1008 || event.code >= 4000) refreshState(); // refused? shows why (signed out, server down)
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    const delay = Math.min(30000, 1000 * 2 ** Math.min(attempts, 5)) * (0.75 + Math.random() * 0.5);
    attempts += 1;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  // ---- sound and desktop notifications ------------------------------------------------------

  let audio = null;

  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) { try { audio = new Context(); } catch (e) { return null; } }
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    return audio;
  }

  /** Two short rising tones, made on the spot (no audio files). */
  function chime() {
    const ctx = audioContext();
    if (!ctx) return;
    const start = ctx.currentTime + 0.02;
    [[660, 0], [990, 0.15]].forEach(([frequency, offset]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const at = start + offset;
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.25);
    });
  }

  function notifyDesktop(id) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const note = new Notification(t('new_ticket'), { body: t('new_ticket_body'), tag: `helpdesk-ticket-${id}`, lang: LANG });
      note.onclick = () => { window.focus(); if (id) select(id); note.close(); };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function renderNotifyButton() {
    if (!('Notification' in window)) { el.notify.hidden = true; return; }
    const permission = Notification.permission;
    el.notify.setAttribute('data-permission', permission);
    el.notify.textContent = permission === 'granted' ? t('notifications_on')
      : permission === 'denied' ? t('notifications_blocked') : t('enable_notifications');
  }

  async function enableNotifications() {
    audioContext(); // a click is what lets the page play sounds later
    if (!('Notification' in window)) return;
    if (Notification.permission !== 'default') { chime(); return; } // lets staff hear what a new ticket sounds like
    try {
      await new Promise((resolve) => {
        const asked = Notification.requestPermission(resolve);
        if (asked && asked.then) asked.then(resolve, resolve);
      });
    } catch (e) { /* refused */ }
    renderNotifyButton();
  }

  // ---- start --------------------------------------------------------------------------------

  el.form.addEventListener('submit', (event) => { event.preventDefault(); send(); });
  el.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
  });
  el.internal.addEventListener('change', updateReply);
  el.canned.addEventListener('change', insertCanned);
  el.notify.addEventListener('click', enableNotifications);
  el.searchToggle.addEventListener('click', () => showSearch(el.searchPanel.hidden));
  el.searchForm.addEventListener('submit', (event) => { event.preventDefault(); search(); });
  el.searchPanel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented || (event.target.type === 'search' && event.target.value)) return;
    showSearch(false);
    el.searchToggle.focus();
  });
  const unlock = () => { audioContext(); document.removeEventListener('pointerdown', unlock); document.removeEventListener('keydown', unlock); };
  document.addEventListener('pointerdown', unlock);
  document.addEventListener('keydown', unlock);
  window.addEventListener('online', () => { if (!socket) connect(); });

  [renderNotifyButton, renderCanned, renderTicket, updateReply, refreshState, loadCanned, connect].forEach((step) => step());
  setInterval(tick, 1000);
  const fromHash = /^#ticket-(\d+)$/.exec(location.hash);
  if (fromHash) select(Number(fromHash[1]));
})();

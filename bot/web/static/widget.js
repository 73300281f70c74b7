/*
 * Help desk chat widget for websites (KCSF resource centre). Plain ES2019, no dependencies.
 *
 * Embed:
 *   <script src="https://helpdesk.example/widget/widget.js" data-language="sq"
 *           data-title="KCSF Help desk" data-color="#0b5394" data-position="right" defer></script>
 *
 * data-language  sq | en (default: the page's <html lang>, else sq)
 * data-title     panel title (default: the catalogue's title)
 * data-color     accent colour, any CSS colour (invalid values are ignored)
 * data-position  right | left
 * data-server    base URL of the help desk server (default: the origin of this script)
 *
 * Protocol (WebSocket <server>/widget/ws, JSON text frames), see bot/channels/widget.py:
 *   client → {"type":"hello","session":S,"language":L}   first frame of every connection
 *   client → {"type":"message","id":UUID,"text":T[,"payload":P]}   resent with the same id until acked
 *   server → {"type":"history","messages":[M...]} | M | {"type":"ack","id":UUID}
 *          | {"type":"typing","on":bool} | {"type":"error","code":C,"id":UUID|null}
 *   M = {"type":"message","id":int,"from":"user"|"bot"|"staff"|"system","text":T,
 *        "buttons":[{"title","payload"}],"client_id":UUID|null,"at":ISO}
 *
 * Unsent messages live in localStorage (helpdesk.outbox) until the server acknowledges them,
 * so nothing typed is lost to a dropped connection or a page reload, and the server
 * de-duplicates resends by id.
 */
(function () {
  'use strict';

  if (window.HelpdeskWidget || document.getElementById('helpdesk-widget')) return;

  var SCRIPT = document.currentScript || (function () {
    var scripts = document.querySelectorAll('script[src]');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js([?#]|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  })();

  var MAX_CHARS = 2000;
  var LANGUAGES = ['sq', 'en'];
  var KEY_SESSION = 'helpdesk.session';
  var KEY_OUTBOX = 'helpdesk.outbox';
  var BACKOFF_MIN = 500;
  var BACKOFF_MAX = 10000;
  var AWAIT_MAX = 15000;     // typing dots after a send, at most this long without an answer
  var ACK_TIMEOUT = 10000;   // no frame at all this long while a message waits for its ack: reconnect
  var RATE_MIN = 2000;
  var RATE_MAX = 30000;
  var TOKEN_RE = /^[A-Za-z0-9-]{16,64}$/;

  // Minimal English texts, used until (or if never) the server's catalogue arrives.
  var FALLBACK = {
    title: 'Help desk for CSOs',
    open: 'Open chat',
    close: 'Close',
    placeholder: 'Type your question…',
    input_label: 'Your question',
    send: 'Send',
    typing: 'Typing…',
    offline: 'You are offline – your message will be sent when you are back online',
    reconnecting: 'Connection lost – reconnecting…',
    sending: 'Sending…',
    delivered: 'Sent',
    failed: 'Not sent',
    error_too_long: 'The message is too long – please shorten it to at most {limit} characters.',
    error_rate_limited: 'You sent many messages at once – they will be sent in a moment.',
    new_conversation: 'New conversation',
    messages_label: 'Conversation',
    opens_new_tab: 'opens in a new tab',
    unread: 'new message',
    you: 'You',
    bot: 'Virtual assistant',
    staff: 'Help desk team',
    system: 'Help desk'
  };

  // ---------------------------------------------------------------- configuration

  function data(name) {
    var value = SCRIPT ? SCRIPT.getAttribute('data-' + name) : null;
    return value == null ? '' : String(value).trim();
  }

  var SCRIPT_URL = (function () {
    try { return new URL(SCRIPT && SCRIPT.src ? SCRIPT.src : location.href, location.href); } catch (e) { return null; }
  })();

  function pickLanguage() {
    var candidates = [data('language'), document.documentElement.getAttribute('lang') || ''];
    for (var i = 0; i < candidates.length; i++) {
      var code = candidates[i].toLowerCase().split(/[-_]/)[0];
      if (LANGUAGES.indexOf(code) >= 0) return code;
    }
    return 'sq';
  }

  function serverBase() {
    var candidates = [data('server'), SCRIPT_URL ? SCRIPT_URL.origin : '', location.origin];
    for (var i = 0; i < candidates.length; i++) {
      if (!candidates[i] || candidates[i] === 'null') continue;
      try {
        var url = new URL(candidates[i], location.href);
        if (url.protocol === 'http:' || url.protocol === 'https:') {
          return url.origin + url.pathname.replace(/\/+$/, '');
        }
      } catch (e) { /* try the next one */ }
    }
    return '';
  }

  function validColour(value) {
    if (!value || /[;{}<>]|url\(/i.test(value)) return '';
    if (window.CSS && typeof CSS.supports === 'function') return CSS.supports('color', value) ? value : '';
    var probe = document.createElement('span').style;
    probe.color = value;
    return probe.color ? value : '';
  }

  var CONFIG = {
    language: pickLanguage(),
    title: data('title'),
    colour: validColour(data('color') || data('colour')),
    position: data('position').toLowerCase() === 'left' ? 'left' : 'right',
    server: serverBase()
  };
  CONFIG.socketUrl = CONFIG.server.replace(/^http/, 'ws') + '/widget/ws';
  CONFIG.cssUrl = SCRIPT_URL ? new URL('widget.css' + SCRIPT_URL.search, SCRIPT_URL).href : CONFIG.server + '/widget/widget.css';

  // ---------------------------------------------------------------- storage, ids

  var storage = (function () {
    var memory = {};
    var local = null;
    try {
      local = window.localStorage;
      local.setItem('helpdesk.probe', '1');
      local.removeItem('helpdesk.probe');
    } catch (e) { local = null; }
    return {
      get: function (key) {
        if (local) {
          try { var value = local.getItem(key); memory[key] = value; return value; } catch (e) { local = null; }
        }
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      },
      set: function (key, value) {
        memory[key] = value;
        if (local) {
          try { local.setItem(key, value); } catch (e) { local = null; }  // full or refused: memory from now on
        }
      }
    };
  })();

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function currentSession() {
    var token = storage.get(KEY_SESSION);
    return token && TOKEN_RE.test(token) ? token : null;
  }

  function ensureSession() {
    var token = currentSession();
    if (!token) {
      token = uuid();
      storage.set(KEY_SESSION, token);
    }
    return token;
  }

  function loadOutbox() {
    var raw = storage.get(KEY_OUTBOX);
    if (!raw) return [];
    try {
      var items = JSON.parse(raw);
      if (!Array.isArray(items)) return [];
      return items.filter(function (item) {
        return item && typeof item.id === 'string' && item.id && typeof item.text === 'string';
      });
    } catch (e) { return []; }
  }

  function saveOutbox(items) { storage.set(KEY_OUTBOX, JSON.stringify(items)); }

  function addToOutbox(item) {
    var items = loadOutbox();
    items.push(item);
    saveOutbox(items);
  }

  function removeFromOutbox(id) {
    var items = loadOutbox();
    var rest = items.filter(function (item) { return item.id !== id; });
    if (rest.length !== items.length) saveOutbox(rest);
  }

  // ---------------------------------------------------------------- small helpers

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (attrs) Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function setAttr(node, name, value) {
    if (value == null || value === false) {
      if (node.hasAttribute(name)) node.removeAttribute(name);
    } else if (node.getAttribute(name) !== String(value)) {
      node.setAttribute(name, String(value));
    }
  }

  function icon(paths) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'hd-icon');
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ICON_CHAT = ['M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A1.5 1.5 0 0 1 4 14.5z',
    'M8 8.5h8M8 11.5h5'];
  var ICON_CLOSE = ['M6 6l12 12M18 6L6 18'];
  var ICON_NEW = ['M12 5v14M5 12h14'];

  function codePoints(text) { return Array.from(text).length; }  // what the server's len() counts

  function fill(template) { return String(template).replace(/\{limit\}/g, String(MAX_CHARS)); }

  // Text → text nodes and <a> for http(s) URLs. Never parses HTML.
  var URL_RE = /\bhttps?:\/\/[^\s<>"'`«»„“”‘’]+/gi;

  function trimUrl(url) {
    for (;;) {
      var last = url.slice(-1);
      if (/[.,;:!?*_~]/.test(last)) { url = url.slice(0, -1); continue; }
      if (last === ')' && url.split('(').length < url.split(')').length) { url = url.slice(0, -1); continue; }
      if (last === ']' && url.split('[').length < url.split(']').length) { url = url.slice(0, -1); continue; }
      return url;
    }
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) { return null; }
  }

  function renderText(node, text) {
    while (node.firstChild) node.removeChild(node.firstChild);
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = trimUrl(match[0]);
      var start = match.index;
      var href = url.length > 'https://'.length ? safeHref(url) : null;
      if (!href) continue;
      if (start > last) node.appendChild(document.createTextNode(text.slice(last, start)));
      var link = el('a', 'hd-link', {target: '_blank', rel: 'noopener noreferrer', 'aria-describedby': 'helpdesk-newtab'});
      link.href = href;
      link.textContent = url;
      node.appendChild(link);
      last = start + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------- state

  var texts = Object.assign({}, FALLBACK);
  var entries = new Map();     // key → {key, from, text, buttons, serverId, clientId, state, error, at}
  var order = [];              // keys in display order
  var byServerId = new Map();  // server id → key
  var views = new Map();       // key → {el, bubble, textNode, actions, renderedText, renderedButtons}

  var ws = null;               // the current socket (CONNECTING or OPEN), null when there is none
  var helloSent = false;
  var sentOnSocket = new Set();  // outbox ids already written to the current socket
  var wantConnection = false;
  var connectionLost = false;  // a socket closed or failed since the last history
  var backoff = BACKOFF_MIN;
  var retryTimer = null;
  var lastActivity = 0;
  var ackTimer = null;
  var rateDelay = 0;
  var rateUntil = 0;
  var rateTimer = null;

  var isOpen = false;
  var serverTyping = false;
  var awaitingReply = false;
  var awaitTimer = null;
  var scrollAfterRender = false;
  var unread = false;
  var lastNotice = '';

  var ui = null;               // DOM references, once mounted

  // ---------------------------------------------------------------- DOM

  function mount() {
    var root = el('div', 'hd-root hd-' + CONFIG.position, {id: 'helpdesk-widget', lang: CONFIG.language, dir: 'ltr'});
    if (CONFIG.colour) root.style.setProperty('--hd-accent', CONFIG.colour);
    root.style.visibility = 'hidden';  // until widget.css is in

    var launcher = el('button', 'hd-launcher', {
      type: 'button', 'data-testid': 'helpdesk-launcher', 'aria-expanded': 'false', 'aria-controls': 'helpdesk-panel'
    });
    var chatIcon = icon(ICON_CHAT);
    chatIcon.classList.add('hd-icon-chat');
    var closeIcon = icon(ICON_CLOSE);
    closeIcon.classList.add('hd-icon-close');
    launcher.appendChild(chatIcon);
    launcher.appendChild(closeIcon);
    launcher.appendChild(el('span', 'hd-badge', {'aria-hidden': 'true'}));

    var panel = el('div', 'hd-panel', {id: 'helpdesk-panel', role: 'dialog'});
    panel.hidden = true;

    var header = el('div', 'hd-header');
    var title = el('div', 'hd-title');
    header.appendChild(title);

    var log = el('div', 'hd-log', {role: 'log', 'aria-live': 'polite', tabindex: '0'});
    var list = el('div', 'hd-list');
    var typing = el('div', 'hd-typing', {'data-testid': 'helpdesk-typing'});
    typing.hidden = true;
    var dots = el('span', 'hd-dots', {'aria-hidden': 'true'});
    for (var i = 0; i < 3; i++) dots.appendChild(el('span', 'hd-dot'));
    var typingText = el('span', 'hd-sr');
    typing.appendChild(dots);
    typing.appendChild(typingText);
    log.appendChild(list);
    log.appendChild(typing);

    var notice = el('div', 'hd-notice', {'data-testid': 'helpdesk-offline'});
    notice.hidden = true;
    var error = el('div', 'hd-error', {role: 'alert', 'data-testid': 'helpdesk-error'});

    var form = el('form', 'hd-form', {novalidate: ''});
    var input = el('textarea', 'hd-input', {'data-testid': 'helpdesk-input', rows: '1', autocomplete: 'off', spellcheck: 'true'});
    var counter = el('span', 'hd-counter', {'aria-hidden': 'true'});
    counter.hidden = true;
    var send = el('button', 'hd-send', {type: 'submit', 'data-testid': 'helpdesk-send'});
    form.appendChild(input);
    form.appendChild(send);

    // Close (and "new conversation") come last in the DOM so that Tab goes
    // messages → buttons → input → send → close; CSS puts them in the header.
    var close = el('button', 'hd-close', {type: 'button', 'data-testid': 'helpdesk-close'});
    close.appendChild(icon(ICON_CLOSE));
    var fresh = el('button', 'hd-new', {type: 'button', 'data-testid': 'helpdesk-new-conversation'});
    fresh.appendChild(icon(ICON_NEW));
    fresh.hidden = true;

    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(notice);
    panel.appendChild(error);
    panel.appendChild(counter);
    panel.appendChild(form);
    panel.appendChild(close);
    panel.appendChild(fresh);

    var live = el('div', 'hd-sr', {'aria-live': 'polite', 'data-testid': 'helpdesk-status'});
    var newTab = el('span', 'hd-sr', {id: 'helpdesk-newtab'});
    newTab.hidden = true;

    root.appendChild(launcher);
    root.appendChild(panel);
    root.appendChild(live);
    root.appendChild(newTab);

    ui = {
      root: root, launcher: launcher, panel: panel, title: title, log: log, list: list, typing: typing,
      typingText: typingText, notice: notice, error: error, form: form, input: input, counter: counter,
      send: send, close: close, fresh: fresh, live: live, newTab: newTab
    };

    launcher.addEventListener('click', function () { if (isOpen) closePanel(true); else openPanel(); });
    close.addEventListener('click', function () { closePanel(true); });
    fresh.addEventListener('click', newConversation);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      sendFromInput();
      input.focus();
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        sendFromInput();
      }
    });
    input.addEventListener('input', onInput);
    root.addEventListener('keydown', function (event) {
      if ((event.key === 'Escape' || event.key === 'Esc') && isOpen && !event.isComposing) {
        event.preventDefault();
        event.stopPropagation();
        closePanel(true);
      }
    });
    document.body.appendChild(root);
    loadStyles();
    applyColours();
    applyTexts();
    render();
  }

  function loadStyles() {
    var shown = false;
    function show() {
      if (shown) return;
      shown = true;
      ui.root.style.visibility = '';
      // open() called while the styles were loading could not move the focus yet
      if (isOpen && (!document.activeElement || document.activeElement === document.body)) ui.input.focus();
    }
    var existing = Array.prototype.some.call(document.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      return link.href === CONFIG.cssUrl;
    });
    if (existing) { show(); return; }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = CONFIG.cssUrl;
    link.setAttribute('data-helpdesk', '');
    link.addEventListener('load', show);
    link.addEventListener('error', show);
    (document.head || document.documentElement).appendChild(link);
    setTimeout(show, 4000);
  }

  // White or near-black text on the accent colour, whichever reads better; a focus ring that shows.
  function applyColours() {
    if (!CONFIG.colour) return;
    var probe = el('span');
    probe.style.color = CONFIG.colour;
    ui.root.appendChild(probe);
    var rgb = (getComputedStyle(probe).color || '').match(/rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/);
    ui.root.removeChild(probe);
    if (!rgb) return;
    var channel = function (v) { v = Number(v) / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    var lum = 0.2126 * channel(rgb[1]) + 0.7152 * channel(rgb[2]) + 0.0722 * channel(rgb[3]);
    var onWhite = 1.05 / (lum + 0.05);
    var onDark = (lum + 0.05) / (0.0137 + 0.05);  // #1f2328
    ui.root.style.setProperty('--hd-on-accent', onWhite >= onDark ? '#ffffff' : '#1f2328');
    if (onWhite < 3) ui.root.style.setProperty('--hd-focus', '#1f2328');
  }

  function applyTexts() {
    if (!ui) return;
    var title = CONFIG.title || texts.title;
    ui.title.textContent = title;
    setAttr(ui.panel, 'aria-label', title);
    setAttr(ui.launcher, 'aria-label', isOpen ? texts.close : (unread ? texts.open + ' (' + texts.unread + ')' : texts.open));
    setAttr(ui.log, 'aria-label', texts.messages_label);
    setAttr(ui.input, 'aria-label', texts.input_label || texts.placeholder);
    setAttr(ui.input, 'placeholder', texts.placeholder);
    ui.send.textContent = texts.send;
    setAttr(ui.close, 'aria-label', texts.close);
    setAttr(ui.close, 'title', texts.close);
    setAttr(ui.fresh, 'aria-label', texts.new_conversation);
    setAttr(ui.fresh, 'title', texts.new_conversation);
    ui.typingText.textContent = texts.typing;
    ui.newTab.textContent = texts.opens_new_tab;
    updateNotice();
  }

  function loadTexts() {
    if (typeof fetch !== 'function' || !CONFIG.server) return;
    fetch(CONFIG.server + '/widget/messages/' + CONFIG.language + '.json', {credentials: 'omit', headers: {Accept: 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (catalogue) {
        if (!catalogue || typeof catalogue !== 'object') return;
        Object.keys(catalogue).forEach(function (key) {
          if (typeof catalogue[key] === 'string' && catalogue[key]) texts[key] = catalogue[key];
        });
        applyTexts();
        render();
      })
      .catch(function () { /* keep the built-in texts */ });
  }

  function announce(text) {
    if (!ui || !isOpen) return;
    ui.live.textContent = '';
    if (text) setTimeout(function () { ui.live.textContent = text; }, 50);
  }

  // ---------------------------------------------------------------- rendering

  function isNearBottom() {
    var log = ui.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollToBottom() { ui.log.scrollTop = ui.log.scrollHeight; }

  function createView(key) {
    var node = el('div', 'hd-msg', {'data-testid': 'helpdesk-message'});
    var bubble = el('div', 'hd-bubble');
    var textNode = el('div', 'hd-text');
    bubble.appendChild(textNode);
    node.appendChild(bubble);
    // The buttons follow the message rather than sit in it: the message's text stays its text.
    var actions = el('div', 'hd-actions');
    actions.hidden = true;
    return {key: key, el: node, bubble: bubble, textNode: textNode, actions: actions, renderedText: null, renderedButtons: null};
  }

  function statusOf(entry, isLastUser) {
    if (entry.from !== 'user') return null;
    if (entry.state === 'sending') return texts.sending;
    if (entry.state === 'failed') return entry.error || texts.failed;
    return isLastUser ? texts.delivered : null;
  }

  function updateView(view, entry, isLastAnswer, isLastUser) {
    var node = view.el;
    setAttr(node, 'data-from', entry.from);
    setAttr(node, 'data-id', entry.serverId);
    setAttr(node, 'data-client-id', entry.clientId);
    setAttr(node, 'data-state', entry.state);
    setAttr(node, 'data-who', texts[entry.from === 'user' ? 'you' : entry.from] || texts.bot);
    setAttr(node, 'data-status', statusOf(entry, isLastUser));
    setAttr(node, 'data-at', entry.at);
    if (view.renderedText !== entry.text) {
      renderText(view.textNode, entry.text);
      view.renderedText = entry.text;
      view.bubble.hidden = !entry.text;
    }
    var buttons = entry.from === 'user' ? [] : entry.buttons;
    var signature = JSON.stringify(buttons);
    if (view.renderedButtons !== signature) {
      while (view.actions.firstChild) view.actions.removeChild(view.actions.firstChild);
      buttons.forEach(function (button, index) {
        var b = el('button', 'hd-button', {type: 'button', 'data-testid': 'helpdesk-button'});
        b.textContent = button.title;
        b.addEventListener('click', function () { tapButton(entry.key, index); });
        view.actions.appendChild(b);
      });
      view.actions.hidden = buttons.length === 0;
      view.renderedButtons = signature;
    }
    // Only the buttons of the latest answer can be used; older ones stay visible, disabled.
    Array.prototype.forEach.call(view.actions.children, function (b) {
      if (b.disabled === isLastAnswer) {
        if (!isLastAnswer && document.activeElement === b) ui.input.focus();
        b.disabled = !isLastAnswer;
      }
    });
  }

  function render() {
    if (!ui) return;
    var wasNear = isNearBottom();
    var added = false;
    var lastAnswer = null;
    var lastUser = null;
    order.forEach(function (key) {
      if (entries.get(key).from === 'user') lastUser = key; else lastAnswer = key;
    });
    var keep = new Set();
    var cursor = ui.list.firstChild;
    order.forEach(function (key) {
      keep.add(key);
      var view = views.get(key);
      if (!view) {
        view = createView(key);
        views.set(key, view);
        added = true;
      }
      updateView(view, entries.get(key), key === lastAnswer, key === lastUser);
      [view.el, view.actions].forEach(function (node) {
        if (node !== cursor) ui.list.insertBefore(node, cursor);
        else cursor = cursor.nextSibling;
      });
    });
    views.forEach(function (view, key) {
      if (keep.has(key)) return;
      [view.el, view.actions].forEach(function (node) {
        if (node.contains(document.activeElement)) ui.input.focus();
        if (node.parentNode) node.parentNode.removeChild(node);
      });
      views.delete(key);
    });
    ui.fresh.hidden = order.length === 0;
    if ((added && wasNear) || scrollAfterRender) scrollToBottom();
    scrollAfterRender = false;
  }

  function updateTyping() {
    if (!ui) return;
    var on = serverTyping || awaitingReply;
    if (ui.typing.hidden === !on) return;
    var wasNear = isNearBottom();
    ui.typing.hidden = !on;
    if (on && wasNear) scrollToBottom();
  }

  function updateNotice() {
    if (!ui) return;
    var online = navigator.onLine !== false;
    var up = online && ws !== null && ws.readyState === 1 && helloSent;
    var pending = loadOutbox().length > 0;
    ui.fresh.disabled = pending;  // unsent messages belong to the current conversation
    var text = '';
    if (!online) text = texts.offline;
    else if (!up && (connectionLost || (pending && wantConnection && !ws))) text = pending ? texts.offline : texts.reconnecting;
    var near = isNearBottom();  // the notice takes room from the messages: keep the latest in view
    if (ui.notice.textContent !== text) ui.notice.textContent = text;
    ui.notice.hidden = !text;
    if (near) scrollToBottom();
    ui.root.classList.toggle('hd-is-offline', !!text);
    if (text !== lastNotice) {
      lastNotice = text;
      if (text) announce(text);
    }
  }

  function showError(text) {
    var near = isNearBottom();
    ui.error.textContent = text || '';
    ui.root.classList.toggle('hd-has-error', !!text);
    if (near) scrollToBottom();
  }

  function onInput() {
    var input = ui.input;
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, 160) + 'px';
    var count = codePoints(input.value);
    var near = isNearBottom();
    ui.counter.hidden = count <= MAX_CHARS - 200;
    ui.counter.textContent = count + '/' + MAX_CHARS;
    ui.counter.classList.toggle('hd-over', count > MAX_CHARS);
    if (count <= MAX_CHARS && ui.error.textContent) showError('');
    if (near) scrollToBottom();
  }

  // ---------------------------------------------------------------- panel

  function openPanel() {
    if (!ui) return;
    if (!isOpen) {
      isOpen = true;
      ui.panel.hidden = false;
      ui.root.classList.add('hd-open');
      setAttr(ui.launcher, 'aria-expanded', 'true');
      unread = false;
      ui.root.classList.remove('hd-unread');
      applyTexts();
      wantConnection = true;
      ensureSession();
      connect();
      scrollToBottom();
    }
    ui.input.focus();
  }

  function closePanel(returnFocus) {
    if (!ui || !isOpen) return;
    var focusWasInside = ui.panel.contains(document.activeElement);
    isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove('hd-open');
    setAttr(ui.launcher, 'aria-expanded', 'false');
    applyTexts();
    if (returnFocus || focusWasInside) ui.launcher.focus();
  }

  function newConversation() {
    if (loadOutbox().length > 0) return;
    storage.set(KEY_SESSION, uuid());
    resetConversation();
    ui.input.focus();
  }

  function resetConversation() {
    entries = new Map();
    order = [];
    byServerId = new Map();
    serverTyping = false;
    stopAwaiting();
    render();
    abandonSocket();
    connectionLost = false;
    wantConnection = true;
    backoff = BACKOFF_MIN;
    connect();
  }

  // ---------------------------------------------------------------- messages

  var KNOWN_AUTHORS = ['user', 'bot', 'staff', 'system'];

  function normalise(message) {
    if (!message || typeof message !== 'object') return null;
    var from = KNOWN_AUTHORS.indexOf(message.from) >= 0 ? message.from : 'bot';
    var text = typeof message.text === 'string' ? message.text : (message.text == null ? '' : String(message.text));
    var buttons = Array.isArray(message.buttons) ? message.buttons.filter(function (b) {
      return b && typeof b.title === 'string' && b.title.trim();
    }).map(function (b) {
      return {title: b.title, payload: typeof b.payload === 'string' && b.payload ? b.payload : null};
    }) : [];
    if (!text && !buttons.length) return null;
    var id = (typeof message.id === 'number' || typeof message.id === 'string') && message.id !== '' ? String(message.id) : null;
    var clientId = from === 'user' && typeof message.client_id === 'string' && message.client_id ? message.client_id : null;
    return {from: from, text: text, buttons: buttons, serverId: id, clientId: clientId, state: 'sent',
      error: null, at: typeof message.at === 'string' ? message.at : null};
  }

  // A user message the client sent is keyed by its client id, so the server's copy replaces it in place.
  function keyFor(message, index) {
    if (message.serverId !== null && index.has(message.serverId)) return index.get(message.serverId);
    if (message.clientId) return 'c:' + message.clientId;
    return message.serverId !== null ? 's:' + message.serverId : 'x:' + uuid();
  }

  function applyHistory(messages) {
    var nextEntries = new Map();
    var nextOrder = [];
    var nextIndex = new Map();
    messages.forEach(function (raw) {
      var message = normalise(raw);
      if (!message) return;
      if (message.serverId !== null && nextIndex.has(message.serverId)) return;
      var key = keyFor(message, nextIndex);
      if (nextEntries.has(key)) return;
      message.key = key;
      nextEntries.set(key, message);
      nextOrder.push(key);
      if (message.serverId !== null) nextIndex.set(message.serverId, key);
      if (message.clientId) removeFromOutbox(message.clientId);
    });
    // Still unacknowledged (or refused) local messages stay, after the history. Acknowledged
    // ones are in the history: the server stored them before it acked.
    var pending = new Set(loadOutbox().map(function (item) { return item.id; }));
    order.forEach(function (key) {
      var entry = entries.get(key);
      if (nextEntries.has(key) || entry.serverId !== null) return;
      if (entry.state === 'failed' || (entry.state === 'sending' && pending.has(entry.clientId))) {
        nextEntries.set(key, entry);
        nextOrder.push(key);
      }
    });
    entries = nextEntries;
    order = nextOrder;
    byServerId = nextIndex;
    scrollAfterRender = true;
    render();
  }

  function applyMessage(raw) {
    var message = normalise(raw);
    if (!message) return;
    var key = keyFor(message, byServerId);
    var existing = entries.get(key);
    if (existing) {
      Object.keys(message).forEach(function (field) { existing[field] = message[field]; });
    } else {
      message.key = key;
      entries.set(key, message);
      order.push(key);
    }
    if (message.serverId !== null) byServerId.set(message.serverId, key);
    if (message.clientId) {
      removeFromOutbox(message.clientId);
      sentOnSocket.delete(message.clientId);
    }
    if (message.from !== 'user' && !existing) {
      stopAwaiting();
      if (!isOpen) {
        unread = true;
        ui.root.classList.add('hd-unread');
        applyTexts();
      }
    }
    render();
    updateNotice();
  }

  function submit(rawText, payload) {
    if (!ui) return null;
    var text = String(rawText == null ? '' : rawText).replace(/\r\n?/g, '\n').trim();
    if (!text) return null;
    if (codePoints(text) > MAX_CHARS) {
      showError(fill(texts.error_too_long));
      return null;
    }
    showError('');
    var id = uuid();
    var item = {id: id, text: text, at: new Date().toISOString()};
    if (payload) item.payload = payload;
    addToOutbox(item);
    var key = 'c:' + id;
    entries.set(key, {key: key, from: 'user', text: text, buttons: [], serverId: null, clientId: id,
      state: 'sending', error: null, at: item.at});
    order.push(key);
    scrollAfterRender = true;
    render();
    ensureSession();
    wantConnection = true;
    if (ws) flush(); else connect();
    updateNotice();
    return id;
  }

  function sendFromInput() {
    if (submit(ui.input.value) !== null) {
      ui.input.value = '';
      onInput();
    }
  }

  function tapButton(key, index) {
    var entry = entries.get(key);
    var button = entry && entry.buttons[index];
    if (!button) return;
    var last = null;
    order.forEach(function (k) { if (entries.get(k).from !== 'user') last = k; });
    if (last !== key) return;
    submit(button.title, button.payload);
    ui.input.focus();
  }

  function onAck(id) {
    if (typeof id !== 'string') return;
    removeFromOutbox(id);
    sentOnSocket.delete(id);
    rateDelay = 0;
    var entry = entries.get('c:' + id);
    if (entry && entry.state === 'sending') entry.state = 'sent';
    render();
    updateNotice();
  }

  function onError(frame) {
    var id = typeof frame.id === 'string' ? frame.id : null;
    if (frame.code === 'rate_limited') {
      // Not stored: send it (and everything after it, to keep the order) again a little later.
      var items = loadOutbox();
      var from = id ? items.findIndex(function (item) { return item.id === id; }) : 0;
      items.slice(Math.max(from, 0)).forEach(function (item) { sentOnSocket.delete(item.id); });
      var now = Date.now();
      if (rateUntil <= now) {  // one longer wait per refused round, not per refused message
        rateDelay = Math.min(rateDelay ? rateDelay * 2 : RATE_MIN, RATE_MAX);
        rateUntil = now + rateDelay;
      }
      clearTimeout(rateTimer);
      rateTimer = setTimeout(flush, rateUntil - now + 10);
      if (isOpen) showError(texts.error_rate_limited);
      return;
    }
    if (!id) {
      if (window.console) console.warn('helpdesk widget: server error', frame.code);
      return;
    }
    // too_long, bad_request: the server will never take this message; stop resending it.
    removeFromOutbox(id);
    sentOnSocket.delete(id);
    var entry = entries.get('c:' + id);
    if (entry && entry.serverId === null) {
      entry.state = 'failed';
      entry.error = frame.code === 'too_long' ? fill(texts.error_too_long) : texts.failed;
    }
    stopAwaiting();
    render();
    updateNotice();
  }

  function startAwaiting() {
    awaitingReply = true;
    clearTimeout(awaitTimer);
    awaitTimer = setTimeout(stopAwaiting, AWAIT_MAX);
    updateTyping();
  }

  function stopAwaiting() {
    awaitingReply = false;
    clearTimeout(awaitTimer);
    updateTyping();
  }

  // ---------------------------------------------------------------- connection

  function canSend() {
    return ws !== null && ws.readyState === 1 && helloSent && navigator.onLine !== false;
  }

  function connect() {
    if (ws || !wantConnection || !CONFIG.server) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    if (navigator.onLine === false) { updateNotice(); return; }  // the "online" event brings us back
    var socket;
    try {
      socket = new WebSocket(CONFIG.socketUrl);
    } catch (e) {
      connectionLost = true;
      scheduleReconnect();
      return;
    }
    ws = socket;
    helloSent = false;
    sentOnSocket = new Set();
    socket.onopen = function () {
      if (ws !== socket) return;
      try {
        socket.send(JSON.stringify({type: 'hello', session: ensureSession(), language: CONFIG.language}));
      } catch (e) { lose(socket); return; }
      helloSent = true;
      lastActivity = Date.now();
      flush();
      updateNotice();
    };
    socket.onmessage = function (event) {
      if (ws !== socket) return;
      lastActivity = Date.now();
      onFrame(event.data);
    };
    socket.onclose = function () { lose(socket); };
    socket.onerror = function () { lose(socket); };
  }

  function lose(socket) {
    if (ws !== socket) return;
    abandonSocket();
    connectionLost = true;
    updateNotice();
    scheduleReconnect();
  }

  function abandonSocket() {
    var socket = ws;
    ws = null;
    helloSent = false;
    sentOnSocket = new Set();
    clearTimeout(ackTimer);
    ackTimer = null;
    if (serverTyping) { serverTyping = false; updateTyping(); }
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try { socket.close(); } catch (e) { /* already closed */ }
    }
  }

  function scheduleReconnect() {
    if (retryTimer || ws || !wantConnection || navigator.onLine === false) return;
    var delay = backoff * (0.8 + Math.random() * 0.2);
    backoff = Math.min(backoff * 2, BACKOFF_MAX);
    retryTimer = setTimeout(function () { retryTimer = null; connect(); }, delay);
  }

  function reconnectNow() {
    if (!wantConnection) return;
    backoff = BACKOFF_MIN;
    clearTimeout(retryTimer);
    retryTimer = null;
    if (!ws) connect();
  }

  function flush() {
    clearTimeout(rateTimer);
    if (!canSend()) { updateNotice(); return; }
    if (rateUntil > Date.now()) { rateTimer = setTimeout(flush, rateUntil - Date.now() + 10); return; }
    var sent = false;
    var items = loadOutbox();
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (sentOnSocket.has(item.id)) continue;
      var frame = {type: 'message', id: item.id, text: item.text};
      if (item.payload) frame.payload = item.payload;
      try {
        ws.send(JSON.stringify(frame));
      } catch (e) {
        lose(ws);
        return;
      }
      sentOnSocket.add(item.id);
      sent = true;
    }
    if (sent) {
      lastActivity = Date.now();
      startAwaiting();
      watchAcks();
    }
    updateNotice();
  }

  // A socket can look open and be dead (a phone waking up, a network change): if a message
  // waits for its ack and nothing at all came from the server for a while, start over.
  function watchAcks() {
    if (ackTimer) return;
    ackTimer = setTimeout(function check() {
      ackTimer = null;
      if (!ws) return;
      var waiting = loadOutbox().some(function (item) { return sentOnSocket.has(item.id); });
      if (!waiting) return;
      var quiet = Date.now() - lastActivity;
      if (quiet >= ACK_TIMEOUT) {
        lose(ws);
      } else {
        ackTimer = setTimeout(check, ACK_TIMEOUT - quiet + 50);
      }
    }, ACK_TIMEOUT);
  }

  function onFrame(raw) {
    var frame;
    try { frame = JSON.parse(raw); } catch (e) { return; }
    if (!frame || typeof frame !== 'object') return;
    switch (frame.type) {
      case 'history':
        connectionLost = false;
        backoff = BACKOFF_MIN;
        applyHistory(Array.isArray(frame.messages) ? frame.messages : []);
        updateNotice();
        break;
      case 'message':
        applyMessage(frame);
        break;
      case 'ack':
        onAck(frame.id);
        break;
      case 'typing':
        serverTyping = frame.on === true;
        updateTyping();
        break;
      case 'error':
        onError(frame);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- start

  function showOutbox() {
    loadOutbox().forEach(function (item) {
      var key = 'c:' + item.id;
      if (entries.has(key)) return;
      entries.set(key, {key: key, from: 'user', text: item.text, buttons: [], serverId: null, clientId: item.id,
        state: 'sending', error: null, at: item.at || null});
      order.push(key);
    });
  }

  function start() {
    mount();
    loadTexts();
    showOutbox();
    render();

    window.addEventListener('online', function () { updateNotice(); reconnectNow(); });
    window.addEventListener('offline', function () {
      // The old socket may survive an offline spell half-dead; a fresh one replaces it.
      if (ws) { abandonSocket(); connectionLost = true; }
      clearTimeout(retryTimer);
      retryTimer = null;
      updateNotice();
    });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && !ws) reconnectNow();
    });
    window.addEventListener('pageshow', function (event) {
      if (event.persisted && !ws) reconnectNow();
    });
    window.addEventListener('storage', function (event) {
      if (event.key === KEY_SESSION && event.newValue && ws && event.newValue !== event.oldValue) {
        resetConversation();  // another tab started a new conversation
      } else if (event.key === KEY_OUTBOX) {
        updateNotice();
      }
    });

    // A returning visitor (or one with unsent messages) is connected at once, so answers
    // and staff replies arrive; a first-time visitor only once the panel is opened.
    if (currentSession() || loadOutbox().length) {
      wantConnection = true;
      connect();
    }
    updateNotice();

    queued.forEach(function (call) { call(); });
    queued = [];
  }

  var queued = [];
  function whenReady(fn) {
    return function () {
      var args = arguments;
      if (ui) return fn.apply(null, args);
      queued.push(function () { fn.apply(null, args); });
      return undefined;
    };
  }

  window.HelpdeskWidget = Object.freeze({
    open: whenReady(function () { openPanel(); }),
    close: whenReady(function () { closePanel(false); }),
    send: whenReady(function (text) { return submit(text); }),
    isOpen: function () { return isOpen; },
    language: CONFIG.language
  });

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();

/* 物业知识库: the help-centre parts of the site, on top of Material's own search UI.

   1. The search verdict on the page: whether some page answers the question (decided by the
      search worker, kb-search-worker.js, exactly as `kb search` decides it). This script watches
      the worker's result messages and marks Material's result meta element with
      data-kb-answered="true|false"; when nothing answers it says so there, above the related
      pages, and dispatches `kb:verdict` on document, detail {answered, query}.
   2. The big search box (home and 404 pages, overrides/partials/kb-ask.html) and its example
      questions hand the query to Material's header search: one search, one result list.
   3. On `kb:verdict` with {answered: false}, the help block (who to ask, from mkdocs.yml's
      extra.contact, rendered into <template id="kb-help-template">) is shown under the related pages,
      and Enter (a phone's search key) no longer opens the first of them.

   Loaded before Material's bundle (overrides/main.html, block config), so that the worker the
   bundle creates is watched; everything that needs the page waits for DOMContentLoaded. Pages
   that Material's instant navigation swaps in are set up again through its `document$`. */
(function () {
  "use strict";

  /* ---- 1. the verdict ------------------------------------------------------------------- */

  var Native = window.Worker;
  var RESULT = 3; // Material's search message type for results
  var NO_ANSWER = "没有找到直接回答这个问题的页面。";
  var last = null;

  function apply() {
    var meta = document.querySelector(".md-search-result__meta");
    var input = document.querySelector(".md-search__input");
    if (!meta || !last) return;
    if (!last.query.trim() || (input && input.value !== last.query)) {
      // The box was cleared or changed since: Material's own text stands until the next result.
      if (meta.hasAttribute("data-kb-answered")) meta.removeAttribute("data-kb-answered");
      return;
    }
    var value = last.answered ? "true" : "false";
    if (meta.getAttribute("data-kb-answered") !== value) meta.setAttribute("data-kb-answered", value);
    if (!last.answered) {
      var text = NO_ANSWER + (last.count ? "以下页面可能相关：" : "请换个说法再试。");
      if (meta.textContent !== text) meta.textContent = text;
    }
  }

  function watch() {
    var meta = document.querySelector(".md-search-result__meta");
    if (meta && window.MutationObserver) {
      new MutationObserver(apply).observe(meta, { childList: true, characterData: true, subtree: true });
    }
  }

  if (Native) window.Worker = function (url, options) {
    var worker = new Native(url, options);
    worker.addEventListener("message", function (event) {
      var message = event.data || {};
      if (message.type !== RESULT || !message.data || !message.data.kb) return;
      var input = document.querySelector(".md-search__input");
      last = {
        answered: !!message.data.kb.answered,
        count: (message.data.items || []).length,
        query: input ? input.value : "",
      };
      // After Material has rendered the list (it does so on the same message).
      setTimeout(function () {
        apply();
        if (last.query.trim()) {
          document.dispatchEvent(new CustomEvent("kb:verdict", { detail: { answered: last.answered, query: last.query } }));
        }
      }, 0);
    });
    return worker;
  };
  if (Native) window.Worker.prototype = Native.prototype;


  /* ---- 2. and 3. the ask box and the help block ----------------------------------------- */

  var HELP_CLASS = "kb-search-help";

  function headerInput() {
    return document.querySelector("form[name=search] .md-search__input");
  }

  /* Open Material's search overlay with `query`, as if it had been typed into the header box. */
  function search(query) {
    var input = headerInput();
    var toggle = document.getElementById("__search");
    if (!input || !toggle) return false;
    if (!toggle.checked) toggle.click();
    input.value = query;
    input.focus();
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    return true;
  }

  function setUpAskBox() {
    var form = document.querySelector("form.kb-ask");
    if (!form || form.dataset.kbReady) return;
    form.dataset.kbReady = "true";
    var input = form.querySelector(".kb-ask__input");
    var hand = function () {
      if (search(input.value)) input.value = "";
    };
    form.addEventListener("submit", function (event) {
      if (search(input.value)) {
        event.preventDefault();
        input.value = "";
      }
    });
    // The overlay is where results are shown: go there as soon as the reader starts.
    input.addEventListener("focus", hand);
    input.addEventListener("input", hand);
    form.querySelectorAll("[data-kb-query]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey) return;
        if (search(link.getAttribute("data-kb-query"))) {
          event.preventDefault();
          event.stopPropagation(); // not a page load for instant navigation either
        }
      });
    });
    // Typed on a slow connection before this script arrived.
    if (input.value && document.activeElement === input) hand();
  }

  function removeHelp() {
    document.querySelectorAll("." + HELP_CLASS).forEach(function (node) {
      node.remove();
    });
  }

  function showHelp() {
    var template = document.getElementById("kb-help-template");
    var list = document.querySelector(".md-search-result__list");
    if (!template || !list) return;
    removeHelp();
    var block = document.createElement("div");
    block.className = HELP_CLASS + " md-typeset";
    block.appendChild(template.content.cloneNode(true));
    list.parentNode.insertBefore(block, list.nextSibling);
  }

  document.addEventListener("kb:verdict", function (event) {
    var detail = event.detail || {};
    if (detail.answered === false) showHelp();
    else removeHelp();
  });

  // Enter in the search box opens the first result (Material). When no page answers, the first
  // result is only "possibly related": a phone's search key must not carry the reader past the
  // no-answer sentence and the contact block. The box lets go of the keyboard instead. Seen on
  // window in the capture phase, before Material's own keydown handler; never during IME input.
  window.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    if (!input.matches || !input.matches(".md-search__input") || !last || last.answered) return;
    if (input.value !== last.query) return;
    event.preventDefault();
    event.stopPropagation();
    input.blur();
  }, true);

  // A cleared query is no longer a question nobody answered.
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input") && !event.target.value.trim()) removeHelp();
  });

  /* ---- start, once Material's bundle has run ----------------------------------------------- */

  function start() {
    watch();
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(setUpAskBox);
    } else {
      setUpAskBox();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/*
 * The search verdict on the page: whether some page answers the question (decided by the search
 * worker, kb-search-worker.js, exactly as `kb search` decides it). Material's result list stays
 * Material's; this script watches the worker's result messages and
 *   - marks the list's meta element with data-kb-answered="true|false",
 *   - when nothing answers, says so there plainly, above the related pages, and
 *   - tells the page's other scripts: a `kb:verdict` event on document, detail {answered, query}.
 * It must run before Material's bundle creates the worker (overrides/main.html, block config).
 */
(function () {
  "use strict";
  var Native = window.Worker;
  if (!Native) return;
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

  window.Worker = function (url, options) {
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
  window.Worker.prototype = Native.prototype;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();

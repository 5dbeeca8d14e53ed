/* 物业知识库: the help-centre parts of the site, on top of Material's own search UI.

   1. The big search box (home and 404 pages, overrides/partials/kb-ask.html) and its example
      questions hand the query to Material's header search: one search, one result list.
   2. When the search worker decides that no page answers a query, it dispatches `kb:verdict`
      with {answered: false}; the help block (who to ask, from mkdocs.yml's extra.contact, rendered
      into <template id="kb-help-template">) is then shown under the related pages.

   Loaded with `defer`, after Material's bundle; pages that Material's instant navigation swaps in
   are set up again through its `document$` observable. */
(function () {
  "use strict";

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

  // A cleared query is no longer a question nobody answered.
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input") && !event.target.value.trim()) removeHelp();
  });

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUpAskBox);
  } else {
    setUpAskBox();
  }
})();

// The intake review page: move between proposals with the arrow keys, accept with "a", correct with
// "e", reject with "x" (then the reason and Enter). The current proposal's evidence is outlined in the
// article's text. No inline script: this file is the page's only behaviour (a Content-Security-Policy
// can forbid inline code). Offsets are never computed here: the server marks the text.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".intake-proposals .proposal"));
    if (!cards.length) { return; }
    var marks = Array.prototype.slice.call(document.querySelectorAll(".intake-text mark[data-p]"));
    var current = -1;

    function marksOf(card) {
      var id = card.getAttribute("data-proposal");
      return marks.filter(function (mark) { return mark.getAttribute("data-p").split(" ").indexOf(id) !== -1; });
    }

    function select(index, focus) {
      if (index < 0 || index >= cards.length) { return; }
      if (current >= 0) {
        cards[current].classList.remove("current");
        marksOf(cards[current]).forEach(function (mark) { mark.classList.remove("current"); });
      }
      current = index;
      var card = cards[current];
      card.classList.add("current");
      var own = marksOf(card);
      own.forEach(function (mark) { mark.classList.add("current"); });
      if (focus !== false) {
        card.focus({ preventScroll: true });
        card.scrollIntoView({ block: "nearest" });
      }
      if (own.length) { own[0].scrollIntoView({ block: "nearest" }); }
    }

    function inField(target) {
      return target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    }

    function clickIn(card, selector) {
      var button = card && card.querySelector(selector);
      if (button) { button.click(); }
      return Boolean(button);
    }

    cards.forEach(function (card, index) {
      card.addEventListener("focus", function () { if (current !== index) { select(index, false); } });
      card.addEventListener("click", function (event) {
        if (!inField(event.target) && event.target.tagName !== "BUTTON") { select(index, false); }
      });
    });

    marks.forEach(function (mark) {
      mark.addEventListener("click", function () {
        var first = mark.getAttribute("data-p").split(" ")[0];
        var index = cards.findIndex(function (card) { return card.getAttribute("data-proposal") === first; });
        select(index);
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var card = cards[current];
      if (inField(event.target)) {
        // In the reason field, Enter rejects (the reason is what was typed); Escape goes back to the card.
        if (event.target.classList.contains("reason") && event.key === "Enter") {
          event.preventDefault();
          clickIn(event.target.closest(".proposal"), "button.reject");
        } else if (event.key === "Escape") {
          event.target.blur();
          if (card) { card.focus(); }
        }
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowRight" || event.key === "j") {
        event.preventDefault();
        select(Math.min(current + 1, cards.length - 1));
      } else if (event.key === "ArrowUp" || event.key === "ArrowLeft" || event.key === "k") {
        event.preventDefault();
        select(Math.max(current - 1, 0));
      } else if (event.key === "a" && card) {
        event.preventDefault();
        clickIn(card, "button.accept");
      } else if (event.key === "x" && card) {
        event.preventDefault();
        var reason = card.querySelector("input.reason");
        if (reason && reason.value.trim()) { clickIn(card, "button.reject"); } else if (reason) { reason.focus(); }
      } else if (event.key === "e" && card) {
        var details = card.querySelector("details.edit");
        if (details) {
          event.preventDefault();
          details.open = true;
          var first = details.querySelector("input, select, textarea");
          if (first) { first.focus(); }
        }
      }
    });

    var wanted = window.location.hash.match(/^#proposal-(\d+)$/);
    var start = wanted ? cards.findIndex(function (card) { return card.getAttribute("data-proposal") === wanted[1]; }) : -1;
    if (start < 0) { start = cards.findIndex(function (card) { return card.classList.contains("state-pending"); }); }
    select(start < 0 ? 0 : start);
  });
})();

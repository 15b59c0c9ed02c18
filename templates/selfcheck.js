/* quizgen self-check page: builds each question from the embedded data and grades with QZ
 * (answerkinds.js, loaded before this file). */
(function (global) {
  "use strict";
  var QZ = global.QZ, LETTERS = QZ.LETTERS, gradePart = QZ.gradePart, parse = QZ.parse;

  // ---- the page --------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "html") e.innerHTML = attrs[k];
      else if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  function pts(x) { return String(Math.round(x * 100) / 100); }

  function toleranceText(tol) {
    if (!tol) return "";
    if (tol.sig !== null && tol.sig !== undefined) return tol.sig + " significant figures";
    var parts = [];
    if (tol.atol) parts.push("±" + Number(tol.atol.toPrecision(3)));
    if (tol.rtol) parts.push("±" + Number(tol.rtol.toPrecision(3)) + " relative");
    return parts.join(" and ") || "exact";
  }

  function showVerdict(span, question, part, entry, result, earlierWrong) {
    span.setAttribute("data-status", result.status);
    var html;
    if (result.status === "correct") {
      html = "✓ correct";
      if (result.hand) html += " (the hand-calculation key: intermediates rounded as the question asks)";
      else if (result.within) html += " (within tolerance, " + toleranceText(part.tol) + ", of " + escapeHtml(entry.key_text) + ")";
    } else if (result.status === "invalid") {
      html = "⚠ invalid: " + escapeHtml(result.feedback);
    } else if (result.status === "blank") {
      html = "– no answer";
    } else if (result.status === "partial") {
      html = "◐ partly right: " + pts(result.credit * part.points) + " of " + pts(part.points) +
        " points (each right option chosen earns its share, each wrong option chosen takes one away)";
    } else if (result.mistakes.length) {
      html = "✗ wrong: it looks like " + result.mistakes.map(function (m) { return question.mistakes[m] || escapeHtml(m); }).join("; or ");
    } else {
      html = "✗ wrong: not the key";
      if (earlierWrong && ["number", "vector", "matrix", "integer", "shape"].indexOf(part.kind) >= 0)
        html += " (if you computed it from your own earlier answer, an exam would check error carried forward; this page does not)";
    }
    span.innerHTML = html;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function buildQuestion(question, number) {
    var state = {index: 0};
    var sec = el("section", {"class": "sc-q", "id": "q-" + question.id.replace(/[^A-Za-z0-9_-]/g, "-"),
                             "data-template": question.id, "data-topic": question.topic});
    var head = el("h2", {}, [el("span", {"class": "sc-num", text: number + ". "}),
                            el("span", {html: question.title_html})]);
    var meta = el("div", {"class": "sc-meta"});
    meta.appendChild(el("span", {text: question.id + " · " + question.topic + " · difficulty " + question.difficulty + " · "}));
    var counter = el("span", {"class": "sc-counter"});
    meta.appendChild(counter);
    var stem = el("div", {"class": "sc-stem"});
    var form = el("form", {"class": "sc-parts", "autocomplete": "off"});
    var rows = question.parts.map(function (part) {
      var input = part.kind === "matrix"
        ? el("textarea", {"rows": "2", "data-part": part.name, "placeholder": part.describe, "spellcheck": "false"})
        : el("input", {"type": "text", "data-part": part.name, "placeholder": part.describe, "spellcheck": "false",
                       "autocapitalize": "off"});
      input.setAttribute("aria-label", part.name);
      var options = el("ol", {"class": "sc-options"});
      var verdict = el("span", {"class": "sc-verdict", "data-part": part.name, "aria-live": "polite"});
      var row = el("div", {"class": "sc-part", "data-part": part.name}, [
        el("label", {"class": "sc-label", html: part.label + " ="}), input,
        el("span", {"class": "sc-pts", text: "(" + pts(part.points) + " pt" + (part.points === 1 ? "" : "s") + ")"}),
        verdict, options]);
      return {part: part, input: input, verdict: verdict, options: options, row: row};
    });
    rows.forEach(function (r) { form.appendChild(r.row); });
    var check = el("button", {"type": "submit", "class": "sc-check", text: "Check"});
    var toggle = el("button", {"type": "button", "class": "sc-toggle", text: "Show solution", "aria-expanded": "false"});
    var next = el("button", {"type": "button", "class": "sc-next", text: "New variant"});
    var score = el("span", {"class": "sc-score"});
    form.appendChild(el("div", {"class": "sc-buttons"}, [check, toggle, next, score]));
    var solution = el("div", {"class": "sc-solution"});
    solution.hidden = true;

    function show() {
      var variant = question.variants[state.index];
      counter.textContent = "variant " + (state.index + 1) + " of " + question.variants.length;
      sec.setAttribute("data-variant", String(state.index));
      stem.innerHTML = variant.stem;
      rows.forEach(function (r) {
        r.input.value = "";
        r.verdict.textContent = "";
        r.verdict.removeAttribute("data-status");
        var choice = variant.parts[r.part.name].choice;
        r.options.innerHTML = "";
        if (choice) choice.options_html.forEach(function (h, i) {
          r.options.appendChild(el("li", {html: "<b>" + LETTERS[i] + ".</b> " + h}));
        });
        r.input.placeholder = choice ? "one letter" : r.part.describe;
      });
      score.textContent = "";
      var keys = el("ul", {"class": "sc-keys"});
      question.parts.forEach(function (part) {
        keys.appendChild(el("li", {}, [el("span", {html: part.label + " = "}),
                                       el("code", {text: variant.parts[part.name].key_text})]));
      });
      solution.innerHTML = "";
      solution.appendChild(el("h3", {text: "Answers"}));
      solution.appendChild(keys);
      solution.appendChild(el("h3", {text: "Worked solution"}));
      solution.appendChild(el("div", {html: variant.solution}));
      solution.hidden = true;
      toggle.textContent = "Show solution";
      toggle.setAttribute("aria-expanded", "false");
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var variant = question.variants[state.index], earned = 0, possible = 0, earlierWrong = false;
      rows.forEach(function (r) {
        var entry = variant.parts[r.part.name];
        var result;
        try { result = gradePart(question, r.part, entry, r.input.value); } catch (e) {
          result = {status: "invalid", feedback: "could not be read (" + e + ")", mistakes: []};
        }
        showVerdict(r.verdict, question, r.part, entry, result, earlierWrong);
        possible += r.part.points;
        if (result.status === "correct") earned += r.part.points; else earlierWrong = true;
        if (result.status === "partial") earned += r.part.points * result.credit;
      });
      score.textContent = "Score: " + pts(earned) + " of " + pts(possible) + " points";
    });
    toggle.addEventListener("click", function () {
      solution.hidden = !solution.hidden;
      toggle.textContent = solution.hidden ? "Show solution" : "Hide solution";
      toggle.setAttribute("aria-expanded", String(!solution.hidden));
    });
    next.addEventListener("click", function () {
      state.index = (state.index + 1) % question.variants.length;
      show();
    });
    sec.appendChild(head);
    sec.appendChild(meta);
    sec.appendChild(stem);
    sec.appendChild(form);
    sec.appendChild(solution);
    show();
    return sec;
  }

  function init() {
    var holder = document.getElementById("quizgen-data");
    if (!holder) return;
    var data = JSON.parse(holder.textContent);
    var main = document.getElementById("sc-main");
    var topic = null;
    data.questions.forEach(function (q, i) {
      if (q.topic !== topic) {
        topic = q.topic;
        main.appendChild(el("h2", {"class": "sc-topic", "id": "topic-" + topic, text: topic}));
      }
      main.appendChild(buildQuestion(q, i + 1));
    });
    document.body.setAttribute("data-ready", "true");
    global.QZ.data = data;
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }
})(this);

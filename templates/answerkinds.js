/* quizgen answer kinds in the browser: ported from quizgen/bank/kinds.py and quizgen/bank/symbolic.py.
 * One source for every page that reads answers: the self-check page (selfcheck.js) and the student's
 * HTML exam (answersheet.js). tests/quizgen/practice/test_selfcheck.py holds it to the Python kinds.
 *
 * QZ.parse(spec, text) -> {ok: true, value} | {ok: false, reason}, with the reasons kinds.py gives.
 * QZ.gradePart(question, part, entry, text) -> {status, feedback, mistakes, within, credit}.
 * Nothing typed is ever evaluated as code: formulas go through a whitelisting recursive-descent parser.
 */
(function (global) {
  "use strict";

  // ---- text normalisation (kinds.normalize) -----------------------------------------------
  var WS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var STRIP = new RegExp("^[" + WS + "]+|[" + WS + "]+$", "g");
  var MINUS = "\u2212\u2012\u2013\u2014\ufe63\uff0d";
  var SPACES = "\u00a0\u2009\u202f\u2007\u200a";
  var MAX_TEXT = 2000;

  function Invalid(reason) { this.reason = reason; }

  function strip(s) { return s.replace(STRIP, ""); }

  function codepoints(s) { return Array.from(s).length; }

  function repr(s) {  // Python's repr() of a str, for reasons that quote the answer
    var quote = (s.indexOf("'") >= 0 && s.indexOf('"') < 0) ? '"' : "'";
    var out = quote;
    Array.from(s).forEach(function (c) {
      var code = c.codePointAt(0);
      if (c === "\\") out += "\\\\";
      else if (c === quote) out += "\\" + c;
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (c === "\t") out += "\\t";
      else if (c !== " " && /[\p{C}\p{Z}]/u.test(c)) {
        if (code < 0x100) out += "\\x" + code.toString(16).padStart(2, "0");
        else if (code < 0x10000) out += "\\u" + code.toString(16).padStart(4, "0");
        else out += "\\U" + code.toString(16).padStart(8, "0");
      } else out += c;
    });
    return out + quote;
  }

  function normalize(text) {
    if (text === null || text === undefined) return "";
    text = String(text);
    var n = codepoints(text);
    if (n > MAX_TEXT) throw new Invalid("answer is " + n + " characters long; at most " + MAX_TEXT + " are read");
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (MINUS.indexOf(c) >= 0) out += "-";
      else if (SPACES.indexOf(c) >= 0) out += " ";
      else if (c === "\u00d7") out += "x";
      else if (c === "\u22c5" || c === "\u00b7") out += "*";
      else out += c;
    }
    out = strip(out);
    return out.charAt(0) === "'" ? strip(out.slice(1)) : out;
  }

  // ---- numbers (kinds.parse_number) --------------------------------------------------------
  var FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  var W = "[" + WS + "]*";
  var SCI = new RegExp("^([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))" + W + "(?:x|\\*)" + W + "10" + W + "\\^" + W +
                       "\\(?" + W + "([+-]?\\d+)" + W + "\\)?$");

  function count(s, c) { return s.split(c).length - 1; }

  function parseNumber(token) {
    var text = normalize(token).replace(/ /g, "");
    if (!text) throw new Invalid("no number was given");
    var percent = text.slice(-1) === "%";
    if (percent) text = text.slice(0, -1);
    if (count(text, ",") === 1 && text.indexOf(".") < 0) text = text.replace(",", ".");
    var value = null, m;
    if (FLOAT.test(text)) value = parseFloat(text);
    else if ((m = SCI.exec(text)) !== null) value = parseFloat(m[1]) * Math.pow(10, parseInt(m[2], 10));
    else if (count(text, "/") === 1) {
      var nd = text.split("/");
      if (FLOAT.test(nd[0]) && FLOAT.test(nd[1])) {
        if (parseFloat(nd[1]) === 0) throw new Invalid(repr(strip(String(token))) + " divides by zero");
        value = parseFloat(nd[0]) / parseFloat(nd[1]);
      }
    }
    if (value === null) throw new Invalid(repr(strip(String(token))) + " is not a number");
    if (!isFinite(value)) throw new Invalid(repr(strip(String(token))) + " is not a finite number");
    return percent ? value / 100 : value;
  }

  function splitList(text) {
    text = normalize(text);
    if (text.length >= 2 && ["[]", "()", "{}"].indexOf(text[0] + text[text.length - 1]) >= 0)
      text = strip(text.slice(1, -1));
    if (!text) return [];
    var parts;
    if (text.indexOf(";") >= 0) parts = text.split(";");
    else if (text.indexOf(",") >= 0 && (text.indexOf(".") >= 0 || new RegExp(",[" + WS + "]").test(text) ||
                                         text.indexOf(" ") < 0)) parts = text.split(",");
    else parts = strip(text).split(new RegExp("[" + WS + "]+"));
    parts = parts.map(strip);
    if (parts.some(function (p) { return p === ""; })) throw new Invalid(repr(text) + " has an empty element");
    return parts;
  }

  // ---- the kinds ---------------------------------------------------------------------------
  var THOUSANDS = /^[+-]?\d{1,3}([, ]\d{3})+$/;
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var TRUE = ["T", "TRUE", "YES", "Y", "1", "V", "VRAI", "CORRECT"];
  var FALSE = ["F", "FALSE", "NO", "N", "0", "FAUX", "INCORRECT"];

  var PARSERS = {
    number: function (spec, text) {
      text = normalize(text);
      if (!text) throw new Invalid("no number was given");
      if (new RegExp("\\d[" + WS + ";]+[-+.\\d]").test(text) || count(text, ",") > 1)
        throw new Invalid(repr(text) + " holds several numbers; one is expected");
      return parseNumber(text);
    },
    integer: function (spec, text) {
      text = normalize(text);
      if (!text) throw new Invalid("no whole number was given");
      if (THOUSANDS.test(text)) text = text.replace(/[, ]/g, "");
      var value;
      try { value = parseNumber(text); } catch (e) {
        if (e instanceof Invalid) throw new Invalid(repr(text) + " is not a whole number");
        throw e;
      }
      if (value !== Math.trunc(value) || Math.abs(value) > Math.pow(2, 53))
        throw new Invalid(repr(text) + " is not a whole number");
      return value;
    },
    vector: function (spec, text) {
      var parts = splitList(text);
      if (!parts.length) throw new Invalid("no numbers were given");
      if (spec.length !== null && spec.length !== undefined && parts.length !== spec.length)
        throw new Invalid("expected " + spec.length + " numbers, got " + parts.length);
      return parts.map(parseNumber);
    },
    matrix: function (spec, text) {
      text = normalize(text);
      if (!text) throw new Invalid("no matrix was given");
      var rows;
      if (text.startsWith("[[") || text.startsWith("((")) {
        var inner = "])".indexOf(text[text.length - 1]) >= 0 ? text.slice(1, -1) : text;
        rows = [];
        var re = /[\[(]([^\[\]()]*)[\])]/g, m;
        while ((m = re.exec(inner)) !== null) rows.push(m[1]);
      } else {
        var body = ["[]", "()"].indexOf(text[0] + text[text.length - 1]) >= 0 ? text.slice(1, -1) : text;
        rows = body.split(/[;\n]/).filter(function (r) { return strip(r) !== ""; });
      }
      if (!rows.length) throw new Invalid(repr(text) + " is not a matrix");
      var values = rows.map(function (r) { return splitList(r).map(parseNumber); });
      var got = [values.length, values[0].length];
      if (values.some(function (r) { return r.length !== got[1]; })) throw new Invalid("rows have different lengths");
      if (spec.shape && (got[0] !== spec.shape[0] || got[1] !== spec.shape[1]))
        throw new Invalid("expected a " + spec.shape[0] + "x" + spec.shape[1] + " matrix, got " + got[0] + "x" + got[1]);
      return values;
    },
    shape: function (spec, text) {
      text = normalize(text);
      if (!text) throw new Invalid("no shape was given");
      var body = text.length >= 2 && ["()", "[]"].indexOf(text[0] + text[text.length - 1]) >= 0 ? text.slice(1, -1) : text;
      var parts = body.split(new RegExp(W + "(?:,|x|X|\\*|by)" + W + "|[" + WS + "]+"))
        .map(strip).filter(function (p) { return p !== ""; });
      if (!parts.length || !parts.every(function (p) { return /^\d+$/.test(p); }))
        throw new Invalid(repr(text) + " is not a shape such as (6, 28, 28) or 6x28x28");
      var dims = parts.map(function (p) { return parseInt(p, 10); });
      if (spec.ndim !== null && spec.ndim !== undefined && dims.length !== spec.ndim)
        throw new Invalid("expected " + spec.ndim + " dimensions, got " + dims.length);
      return dims;
    },
    choice: function (spec, text) {
      text = normalize(text).toUpperCase();
      if (!text) throw new Invalid("no option was chosen");
      var letters = text.split("AND").join("").replace(new RegExp("[" + WS + ",;()\\[\\].:]+", "g"), "");
      var valid = LETTERS.slice(0, spec.n);
      if (!letters || Array.from(letters).some(function (c) { return valid.indexOf(c) < 0; }))
        throw new Invalid(repr(text) + " is not an option; choose from " + valid.split("").join(", "));
      var chosen = Array.from(new Set(letters)).sort();
      if (chosen.length !== letters.length) throw new Invalid(repr(text) + " names an option twice");
      if (!spec.multiple && chosen.length > 1) throw new Invalid("choose one option, not " + chosen.length);
      return chosen;
    },
    truefalse: function (spec, text) {
      var word = normalize(text).toUpperCase().replace(/^[ .!()]+|[ .!()]+$/g, "");
      if (!word) throw new Invalid("neither true nor false was given");
      if (TRUE.indexOf(word) >= 0) return true;
      if (FALSE.indexOf(word) >= 0) return false;
      throw new Invalid(repr(strip(String(text))) + " is neither true (T) nor false (F)");
    },
    symbolic: function (spec, text) { return parseFormula(normalize(text), spec.variables || ["x"]); },
  };

  function parse(spec, text) {
    var fn = PARSERS[spec.kind];
    if (!fn) return {ok: false, reason: spec.kind + " answers are not checked on this page"};
    try {
      return {ok: true, value: fn(spec, text)};
    } catch (e) {
      if (e instanceof Invalid) return {ok: false, reason: e.reason};
      if (e instanceof RangeError) return {ok: false, reason: "the formula is nested too deeply"};
      throw e;
    }
  }

  // ---- tolerances and matching (kinds.Tolerance, *.matches) -----------------------------------
  function bound(tol, key) {
    if (tol.sig !== null && tol.sig !== undefined) {
      if (key === 0) return 0.5 * Math.pow(10, -tol.sig);
      return 0.5 * Math.pow(10, Math.floor(Math.log10(Math.abs(key))) - tol.sig + 1) * (1 + 1e-9);
    }
    return tol.atol + tol.rtol * Math.abs(key);
  }

  function flat(v) { return Array.isArray(v) ? [].concat.apply([], v.map(flat)) : [v]; }

  function shapeOf(v) { return Array.isArray(v) ? [v.length].concat(v.length ? shapeOf(v[0]) : []) : []; }

  function close(tol, value, key) {
    var a = flat(value), b = flat(key);
    if (a.length !== b.length || shapeOf(value).join() !== shapeOf(key).join()) return false;
    for (var i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= bound(tol, b[i]))) return false;
    return true;
  }

  // inside an accepted interval (quizgen.bank.question.accepted_interval): every entry, the key's shape
  function inside(value, stored, interval) {
    if (shapeOf(value).join() !== shapeOf(stored.value).join()) return false;
    var a = flat(value), lo = flat(interval.lo), hi = flat(interval.hi);
    if (a.length !== lo.length) return false;
    for (var i = 0; i < a.length; i++) if (!(lo[i] <= a[i] && a[i] <= hi[i])) return false;
    return true;
  }

  function sameSet(a, b) { return a.slice().sort().join() === b.slice().sort().join(); }

  // stored: {value, samples?}; value: what the parser returned
  function matches(spec, value, stored) {
    var key = stored.value;
    switch (spec.kind) {
      case "number": case "vector": case "matrix": return close(spec.tol, value, key);
      case "integer": return Math.trunc(value) === Math.trunc(key);
      case "shape": return value.length === key.length && value.every(function (d, i) { return d === key[i]; });
      case "choice": return sameSet(value, key);
      case "truefalse": return Boolean(value) === Boolean(key);
      case "symbolic": return formulaMatches(spec, value, stored);
    }
    return false;
  }

  function exactly(spec, value, stored) {  // typed as the key is shown, not merely within tolerance
    if (["number", "vector", "matrix"].indexOf(spec.kind) < 0) return true;
    var tight = {atol: 0, rtol: 0, sig: null}, key = flat(stored.value);
    var d = spec.decimals;
    var shown = d === null || d === undefined ? key : key.map(function (k) { return Number(k.toFixed(d)); });
    var a = flat(value);
    return a.length === shown.length && a.every(function (x, i) { return Math.abs(x - shown[i]) <= bound(tight, shown[i]) + 1e-12; });
  }

  // ---- formulas (quizgen/symbolic.py's grammar) ---------------------------------------------
  var FUNCS = {
    sigma: function (a) { return 1 / (1 + Math.exp(-a)); },
    sigmoid: function (a) { return 1 / (1 + Math.exp(-a)); },
    tanh: Math.tanh, exp: Math.exp, log: Math.log, ln: Math.log, sqrt: Math.sqrt,
    sin: Math.sin, cos: Math.cos, abs: Math.abs,
    softplus: function (a) { return Math.log(1 + Math.exp(a)); },
    relu: function (a) { return Math.max(0, a); },
  };
  var CONSTS = {e: Math.E, pi: Math.PI};
  var ALIASES = {"σ": "sigma", "π": "pi", "√": "sqrt"};
  var MAX_DEPTH = 60, MAX_TOKENS = 400, MAX_EXPONENT = 64;
  var TOKEN = /\s*(?:((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^(),]))/y;

  function tokenize(text) {
    Object.keys(ALIASES).forEach(function (g) { text = text.split(g).join(" " + ALIASES[g] + " "); });
    text = text.replace(new RegExp("[" + WS + "]+$"), "");
    var tokens = [], pos = 0;
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (m === null || TOKEN.lastIndex === pos) {
        var bad = Array.from(strip(text.slice(pos)))[0] || "";
        throw new Invalid("unexpected character " + repr(bad) + " in the formula");
      }
      tokens.push(m[1] !== undefined ? ["num", m[1]] : m[2] !== undefined ? ["name", m[2]] : ["op", m[3]]);
      pos = TOKEN.lastIndex;
    }
    if (tokens.length > MAX_TOKENS)
      throw new Invalid("the formula is too long (" + tokens.length + " symbols; at most " + MAX_TOKENS + ")");
    return tokens;
  }

  // An AST node is a function env -> number, with .constant (no variables) for the parse-time checks.
  function node(fn, constant) { fn.constant = constant; return fn; }

  function constValue(n) { return n.constant ? n({}) : null; }

  function parseFormula(text, variables) {
    text = strip(text || "");
    if (!text) throw new Invalid("no formula was given");
    var tokens = tokenize(text), pos = 0, depth = 0;
    function peek() { return pos < tokens.length ? tokens[pos] : [null, null]; }
    function take(value) {
      var t = peek();
      if (t[0] === null) throw new Invalid("the formula ends too early");
      if (value !== undefined && t[1] !== value) throw new Invalid("expected " + repr(value) + " but found " + repr(t[1]));
      pos++;
      return t;
    }
    function nested(fn) {
      depth++;
      if (depth > MAX_DEPTH) throw new Invalid("the formula is nested too deeply");
      try { return fn(); } finally { depth--; }
    }
    function binary(op, a, b) {
      var f = {"+": function (x, y) { return x + y; }, "-": function (x, y) { return x - y; },
               "*": function (x, y) { return x * y; }, "/": function (x, y) { return x / y; },
               "^": Math.pow}[op];
      return node(function (env) { return f(a(env), b(env)); }, a.constant && b.constant);
    }
    function expr() {
      var value = nested(term);
      while (peek()[1] === "+" || peek()[1] === "-") {
        var op = take()[1];
        value = binary(op, value, nested(term));
      }
      return value;
    }
    function term() {
      var value = unary();
      for (;;) {
        var t = peek();
        if (t[1] === "*" || t[1] === "/") {
          take();
          var rhs = unary();
          if (t[1] === "/" && constValue(rhs) === 0) throw new Invalid("the formula divides by zero");
          value = binary(t[1], value, rhs);
        } else if (t[0] === "num" || t[0] === "name" || t[1] === "(") {
          value = binary("*", value, power());
        } else return value;
      }
    }
    function unary() {
      var t = peek()[1];
      if (t === "+" || t === "-") {
        take();
        var operand = nested(unary);
        return t === "-" ? node(function (env) { return -operand(env); }, operand.constant) : operand;
      }
      return power();
    }
    function power() {
      var base = atom();
      if (peek()[1] === "^" || peek()[1] === "**") {
        take();
        var exponent = nested(unary), k = constValue(exponent);
        if (k !== null && (!isFinite(k) || Math.abs(k) > MAX_EXPONENT))
          throw new Invalid("an exponent larger than " + MAX_EXPONENT + " is not accepted");
        return binary("^", base, exponent);
      }
      return base;
    }
    function atom() {
      var t = take(), kind = t[0], text = t[1];
      if (kind === "num") {
        var v = parseFloat(text);
        if (!isFinite(v) || Math.abs(v) > 1e12) throw new Invalid("the number " + text + " is out of range");
        return node(function () { return v; }, true);
      }
      if (kind === "name") {
        var name = ALIASES[text] || text;
        if (Object.prototype.hasOwnProperty.call(FUNCS, name)) {
          if (peek()[1] !== "(") throw new Invalid(name + " needs its argument in parentheses, as " + name + "(x)");
          take("(");
          var arg = nested(expr);
          take(")");
          var f = FUNCS[name];
          return node(function (env) { return f(arg(env)); }, arg.constant);
        }
        if (variables.indexOf(name) >= 0) return node(function (env) { return env[name]; }, false);
        if (Object.prototype.hasOwnProperty.call(CONSTS, name)) {
          var c = CONSTS[name];
          return node(function () { return c; }, true);
        }
        var allowed = variables.slice().sort().join(", ") || "none";
        throw new Invalid("unknown name " + repr(text) + "; the variables are " + allowed);
      }
      if (text === "(") {
        var value = nested(expr);
        take(")");
        return value;
      }
      throw new Invalid("unexpected " + repr(text) + " in the formula");
    }
    var value = expr();
    if (pos !== tokens.length) throw new Invalid("unexpected " + repr(tokens[pos][1]) + " in the formula");
    var k = constValue(value);
    if (value.constant && (k === Infinity || k === -Infinity)) throw new Invalid("the formula is undefined (division by zero or infinity)");
    value.text = text;
    return value;
  }

  function samplesOf(spec, f) {
    var points = spec.points, vars = spec.variables;
    var out = [];
    for (var k = 0; k < points.length; k++) {
      var env = {};
      vars.forEach(function (v, j) { env[v] = points[(k + 3 * j) % points.length]; });
      var y = f(env);
      out.push(typeof y === "number" && isFinite(y) ? y : null);
    }
    return out;
  }

  function formulaMatches(spec, f, stored) {
    var mine = samplesOf(spec, f), theirs = stored.samples || [], compared = 0;
    for (var k = 0; k < mine.length; k++) {
      if (mine[k] === null || theirs[k] === null || theirs[k] === undefined) continue;
      compared++;
      if (Math.abs(mine[k] - theirs[k]) > 1e-9 * Math.max(1, Math.abs(theirs[k]))) return false;
    }
    if (compared >= 3) return true;
    // too few comparable points: exact match of the typed text and the stored formula, spaces removed
    return String(f.text).replace(/\s+/g, "") === String(stored.value).replace(/\s+/g, "");
  }

  // ---- the partial rule of a part with several right options (kinds.Choice.credit) ---------------
  // the c right options earn 1/c each, the w wrong ones cost 1/w each, kept in [0, 1]: (r w - x c) / (c w),
  // one division of whole numbers, so the float is Python's float(Fraction) to the last bit
  function partialCredit(spec, value, key) {
    var c = key.length, w = spec.n - c, r = 0, x = 0;
    value.forEach(function (letter) { if (key.indexOf(letter) >= 0) r += 1; else x += 1; });
    var share = w === 0 ? r / c : (r * w - x * c) / (c * w);
    return Math.min(Math.max(share, 0), 1);
  }

  // ---- grading one part (quizgen.bank.marking.grade_part, without error carried forward) --------------------
  function gradePart(question, part, entry, text) {
    var out = {status: "wrong", feedback: "", mistakes: [], within: false, hand: false, credit: 0};
    var choice = entry.choice;
    var spec = choice ? {kind: "choice", n: choice.options.length, multiple: false} : part;
    var normal;
    try { normal = normalize(text); } catch (e) {
      if (e instanceof Invalid) return {status: "invalid", feedback: e.reason, mistakes: []};
      throw e;
    }
    if (!normal) return {status: "blank", feedback: "no answer", mistakes: []};
    var parsed = parse(spec, normal);
    if (!parsed.ok) return {status: "invalid", feedback: parsed.reason, mistakes: []};
    var value = parsed.value, correct;
    if (choice) {
      var index = LETTERS.indexOf(value[0]);
      correct = index === LETTERS.indexOf(choice.key);
      out.mistakes = !correct && choice.mistakes[index] ? [choice.mistakes[index]] : [];
    } else {
      var exact = matches(spec, value, entry.key);
      correct = entry.interval ? inside(value, entry.key, entry.interval)
                               : exact || matches(spec, value, entry.hand);
      out.hand = correct && !exact;
      out.within = exact && !exactly(spec, value, entry.key);
      if (!correct) out.mistakes = entry.mistakes.filter(function (m) {
        return m.interval ? inside(value, m, m.interval) : matches(spec, value, m);
      }).map(function (m) { return m.name; });
    }
    if (correct) return Object.assign(out, {status: "correct", feedback: "correct", credit: 1});
    var share = !choice && part.credit === "partial" ? partialCredit(spec, value, entry.key.value) : 0;
    if (share > 0) return Object.assign(out, {status: "partial", credit: share, feedback: "partly right"});
    out.feedback = out.mistakes.length ? out.mistakes.map(function (m) { return question.mistakes[m] || m; }).join("; or ")
                                       : "not the key";
    return out;
  }

  function gradeQuestion(question, variant, responses) {
    return question.parts.map(function (part) {
      return gradePart(question, part, variant.parts[part.name], responses[part.name] || "");
    });
  }

  global.QZ = {normalize: normalize, parseNumber: parseNumber, splitList: splitList, parse: parse,
               matches: matches, gradePart: gradePart, gradeQuestion: gradeQuestion,
               parseFormula: parseFormula, samplesOf: samplesOf, repr: repr, LETTERS: LETTERS};
})(this);

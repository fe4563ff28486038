"""The in-memory postings and BM25 of portal/search/scoring.py agree with Whoosh's own, deletions and segments
included (the block reader uses Whoosh's codec internals, so a Whoosh upgrade that changes them fails here)."""

from __future__ import annotations

import math
import random

import pytest
from whoosh import index as whoosh_index
from whoosh.query import And, Or, Term

from portal.search import scoring
from portal.search.index import make_schema

WORDS = ["创业", "贷款", "担保", "培训", "西峡", "香菇", "电商", "导师", "补贴", "林权", "园区", "孵化"]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """About 600 documents in three segments (several posting blocks per word), some deleted."""
    directory = tmp_path_factory.mktemp("scoring-index")
    ix = whoosh_index.create_in(str(directory), make_schema())
    r = random.Random(5)
    number = 0
    for _segment in range(3):
        writer = ix.writer()
        for _ in range(200):
            body = "。".join("".join(r.choices(WORDS, k=r.randint(1, 6))) for _ in range(r.randint(1, 8)))
            writer.add_document(
                id=f"policy:d{number}",
                kind="policy",
                slug=f"d{number}",
                title=f"文档{number}",
                body=body,
                text=body,
                county="全市",
                subtitle="",
                sample=False,
            )
            number += 1
        writer.commit(merge=False)
    writer = ix.writer()
    for gone in r.sample(range(number), 40):
        writer.delete_by_term("id", f"policy:d{gone}")
    writer.commit(merge=False)
    yield ix
    ix.close()


def test_postings_and_lengths_are_whooshs(small_index):
    with small_index.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
        lengths = scoring.document_lengths(reader)
        for docnum in range(reader.doc_count_all()):
            assert lengths[docnum] == (reader.doc_field_length(docnum, "body", 0) or 1)
        for word in [*WORDS, "没有这个词"]:
            expected = dict(reader.postings("body", word).items_as("weight")) if ("body", word) in reader else {}
            assert scoring.read_postings(reader, word) == expected
            assert len(expected) < 600


@pytest.mark.parametrize("words", [["创业"], ["贷款", "担保"], ["西峡", "香菇", "电商"], ["导师"]])
def test_scores_are_whooshs_bm25(small_index, words):
    with small_index.searcher() as searcher:
        postings = scoring.Postings(searcher.reader())
        groups = [(w,) for w in words]
        matched = postings.matching(groups, require_all=True)
        ours = {-d: score for score, d in postings.best(groups, matched, limit=len(matched) or 1)}
        query = And([Term("body", w) for w in words]) if len(words) > 1 else Term("body", words[0])
        theirs = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        assert set(ours) == set(theirs) == matched
        for docnum, score in theirs.items():
            assert math.isclose(ours[docnum], score, rel_tol=1e-4), (docnum, ours[docnum], score)


def test_synonyms_add_up_as_whooshs_or(small_index):
    with small_index.searcher() as searcher:
        postings = scoring.Postings(searcher.reader())
        groups = [("贷款", "补贴"), ("创业",)]
        matched = postings.matching(groups, require_all=True)
        ours = {-d: s for s, d in postings.best(groups, matched, limit=len(matched))}
        theirs = {
            h.docnum: h.score
            for h in searcher.search(
                And([Or([Term("body", "贷款"), Term("body", "补贴")]), Term("body", "创业")]), limit=None
            )
        }
        assert set(ours) == set(theirs)
        for docnum, score in theirs.items():
            assert math.isclose(ours[docnum], score, rel_tol=1e-4)


def test_only_the_leaders_are_scored_when_many_match(small_index, monkeypatch):
    """Beyond EXACT_UP_TO matches the best pages still come first: they are where the words weigh most."""
    with small_index.searcher() as searcher:
        exact = scoring.Postings(searcher.reader())
        groups = [("创业",), ("贷款",)]
        matched = exact.matching(groups, require_all=True)
        full = exact.best(groups, matched, limit=10)
        monkeypatch.setattr(scoring, "EXACT_UP_TO", 10)
        monkeypatch.setattr(scoring, "LEADERS", 60)
        limited = scoring.Postings(searcher.reader()).best(groups, matched, limit=10)
        assert len(matched) > 60
        assert limited[:3] == full[:3]

"""The search benchmark's corpus and queries, generated deterministically from the real content.

`load_vocabulary` reads what the generator recombines from content/: sentences of the descriptions, bios and policy
guides, names of counties, towns, units, tags and labels (labels from portal.catalog.vocab). `CorpusMaker` turns it
into documents shaped like ``portal.search.documents.to_document`` (text, title, tags and labels in the one
searchable ``body`` field), with the kinds in the catalog's proportions; the same seed and count give the same
corpus. `make_queries` mixes real terms, county names, person names and 2–3-word combinations, some with no hits.
"""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import harness
import yaml

from portal.search.documents import searchable_text
from portal.search.snippets import readable_text

CONTENT = harness.ROOT / "content"

KINDS = ("policy", "base", "park", "project", "mentor")
CITYWIDE = "全市"
# Body length (characters) per kind: policy guides are long, catalog entries and mentor bios short.
BODY_CHARS = {
    "policy": (800, 1500),
    "base": (200, 700),
    "park": (200, 700),
    "project": (200, 600),
    "mentor": (200, 400),
}

_SENTENCE_END = re.compile(r"(?<=[。！？；])|\n+")
_MARKDOWN = re.compile(r"[#>*_`|\[\]()]+")
_TOWN = re.compile(r"[\u4e00-\u9fff]{2,3}(?:镇|乡)")


# ---------------------------------------------------------------------------------------------- vocabulary


def _read_yaml(name: str) -> list[dict]:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8")) or []


def _read_policies() -> list[dict]:
    policies = []
    for path in sorted((CONTENT / "policies").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---", 2)
        data = yaml.safe_load(front)
        data["body"] = body
        policies.append(data)
    return policies


def _sentences(*texts: str) -> list[str]:
    out = []
    for text in texts:
        for line in _SENTENCE_END.split(_MARKDOWN.sub("", text or "")):
            line = line.strip(" -\t")
            if len(line) >= 6 and re.search(r"[\u4e00-\u9fff]", line):
                out.append(line)
    return out


def _unique(items) -> list[str]:
    return sorted({str(i).strip() for i in items if i and str(i).strip()})


def load_vocabulary() -> SimpleNamespace:
    """Everything the generator recombines, read from content/ (labels come from portal.catalog.vocab)."""
    from flask_babel import force_locale

    from portal.catalog import vocab

    counties = [c["name"] for c in _read_yaml("counties.yaml")]
    units = _read_yaml("units.yaml")
    bases, parks, projects = _read_yaml("bases.yaml"), _read_yaml("parks.yaml"), _read_yaml("projects.yaml")
    mentors, policies = _read_yaml("mentors.yaml"), _read_policies()
    real = {"policy": policies, "base": bases, "park": parks, "project": projects, "mentor": mentors}

    sentences = {
        "policy": _sentences(
            *(p.get("summary", "") for p in policies),
            *("\n".join(p.get(k) or []) for p in policies for k in ("eligibility", "benefits", "how_to_apply")),
            *(p["body"] for p in policies),
        ),
        "base": _sentences(*(b.get("description", "") for b in bases)),
        "park": _sentences(*(p.get("description", "") for p in parks)),
        "project": _sentences(*(p.get("description", "") for p in projects)),
        "mentor": _sentences(*(m.get("bio", "") for m in mentors)),
    }
    sentences["any"] = [s for kind in KINDS for s in sentences[kind]]
    everything = " ".join(str(v) for rows in real.values() for row in rows for v in row.values())
    with force_locale("zh_Hans_CN"):
        labels = {
            name: [str(v) for v in table.values()]
            for name, table in {
                "base_types": vocab.BASE_TYPES,
                "levels": vocab.LEVELS,
                "industries": vocab.INDUSTRIES,
                "expertise": vocab.EXPERTISE,
                "policy_categories": vocab.POLICY_CATEGORIES,
            }.items()
        }
    topics = _unique(
        [*(t for p in policies for t in p.get("tags") or []), *labels["policy_categories"]]
        + [re.split(r"[：，、（]", p["title"])[0] for p in policies]
    )
    mentor_names = [m["name"] for m in mentors]
    return SimpleNamespace(
        counties=counties,
        kind_weights={kind: len(rows) for kind, rows in real.items()},
        sample_share={kind: sum(1 for r in rows if r.get("sample")) / len(rows) for kind, rows in real.items()},
        sentences=sentences,
        titles={kind: [r.get("title") or r["name"] for r in rows] for kind, rows in real.items()},
        tags={kind: _unique(t for r in rows for t in r.get("tags") or []) for kind, rows in real.items()},
        services=_unique(s for b in bases for s in b.get("services") or []),
        towns=_unique(_TOWN.findall(everything)),
        unit_names=_unique([u["name"] for u in units] + [u["short_name"] for u in units]),
        issuers=_unique(p.get("issuer") for p in policies),
        doc_numbers=_unique(p.get("doc_number") for p in policies),
        operators=_unique(b.get("operator") for b in bases),
        companies=_unique(p.get("company") for p in projects),
        addresses=_unique(r.get("address") for r in [*bases, *parks]),
        mentor_titles=_unique(m.get("title") for m in mentors),
        organisations=_unique(m.get("organisation") for m in mentors),
        surnames=_unique(n[0] for n in mentor_names) + list("杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭"),
        given_chars=_unique(ch for n in mentor_names for ch in n[1:]),
        labels=labels,
        topics=topics,
    )


# ---------------------------------------------------------------------------------------------- corpus


def _fit(text: str, low: int = 8, high: int = 30, filler: str = "返乡创业服务") -> str:
    while len(text) < low:
        text += filler
    return text[:high]


def _short(county: str) -> str:
    """西峡县 → 西峡; zones and 2-character names are kept whole."""
    return county[:-1] if len(county) == 3 and county[-1] in "县区市" else county


class CorpusMaker:
    """Deterministic documents: the same seed and count give the same corpus, document for document."""

    def __init__(self, vocab: SimpleNamespace, seed: int):
        self.v = vocab
        self.rng = random.Random(seed)
        self.place_counties = [c for c in vocab.counties if c != CITYWIDE]
        self.county_pattern = re.compile("|".join(sorted(map(re.escape, self.place_counties), key=len, reverse=True)))
        shared = vocab.tags["base"] + vocab.tags["park"] + vocab.tags["project"]
        self.features = {kind: vocab.tags[kind] + shared for kind in KINDS}

    def kinds(self, n: int) -> list[str]:
        weights = [self.v.kind_weights[k] for k in KINDS]
        return self.rng.choices(KINDS, weights=weights, k=n)

    def mentor_name(self) -> str:
        r = self.rng
        return r.choice(self.v.surnames) + "".join(r.choice(self.v.given_chars) for _ in range(r.choice((1, 2, 2))))

    def body(self, kind: str, county: str | None) -> str:
        r = self.rng
        low, high = BODY_CHARS[kind]
        target = r.randint(low, high)
        own, other = self.v.sentences[kind], self.v.sentences["any"]
        paragraphs, paragraph, length = [], [], 0
        while length < target:
            sentence = r.choice(own if r.random() < 0.7 else other)
            if county and r.random() < 0.5:
                sentence = self.county_pattern.sub(county, sentence)
            paragraph.append(sentence)
            length += len(sentence)
            if len(paragraph) >= r.randint(2, 4):
                paragraphs.append("".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append("".join(paragraph))
        return "\n".join(paragraphs)[: high + 40]

    def title(self, kind: str, county: str) -> str:
        r, v = self.rng, self.v
        feature = r.choice(self.features[kind])
        if kind == "policy":
            topic = r.choice(v.topics)
            pattern = r.randrange(4)
            if pattern == 0:
                text = f"{r.randint(2017, 2025)}年{r.choice((CITYWIDE, '南阳市', _short(county)))}{topic}" + r.choice(
                    ("申请指南", "实施办法", "政策解读", "补贴标准", "办理流程")
                )
            elif pattern == 1:
                text = f"{topic}：" + r.choice(("怎么申请", "谁能申请", "有什么补贴", "要准备哪些材料", "多久能办下来"))
            elif pattern == 2:
                text = f"关于{r.choice(v.titles['policy'])[:14]}的通知"
            else:
                text = r.choice(v.titles["policy"])
        elif kind == "base":
            text = f"{r.choice((county, _short(county), r.choice(v.towns)))}{feature}{r.choice(v.labels['base_types'])}"
        elif kind == "park":
            place = county + (r.choice(v.towns) if r.random() < 0.5 else "")
            text = place + feature + r.choice(("产业园", "返乡创业园", "返乡创业示范园区", "产业基地", "特色小镇"))
        elif kind == "project":
            text = (
                _short(county)
                + feature
                + r.choice(("项目", "加工项目", "种植合作社", "家庭农场", "电商直播基地", "乡村旅游项目", "扩建项目"))
            )
        else:
            return self.mentor_name()  # mentors' titles are person names, as in the real catalog
        if r.random() < v.sample_share[kind]:
            text += "（示例）"
        return _fit(text)

    def document(self, i: int, kind: str) -> dict:
        r, v = self.rng, self.v
        county = r.choice(self.place_counties)
        sample = r.random() < v.sample_share[kind]
        tags = r.sample(v.tags[kind], k=min(len(v.tags[kind]), r.randint(2, 4)))
        meta: list[str] = []
        if kind == "policy":
            counties = [CITYWIDE]
            doc_number = r.choice(v.doc_numbers) if r.random() < 0.7 else ""
            issuer = r.choice(v.issuers)
            meta += [issuer, doc_number, r.choice(v.labels["policy_categories"])]
            meta += r.sample(v.unit_names, k=r.randint(1, 3))
            subtitle = doc_number or issuer
            body_county = None
        elif kind == "base":
            counties = [county]
            tags += r.sample(v.services, k=r.randint(1, 3))
            base_type = r.choice(v.labels["base_types"])
            meta += [base_type, r.choice(v.labels["levels"]), r.choice(v.operators)]
            meta += [f"{county}{r.choice(v.towns)}" if r.random() < 0.6 else r.choice(v.addresses)]
            subtitle = f"{county} · {base_type}"
            body_county = county
        elif kind in ("park", "project"):
            counties = [county]
            industry = r.choice(v.labels["industries"])
            meta += [industry, r.choice(v.labels["levels"])]
            meta += [f"{county}{r.choice(v.towns)}"] if kind == "park" else [r.choice(v.companies)]
            subtitle = f"{county} · {industry}"
            body_county = county
        else:
            tags += r.sample(v.labels["expertise"], k=r.randint(1, 2))
            title = r.choice(v.mentor_titles)
            meta += [title, r.choice(v.organisations) if r.random() < 0.7 else "", "创业导师"]
            if r.random() < 0.7:
                meta += ["创业导师乡村行", "乡村行"]
            counties = [CITYWIDE] if r.random() < 0.3 else r.sample(self.place_counties, k=r.randint(1, 3))
            meta += counties
            subtitle = title
            body_county = counties[0] if counties[0] != CITYWIDE else None
        meta += counties
        slug = f"bench-{kind}-{i:05d}"
        title = self.title(kind, counties[0] if counties[0] != CITYWIDE else county)
        text = self.body(kind, body_county)
        return {
            "id": f"{kind}:{slug}",
            "kind": kind,
            "slug": slug,
            "title": title,
            # as the portal indexes it: one searchable field with the text, title, tags and labels
            "body": searchable_text(text, title, tags, meta),
            "text": readable_text(text),
            "county": ",".join(counties),
            "subtitle": subtitle,
            "sample": sample,
        }

    def corpus(self, n: int) -> list[dict]:
        return [self.document(i, kind) for i, kind in enumerate(self.kinds(n))]


# ---------------------------------------------------------------------------------------------- queries


def _listed(text: str, separator: str = r"\||\n") -> list[str]:
    """Queries are separated by "|" or a line break (the words of one query by spaces)."""
    return re.split(separator, text.strip())


REAL_TERMS = _listed(
    """
担保贷款 创业担保贷款 林权贷款 林权抵押 贴息 财政贴息 反担保 一次性创业补贴 创业补贴 电商培训 创业培训 创业实训
培训补贴 孵化基地 创业孵化 星创天地 众创空间 示范园区 示范项目 返乡创业 凤归中原 创业导师 乡村行 导师乡村行 香菇
食用菌 玉雕 直播带货 猕猴桃 艾草 中医药 月季 电子商务 乡村旅游 合作社 家庭农场 大学生创业 小微企业 人社局
贷款额度 申请材料 营业执照 奖补 场地租金 物业管理费
""",
    r"\s+",
)
COMBOS = _listed("""
西峡 孵化|镇平 玉雕|内乡 电商|南召 艾草|淅川 乡村旅游|方城 合作社|社旗 培训|唐河 贷款|新野 纺织|桐柏 香菇
邓州 创业补贴|宛城区 众创空间|卧龙区 孵化基地|担保贷款 贴息|创业担保贷款 申请材料|返乡创业 示范园区 奖补
电商 直播 培训|林权 抵押 贷款|创业导师 乡村行 西峡|孵化基地 场地 补贴|大学生 创业 贷款
""")
NO_HIT = _listed("""
量子计算|火箭发射|深海捕捞|滑雪场|北极熊|比特币挖矿|航空母舰|芯片光刻|潜水艇|zzyzx|冰川旅游|核电站 补贴
海盗 贷款|宇航员 培训|沙漠 冲浪
""")


def make_queries(vocab: SimpleNamespace, corpus: list[dict], n: int, seed: int) -> list[str]:
    """A deterministic mix: real terms, county names, names, expertise, 2- and 3-word combos, some with no hits."""
    r = random.Random(seed + 1)
    pool: list[str] = [*REAL_TERMS, *COMBOS, *NO_HIT]
    places = [c for c in vocab.counties if c != CITYWIDE]
    pool += places + [_short(c) for c in places if _short(c) != c][:6]
    mentors = sorted({d["title"] for d in corpus if d["kind"] == "mentor"})
    pool += r.sample(mentors, k=min(12, len(mentors)))
    maker, titles = CorpusMaker(vocab, seed + 2), {d["title"] for d in corpus}
    unknown = set()
    while len(unknown) < 8:
        name = maker.mentor_name()
        if name not in titles:
            unknown.add(name)
    pool += sorted(unknown)
    pool += vocab.labels["expertise"] + vocab.mentor_titles[:6]
    terms = [*REAL_TERMS, *vocab.labels["industries"], *vocab.services, *vocab.tags["base"], *vocab.tags["park"]]
    shorts = [_short(c) for c in places]
    seen = set(pool)
    while len(pool) < max(n, 200) + 40:
        words = r.choice((2, 2, 2, 3))
        parts = [r.choice(shorts), *r.sample(terms, k=words - 1)] if r.random() < 0.5 else r.sample(terms, k=words)
        query = " ".join(parts)
        if query not in seen:
            seen.add(query)
            pool.append(query)
    pool = list(dict.fromkeys(pool))
    r.shuffle(pool)
    return pool[:n]

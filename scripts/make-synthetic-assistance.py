#!/usr/bin/env python3
"""Writes data/assistance.synthetic.json: a SYNTHETIC data set for
demonstrating capacity-building and coordination (needs, offers,
activities over Central Asia and the Turkic Council states). Nothing in it
is a real need, offer or activity; every record is marked synthetic when
loaded. Deterministic: the same file every run.

It refers to the sourced entities and offices of data/assistance.json
(load that first) and adds synthetic entities of its own."""
import json
import random
import sys

rng = random.Random(20181928)
SYN = "Synthetic demonstration data (data/assistance.synthetic.json): not a real record"
STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "AZE", "TUR"]
SECTORS = ["15210", "15130", "15220", "15160", "15113", "15110"]
SDG = ["16.a", "16.1", "16.3", "16.4", "16.10", "17.9"]
LANGS = {"KAZ": ["ru", "kk"], "KGZ": ["ru", "ky"], "TJK": ["ru", "tg"], "TKM": ["ru", "tk"], "UZB": ["ru", "uz"],
         "AZE": ["az", "ru"], "TUR": ["tr", "en"]}
SUBDIVISIONS = {"KAZ": ["KZ-ALA", "KZ-AST"], "KGZ": ["KG-GB"], "TJK": ["TJ-DU"], "TKM": ["TM-S"], "UZB": ["UZ-TK"],
                "AZE": [], "TUR": []}
TOPICS = [
    ("Border management training for counter-terrorism units", "15210", [3, 4], ["16.a", "16.4"], ["2", "3"], [2396]),
    ("Drafting legislation on terrorist financing", "15130", [5], ["16.4", "16.a"], ["2", "3"], [1373]),
    ("Prosecuting returning foreign terrorist fighters", "15130", [6, 7], ["16.3", "16.a"], ["2", "4"], [2178, 2396]),
    ("Prison programmes against radicalization", "15220", [2], ["16.1", "16.a"], ["1", "3"], [2396]),
    ("Human rights in counter-terrorism investigations", "15160", [9], ["16.3", "16.10"], ["4"], []),
    ("Financial intelligence unit analysis tools", "15113", [5], ["16.4"], ["2", "3"], [1373]),
    ("Youth engagement to prevent violent extremism", "15220", [2, 8], ["16.1"], ["1"], []),
    ("National counter-terrorism strategy review", "15110", [1, 10], ["16.a", "17.9"], ["1", "2", "3", "4"], [1373]),
]


def period(start_year):
    y = start_year + rng.randint(0, 1)
    m = rng.randint(1, 12)
    return f"{y}-{m:02d}-01", f"{y + rng.randint(1, 2)}-{m:02d}-01"


def main():
    entities = [
        {"code": "undp", "kind": "un", "name": "UNDP (synthetic record)", "org_type": "40", "source": "synthetic"},
        {"code": "unesco", "kind": "un", "name": "UNESCO (synthetic record)", "org_type": "40", "source": "synthetic"},
        {"code": "ohchr", "kind": "un", "name": "OHCHR (synthetic record)", "org_type": "40", "source": "synthetic"},
        {"code": "example-fund", "kind": "donor", "name": "Example Counter-Terrorism Fund (synthetic)",
         "org_type": "90", "source": "synthetic"},
        {"code": "state-tur", "kind": "state", "name": "Türkiye as a provider (synthetic record)", "party": "TUR",
         "org_type": "10", "source": "synthetic"},
    ]
    offices = [
        {"code": "undp/new-york", "kind": "headquarters", "name": "UNDP headquarters (synthetic)", "country": "USA",
         "subdivision": "US-NY", "source": "synthetic"},
        {"code": "undp/almaty", "kind": "field", "name": "UNDP field office (synthetic)", "country": "KAZ",
         "subdivision": "KZ-ALA", "covers": ["KAZ", "KGZ"], "source": "synthetic"},
        {"code": "undp/tashkent", "kind": "field", "name": "UNDP field office (synthetic)", "country": "UZB",
         "subdivision": "UZ-TK", "covers": ["UZB", "TJK", "TKM"], "source": "synthetic"},
        {"code": "unesco/paris", "kind": "headquarters", "name": "UNESCO headquarters (synthetic)", "country": "FRA",
         "source": "synthetic"},
        {"code": "unesco/almaty", "kind": "field", "name": "UNESCO field office (synthetic)", "country": "KAZ",
         "subdivision": "KZ-ALA", "covers": ["KAZ", "KGZ", "TJK", "UZB"], "source": "synthetic"},
        {"code": "ohchr/geneva", "kind": "headquarters", "name": "OHCHR headquarters (synthetic)", "country": "CHE",
         "source": "synthetic"},
        {"code": "ohchr/bishkek", "kind": "field", "name": "OHCHR regional office (synthetic)", "country": "KGZ",
         "subdivision": "KG-GB", "covers": ["KAZ", "KGZ", "TJK", "TKM", "UZB"], "source": "synthetic"},
    ]
    implementers = ["unodc/almaty", "unodc/tashkent", "unodc/bishkek", "unodc/dushanbe", "unodc/ashgabat",
                    "unodc/astana", "undp/almaty", "undp/tashkent", "unesco/almaty", "ohchr/bishkek", "unoct/madrid",
                    "unoct", "state-tur"]
    framework_links = [
        {"instrument": "code-of-conduct", "provision": p, "framework": "sdg", "code": "16.a", "source": "synthetic"}
        for p in (1, 3, 5)] + [
        {"instrument": "code-of-conduct", "provision": 5, "framework": "unsc", "code": "1373", "source": "synthetic"},
        {"instrument": "code-of-conduct", "provision": 6, "framework": "unsc", "code": "2178", "source": "synthetic"},
        {"instrument": "code-of-conduct", "provision": 3, "framework": "gcts", "code": "3", "source": "synthetic"}]

    needs = []
    for i in range(30):
        state = STATES[i % len(STATES)]
        title, sector, provisions, sdg, gcts, unsc = TOPICS[(i * 3) % len(TOPICS)]
        access = "restricted" if i % 6 == 5 else "providers" if i % 6 == 4 else "public"
        frm, to = period(2026)
        needs.append({
            "id": f"syn-need-{i + 1:02d}", "beneficiary": state, "access": access,
            "title": f"{title} ({state}, synthetic)",
            "body": f"**Synthetic need.** {title} for the authorities of {state}: an example written for "
                    f"demonstration, not a real request.",
            "instrument": "code-of-conduct", "provisions": provisions, "thematic": sector, "sdg": sdg,
            "gcts": gcts, "unsc": unsc, "priority": ["high", "medium", "low"][i % 3], "languages": LANGS[state],
            "period": {"from": frm, "to": to}})
    offers = []
    providers = ["unodc", "unodc", "undp", "unesco", "ohchr", "unoct", "state-tur", "example-fund"]
    for i in range(15):
        title, sector, provisions, sdg, gcts, unsc = TOPICS[i % len(TOPICS)]
        frm, to = period(2025)
        offer = {
            "id": f"syn-offer-{i + 1:02d}", "provider": providers[i % len(providers)],
            "title": f"Offer: {title.lower()} (synthetic)", "instrument": "code-of-conduct",
            "provisions": provisions, "thematic": sector, "sdg": sdg, "gcts": gcts, "unsc": unsc,
            "modalities": [["training", "mentoring"], ["legislative_drafting", "expert_advice"], ["equipment"],
                           ["workshop", "research"]][i % 4],
            "languages": ["ru", "en"] if i % 2 == 0 else ["en", "tr"], "period": {"from": frm, "to": to}}
        if i % 3 == 0:
            offer["regions"] = ["143"]  # Central Asia
        else:
            offer["countries"] = sorted(rng.sample(STATES, 3))
        if i % 4 == 0:
            offer["budget"] = {"amount": 50000 * (i + 1), "currency": "USD"}
        offers.append(offer)
    activities = []
    statuses = ["implementation"] * 5 + ["pipeline"] * 2 + ["completed"] * 2 + ["suspended", "cancelled"]
    for i in range(40):
        state = STATES[i % 5] if i % 4 else STATES[5 + (i // 4) % 2]
        title, sector, provisions, sdg, gcts, unsc = TOPICS[(i * 5) % len(TOPICS)]
        impl = implementers[i % len(implementers)]
        status = statuses[i % len(statuses)]
        ps, pe = period(2024)
        act = {
            "id": f"syn-act-{i + 1:02d}", "title": f"{title} in {state} (synthetic)",
            "body": "Synthetic activity for demonstration: not a real project.",
            "implementing": impl, "country": state, "instrument": "code-of-conduct", "provisions": provisions,
            "thematic": sector, "sdg": sdg, "gcts": gcts, "unsc": unsc, "status": status,
            "planned_start": ps, "planned_end": pe}
        if SUBDIVISIONS[state] and i % 2 == 0:
            act["subdivision"] = SUBDIVISIONS[state][i % len(SUBDIVISIONS[state])]
        if i % 3 == 0:
            act["funder"] = "example-fund"
        if i % 5 == 0:
            act["programming"] = impl.split("/")[0]
        if status in ("implementation", "completed", "suspended"):
            act["actual_start"] = ps
        if status == "completed":
            act["actual_end"] = pe
        # Link to the first need of the same country and provision, half the time.
        match = [n["id"] for n in needs if n["beneficiary"] == state and set(n["provisions"]) & set(provisions)]
        if match and i % 2 == 0:
            act["needs"] = match[:1]
        if i == 0:
            act["meeting"] = "syn-meeting-almaty"
        activities.append(act)
    meetings = [{"id": "syn-meeting-almaty", "date": "2026-03-12", "title": "Regional coordination meeting (synthetic)",
                 "place": "Almaty (synthetic)", "instruments": ["code-of-conduct"], "source": "synthetic",
                 "note": "Synthetic event for demonstration; no participants are recorded."}]
    doc = {
        "synthetic": True,
        "about": "SYNTHETIC DATA SET. Made-up entities, offices, needs, offers and activities for demonstrating "
                 "capacity-building coordination in Central Asia and the Turkic Council states. None of it is a "
                 "real record; every record loaded from this file is marked synthetic. Written by "
                 "scripts/make-synthetic-assistance.py; load data/assistance.json first.",
        "sources": {"synthetic": {"title": SYN}},
        "entities": entities, "offices": offices, "framework_links": framework_links, "meetings": meetings,
        "needs": needs, "offers": offers, "activities": activities}
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


main()

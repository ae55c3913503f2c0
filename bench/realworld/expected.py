#!/usr/bin/env python3
"""Independent expectations for the real-world vendor exports.

Reads every file in ../shared/data/realworld/ (beside the checkout; the files are
never copied into the project) with hand-written parsing that shares no code with
Utfall, and writes tests/fixtures/realworld/expected.json: one entry per file, keyed
by the path relative to realworld/.

Python 3.11, standard library only. Run from the repo root:

    python3 bench/realworld/expected.py

Conventions in the output:
  * dates are ISO `YYYY-MM-DD`; datetimes are ISO `YYYY-MM-DDTHH:MM:SS` without a zone
    (the zone is whatever the export used; none of these files states one) unless
    the key says `_utc`;
  * money and other fractional sums are computed with Decimal from the text and
    written as floats rounded to 6 decimals; counts are integers;
  * "no value" cells (empty, " --") are skipped in sums and counted where useful;
  * lists that come from sets are sorted; the JSON is written with sorted keys.
"""

from __future__ import annotations

import ast
import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = (REPO / '..' / 'shared' / 'data' / 'realworld').resolve()
OUT = REPO / 'tests' / 'fixtures' / 'realworld' / 'expected.json'

SIX = Decimal('0.000001')


# ---------------------------------------------------------------------------
# generic helpers
# ---------------------------------------------------------------------------

def raw(rel: str) -> bytes:
    return (DATA / rel).read_bytes()


def file_facts(rel: str, b: bytes) -> dict:
    return {'bytes': len(b), 'sha256': hashlib.sha256(b).hexdigest()}


def _macroman_fallback(exc: UnicodeDecodeError):
    """Decode bytes that are not valid UTF-8 as MacRoman (Excel for Mac writes those)."""
    bad = exc.object[exc.start:exc.end]
    return bad.decode('mac_roman'), exc.end


codecs.register_error('macroman_fallback', _macroman_fallback)


def non_utf8_offsets(b: bytes) -> list[int]:
    """Offsets of the bytes that fail strict UTF-8 decoding."""
    out, pos = [], 0
    while pos < len(b):
        try:
            b[pos:].decode('utf-8')
            break
        except UnicodeDecodeError as e:
            out.append(pos + e.start)
            pos = pos + e.start + 1
    return out


def decode(b: bytes) -> tuple[str, dict]:
    """Decode by looking at the bytes: BOMs first, then UTF-8, then UTF-8 with MacRoman strays."""
    info = {}
    if b.startswith(codecs.BOM_UTF16_LE):
        info['encoding'] = 'utf-16le'
        info['bom'] = True
        text = b[2:].decode('utf-16-le')
    elif b.startswith(codecs.BOM_UTF16_BE):
        info['encoding'] = 'utf-16be'
        info['bom'] = True
        text = b[2:].decode('utf-16-be')
    elif b.startswith(codecs.BOM_UTF8):
        info['encoding'] = 'utf-8'
        info['bom'] = True
        text = b[3:].decode('utf-8')
    else:
        info['bom'] = False
        bad = non_utf8_offsets(b)
        if bad:
            info['encoding'] = 'utf-8 with non-UTF-8 bytes (decoded as MacRoman)'
            text = b.decode('utf-8', errors='macroman_fallback')
        else:
            info['encoding'] = 'utf-8'
            text = b.decode('utf-8')
    info['ascii_only'] = all(ord(c) < 128 for c in text)
    return text, info


def line_ends(text: str) -> dict:
    """Raw counts of line terminators in the decoded text (inside quotes too) and the final one."""
    crlf = text.count('\r\n')
    lf = text.count('\n') - crlf
    cr = text.count('\r') - crlf
    kinds = [k for k, n in (('CRLF', crlf), ('LF', lf), ('CR', cr)) if n]
    return {
        'line_ends': '+'.join(kinds) if kinds else 'none',
        'line_end_counts': {'crlf': crlf, 'lf': lf, 'cr': cr},
        'final_newline': text.endswith('\n') or text.endswith('\r'),
    }


def sniff_delimiter(line: str) -> str:
    """The candidate that occurs most often outside double quotes in one line."""
    counts = Counter()
    inq = False
    for ch in line:
        if ch == '"':
            inq = not inq
        elif not inq and ch in ',;\t|':
            counts[ch] += 1
    return counts.most_common(1)[0][0] if counts else ','


def read_csv(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=''), delimiter=delimiter, strict=True))


def num_en(s: str | None) -> Decimal | None:
    """English-style number: '31,193', '1,286.58', '2.81%'. Empty and ' --' mean no value."""
    if s is None:
        return None
    s = s.strip()
    if s in ('', '--'):
        return None
    s = s.replace(',', '')
    if s.endswith('%'):
        s = s[:-1]
    if not re.fullmatch(r'-?\d+(\.\d+)?([eE][-+]?\d+)?', s):
        return None  # e.g. '< 10%', '> 90%'
    return Decimal(s)


def num_nl(s: str | None) -> Decimal | None:
    """Dutch-style number: '7,0000000000', '135236,66' (decimal comma, '.' as thousands)."""
    if s is None:
        return None
    s = s.strip()
    if s == '':
        return None
    s = s.replace('.', '').replace(',', '.')
    if not re.fullmatch(r'-?\d+(\.\d+)?', s):
        raise ValueError(f'not a Dutch number: {s!r}')
    return Decimal(s)


def dec_out(d: Decimal | None):
    """Decimal sum -> float rounded to 6 decimals (None stays None)."""
    if d is None:
        return None
    return float(d.quantize(SIX))


def int_out(d) -> int | None:
    if d is None:
        return None
    d = Decimal(d)
    if d != d.to_integral_value():
        raise ValueError(f'expected an integer, got {d}')
    return int(d)


def dsum(values) -> Decimal:
    total = Decimal(0)
    for v in values:
        if v is not None:
            total += v
    return total


def counts(values) -> dict:
    return dict(sorted(Counter(values).items()))


def top(values, n: int) -> list:
    c = Counter(values)
    return [[k, v] for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def yy(y: str) -> int:
    y = int(y)
    if y < 100:
        if y >= 70:
            raise ValueError(f'two-digit year {y} outside 2000s')
        y += 2000
    return y


def mdy_hm(s: str) -> str | None:
    """US export datetime 'm/d/yy h:mm' or 'm/d/yyyy h:mm[:ss]' -> ISO without zone."""
    s = s.strip()
    if not s:
        return None
    m = re.fullmatch(r'(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?', s)
    if not m:
        raise ValueError(f'not m/d/y h:mm: {s!r}')
    mo, d, y, h, mi, sec = m.groups()
    return dt.datetime(yy(y), int(mo), int(d), int(h), int(mi), int(sec or 0)).isoformat()


def dmy(s: str, sep: str = '-') -> str | None:
    """European date 'd-m-yyyy' / 'dd-mm-yyyy' -> ISO."""
    s = s.strip()
    if not s:
        return None
    m = re.fullmatch(r'(\d{1,2})' + re.escape(sep) + r'(\d{1,2})' + re.escape(sep) + r'(\d{4})', s)
    if not m:
        raise ValueError(f'not d{sep}m{sep}yyyy: {s!r}')
    d, mo, y = m.groups()
    return dt.date(int(y), int(mo), int(d)).isoformat()


def yyyymmdd(s: str) -> str:
    if not re.fullmatch(r'\d{8}', s):
        raise ValueError(f'not yyyymmdd: {s!r}')
    return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()


MONTHS = {m: i + 1 for i, m in enumerate(
    ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
     'september', 'october', 'november', 'december'])}


def month_name_date(s: str) -> str:
    """'27 January 2026' or 'July 8, 2025' -> ISO."""
    s = s.strip()
    m = re.fullmatch(r'(\d{1,2}) ([A-Za-z]+) (\d{4})', s)
    if m:
        d, mon, y = m.groups()
    else:
        m = re.fullmatch(r'([A-Za-z]+) (\d{1,2}), (\d{4})', s)
        if not m:
            raise ValueError(f'not a month-name date: {s!r}')
        mon, d, y = m.groups()
    return dt.date(int(y), MONTHS[mon.lower()], int(d)).isoformat()


def minmax(values) -> tuple:
    vals = [v for v in values if v is not None]
    return (min(vals), max(vals)) if vals else (None, None)


def load_json(text: str):
    """json.loads that also reports keys duplicated inside one object."""
    dups = []

    def hook(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                dups.append(k)
            seen.add(k)
        return dict(pairs)

    return json.loads(text, object_pairs_hook=hook), sorted(set(dups))


def header_duplicates(header: list[str]) -> dict:
    """Labels that occur more than once, exactly and case-insensitively, with 0-based positions."""
    exact = defaultdict(list)
    folded = defaultdict(list)
    for i, h in enumerate(header):
        exact[h].append(i)
        folded[h.strip().lower()].append(i)
    return {
        'duplicated_labels': {k: v for k, v in sorted(exact.items()) if len(v) > 1},
        'duplicated_labels_case_insensitive': {
            k: {'labels': [header[i] for i in v], 'positions': v} for k, v in sorted(folded.items())
            if len(v) > 1 and len({header[i] for i in v}) > 1},
    }


def json_shape(v) -> str:
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'bool'
    if isinstance(v, (int, float)):
        return 'number'
    if isinstance(v, str):
        return 'string'
    if isinstance(v, list):
        return 'array'
    return 'object'


# ---------------------------------------------------------------------------
# Google Ads
# ---------------------------------------------------------------------------

def google_ads(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    lines = text.splitlines()
    delim = sniff_delimiter(lines[2])
    rows = read_csv(text, delim)
    title = rows[0][0] if rows[0] else ''
    period = rows[1][0] if rows[1] else ''
    header = rows[2]
    body = [r for r in rows[3:] if any(c.strip() for c in r)]
    campaigns = [r for r in body if not r[0].startswith('Total')]
    totals = [r for r in body if r[0].startswith('Total')]

    col = {h: i for i, h in enumerate(header)}

    def get(r, name):
        return r[col[name]] if name in col else None

    if period.strip().lower() == 'all time':
        start = end = days = None
    else:
        a, z = period.split(' - ')
        start, end = month_name_date(a), month_name_date(z)
        days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1

    def metrics(r):
        return {
            'cost': num_en(get(r, 'Cost')),
            'impressions': num_en(get(r, 'Impr.')),
            'clicks': num_en(get(r, 'Clicks')),
            'interactions': num_en(get(r, 'Interactions')),
            'conversions': num_en(get(r, 'Conversions')),
        }

    def metrics_out(m):
        return {
            'cost': dec_out(m['cost']),
            'impressions': int_out(m['impressions']),
            'clicks': int_out(m['clicks']),
            'interactions': int_out(m['interactions']),
            'conversions': dec_out(m['conversions']),
        }

    per = []
    for r in campaigns:
        m = metrics(r)
        per.append({'name': get(r, 'Campaign'), 'status': get(r, 'Campaign status'),
                    'campaign_type': get(r, 'Campaign type'), 'currency': get(r, 'Currency code'),
                    **metrics_out(m)})

    def colsum(name, key):
        if name not in col:
            return None
        return dsum(metrics(r)[key] for r in campaigns)

    sums = {
        'cost': dec_out(colsum('Cost', 'cost')),
        'impressions': int_out(colsum('Impr.', 'impressions')),
        'clicks': int_out(colsum('Clicks', 'clicks')),
        'interactions': int_out(colsum('Interactions', 'interactions')),
        'conversions': dec_out(colsum('Conversions', 'conversions')),
    }
    total_rows = {r[0]: metrics_out(metrics(r)) for r in totals}

    notes = []
    tc = total_rows.get('Total: Campaigns')
    if tc:
        diff = {k: v for k, v in sums.items() if v != tc[k]}
        if diff:
            notes.append("campaign-row sums differ from the 'Total: Campaigns' row: " + ', '.join(
                f'{k} {sums[k]} vs {tc[k]}' for k in sorted(diff)) + ' (the report rounds each row to '
                'cents, the total is computed before rounding)')
        else:
            notes.append("campaign-row sums equal the 'Total: Campaigns' row")
    for name, m in total_rows.items():
        if tc and name != 'Total: Campaigns' and name.startswith('Total: Account') and m != tc:
            notes.append(f"'{name}' differs from 'Total: Campaigns' (account total includes "
                         f"campaigns not listed, e.g. removed ones): cost {m['cost']} vs {tc['cost']}")
    if 'Clicks' in col and 'Interactions' in col:
        diff = [p['name'] for p in per if p['clicks'] != p['interactions']]
        if diff:
            notes.append(f'Clicks and Interactions both present; they differ for {diff}')
    if 'Clicks' not in col:
        notes.append('no Clicks column (video/Demand Gen report: Interactions instead)')
    notes.append(f"total rows: {[r[0] for r in totals]}")
    lens = Counter(len(r) for r in body)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': delim,
        'title': title,
        'period': period,
        'period_start': start,
        'period_end': end,
        'days': days,
        'header': header,
        'columns': len(header),
        'row_lengths': {str(k): v for k, v in sorted(lens.items())},
        'campaigns': len(campaigns),
        'campaign_names': [get(r, 'Campaign') for r in campaigns],
        'currency': sorted({get(r, 'Currency code') for r in campaigns}),
        **sums,
        'per_campaign': per,
        'total_rows': total_rows,
        'total_row_labels': [r[0] for r in totals],
        'notes': '; '.join(notes),
    }


# ---------------------------------------------------------------------------
# Meta Ads
# ---------------------------------------------------------------------------

def meta_acala(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]

    def n(r, k):
        return num_en(r[k])

    pairs = defaultdict(lambda: {'rows': 0, 'spend': Decimal(0), 'impressions': Decimal(0),
                                 'clicks': Decimal(0), 'link_clicks': Decimal(0)})
    for r in recs:
        p = pairs[(r['date_start'], r['campaign_name'])]
        p['rows'] += 1
        for k in ('spend', 'impressions', 'clicks', 'link_clicks'):
            p[k] += n(r, k) or 0
    pair_list = [{'date_start': d, 'campaign_name': c, 'rows': v['rows'],
                  'spend': dec_out(v['spend']), 'impressions': int_out(v['impressions']),
                  'clicks': int_out(v['clicks']), 'link_clicks': int_out(v['link_clicks'])}
                 for (d, c), v in sorted(pairs.items())]

    # the `actions` cell is a Python repr (single quotes), not JSON
    link_click_actions = Decimal(0)
    for r in recs:
        if r['actions'].strip():
            for a in ast.literal_eval(r['actions']):
                if a['action_type'] == 'link_click':
                    link_click_actions += Decimal(a['value'])
    empties = {k: sum(1 for r in recs if not r[k].strip())
               for k in ('spend', 'impressions', 'clicks', 'reach', 'link_clicks')}
    ds_min, ds_max = minmax(r['date_start'] for r in recs)
    de_min, de_max = minmax(r['date_stop'] for r in recs)
    total_link = dsum(n(r, 'link_clicks') for r in recs)
    notes = ['one day, age x gender x ad breakdown: reach is summed naively and is not additive '
             'across breakdown rows',
             "'actions'/'cost_per_action_type'/'action_values' cells are Python reprs "
             "(single quotes), not JSON",
             'no currency column; spend is in the ad account currency (unknown from the file)']
    if total_link != link_click_actions:
        notes.append(f"link_clicks column sum {total_link} differs from link_click in actions "
                     f"{link_click_actions}")
    else:
        notes.append('link_clicks column sum equals the link_click entries in actions')
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': ',',
        'header': header,
        'rows': len(recs),
        'date_pairs': pair_list,
        'distinct_date_campaign_pairs': len(pairs),
        'spend': dec_out(dsum(n(r, 'spend') for r in recs)),
        'impressions': int_out(dsum(n(r, 'impressions') for r in recs)),
        'clicks': int_out(dsum(n(r, 'clicks') for r in recs)),
        'reach': int_out(dsum(n(r, 'reach') for r in recs)),
        'link_clicks': int_out(total_link),
        'link_click_in_actions': int_out(link_click_actions),
        'empty_cells': empties,
        'date_start_min': ds_min, 'date_start_max': ds_max,
        'date_stop_min': de_min, 'date_stop_max': de_max,
        'has_currency_column': any('currency' in h.lower() for h in header),
        'account_ids': sorted({r['account_id'] for r in recs}),
        'campaign_names': sorted({r['campaign_name'] for r in recs}),
        'distinct_adset_name': len({r['adset_name'] for r in recs}),
        'distinct_ad_name': len({r['ad_name'] for r in recs}),
        'distinct_age_gender': len({(r['age'], r['gender']) for r in recs}),
        'distinct_ad_age_gender': len({(r['ad_name'], r['age'], r['gender']) for r in recs}),
        'ages': sorted({r['age'] for r in recs}),
        'genders': sorted({r['gender'] for r in recs}),
        'notes': '; '.join(notes),
    }


def meta_airbyte(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    doc, dups = load_json(text)
    data = doc['data']

    def action_sum(row, kind):
        acts = row.get('actions') or []
        vals = [Decimal(a['value']) for a in acts if a.get('action_type') == kind]
        return dsum(vals), len(vals)

    lead = [action_sum(r, 'lead') for r in data]
    link = [action_sum(r, 'link_click') for r in data]
    inline = dsum(Decimal(r['inline_link_clicks']) for r in data if 'inline_link_clicks' in r)
    link_total = dsum(s for s, _ in link)
    notes = ['numbers are JSON strings']
    missing_link = [r['product_id'] for r, (_, k) in zip(data, link) if k == 0]
    if missing_link:
        notes.append(f"rows without a link_click action although inline_link_clicks > 0: product_id "
                     f"{missing_link} (link_click appears only in cost_per_action_type there)")
    if inline != link_total:
        notes.append(f'sum of inline_link_clicks ({inline}) != sum of link_click actions ({link_total})')
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'top_level_keys': sorted(doc.keys()),
        'duplicate_json_keys': dups,
        'rows': len(data),
        'distinct_date_campaign': sorted({(r['date_start'], r['campaign_id']) for r in data}),
        'distinct_date_campaign_count': len({(r['date_start'], r['campaign_id']) for r in data}),
        'date_start_min': min(r['date_start'] for r in data),
        'date_start_max': max(r['date_start'] for r in data),
        'spend': dec_out(dsum(Decimal(r['spend']) for r in data)),
        'impressions': int_out(dsum(Decimal(r['impressions']) for r in data)),
        'clicks': int_out(dsum(Decimal(r['clicks']) for r in data)),
        'inline_link_clicks': int_out(inline),
        'account_currency': sorted({r.get('account_currency') for r in data}),
        'account_ids': sorted({r['account_id'] for r in data}),
        'campaign_ids': sorted({r['campaign_id'] for r in data}),
        'campaign_names': sorted({r['campaign_name'] for r in data}),
        'ad_ids': sorted({r['ad_id'] for r in data}),
        'product_ids': [r.get('product_id') for r in data],
        'actions_lead_sum': int_out(dsum(s for s, _ in lead)),
        'actions_lead_present': sum(k for _, k in lead),
        'actions_link_click_sum': int_out(link_total),
        'action_types': sorted({a['action_type'] for r in data for a in r.get('actions') or []}),
        'per_row': [{'product_id': r.get('product_id'), 'spend': dec_out(Decimal(r['spend'])),
                     'impressions': int(r['impressions']), 'clicks': int(r['clicks']),
                     'inline_link_clicks': int(r['inline_link_clicks'])} for r in data],
        'notes': '; '.join(notes),
    }


def meta_empty(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header = rows[0]
    after = [r for r in rows[1:] if r]
    data = [r for r in after if not (len(r) == 1 and r[0].strip() == 'No data available.')]
    cur = None
    for h in header:
        m = re.fullmatch(r'Amount spent \(([A-Z]{3})\)', h)
        if m:
            cur = m.group(1)
    m = re.search(r'(\d{1,2}-[A-Za-z]{3}-\d{4})(\d{1,2}-[A-Za-z]{3}-\d{4})', rel)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'header': header,
        'columns': len(header),
        'records_after_header': len(after),
        'data_rows': len(data),
        'no_data_marker': any(len(r) == 1 and r[0] == 'No data available.' for r in after),
        'header_currency': cur,
        'notes': "only the header and one record 'No data available.' (1 cell, fewer columns than "
                 "the header); the reporting period is only in the original file name "
                 "(1-Sep-2024..30-Sep-2024), not in the file",
    }


# ---------------------------------------------------------------------------
# Kaggle Facebook ad table
# ---------------------------------------------------------------------------

def kaggle_fb(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    for r in recs:
        r['_date'] = dmy(r['Date'])
    dates = sorted({r['_date'] for r in recs})
    per = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), 0])
    for r in recs:
        p = per[r['xyz_campaign_id']]
        p[0] += Decimal(r['Spent'])
        p[1] += Decimal(r['Impressions'])
        p[2] += Decimal(r['Clicks'])
        p[3] += 1
    span = (dt.date.fromisoformat(dates[-1]) - dt.date.fromisoformat(dates[0])).days + 1
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'header': header,
        'rows': len(recs),
        'distinct_dates': len(dates),
        'date_min': dates[0], 'date_max': dates[-1],
        'date_span_days': span,
        'rows_per_date': counts(r['_date'] for r in recs),
        'distinct_ad_id': len({r['ad_id'] for r in recs}),
        'distinct_xyz_campaign_id': len({r['xyz_campaign_id'] for r in recs}),
        'distinct_fb_campaign_id': len({r['fb_campaign_id'] for r in recs}),
        'distinct_date_xyz_campaign': len({(r['_date'], r['xyz_campaign_id']) for r in recs}),
        'distinct_date_fb_campaign': len({(r['_date'], r['fb_campaign_id']) for r in recs}),
        'distinct_date_ad': len({(r['_date'], r['ad_id']) for r in recs}),
        'impressions': int_out(dsum(Decimal(r['Impressions']) for r in recs)),
        'clicks': int_out(dsum(Decimal(r['Clicks']) for r in recs)),
        'spent': dec_out(dsum(Decimal(r['Spent']) for r in recs)),
        'total_conversion': int_out(dsum(Decimal(r['Total_Conversion']) for r in recs)),
        'approved_conversion': int_out(dsum(Decimal(r['Approved_Conversion']) for r in recs)),
        'per_xyz_campaign_id': {k: {'rows': v[3], 'spent': dec_out(v[0]),
                                    'impressions': int_out(v[1]), 'clicks': int_out(v[2])}
                                for k, v in sorted(per.items())},
        'notes': 'Date is dd-mm-yyyy (added by the repository author, all in Aug 2023; only 3 rows '
                 'on 31-08-2023); no currency column; Spent has float noise like 1.429999948; '
                 'ad_id is unique per row, so a (date, campaign) key merges many ad rows',
    }


# ---------------------------------------------------------------------------
# LinkedIn Ads
# ---------------------------------------------------------------------------

def linkedin(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    doc, dups = load_json(text)
    els = doc['elements']

    def dr(e, which):
        d = e['dateRange'][which]
        return dt.date(d['year'], d['month'], d['day']).isoformat()

    def fsum(key, as_dec):
        if not any(key in e for e in els):
            return None, None
        s = dsum(Decimal(str(e[key])) for e in els if key in e)
        return s, (dec_out(s) if as_dec else int_out(s))

    usd_exact, usd = fsum('costInUsd', True)
    loc_exact, loc = fsum('costInLocalCurrency', True)
    pivots = sorted({p for e in els for p in e.get('pivotValues', [])})
    keys = sorted({k for e in els for k in e})
    notes = []
    if usd_exact is not None and usd_exact != usd_exact.quantize(SIX):
        notes.append(f'costInUsd has a tiny negative value (-2E-18, scientific notation string); '
                     f'exact sum {usd_exact}')
    if not pivots:
        notes.append('no pivotValues: rows cannot be attributed to a campaign or country')
    if 'impressions' not in keys:
        notes.append('no impressions field (approximateUniqueImpressions instead)')
    if len({dr(e, 'start') for e in els}) < len(els):
        notes.append('several elements share a date (pivot value not given)')
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'duplicate_json_keys': dups,
        'paging': doc.get('paging'),
        'elements': len(els),
        'dates': [dr(e, 'start') for e in els],
        'end_dates': [dr(e, 'end') for e in els],
        'cost_in_usd': usd,
        'cost_in_usd_exact': None if usd_exact is None else str(usd_exact),
        'cost_in_local_currency': loc,
        'cost_in_local_currency_exact': None if loc_exact is None else str(loc_exact),
        'clicks': fsum('clicks', False)[1],
        'impressions': fsum('impressions', False)[1],
        'approximate_unique_impressions': fsum('approximateUniqueImpressions', False)[1],
        'pivot_values_present': any('pivotValues' in e for e in els),
        'pivot_values': pivots,
        'element_keys': keys,
        'cost_field_type': sorted({json_shape(e['costInUsd']) for e in els if 'costInUsd' in e}),
        'notes': '; '.join(notes) if notes else 'costInUsd is a JSON string; clicks/impressions are numbers',
    }


# ---------------------------------------------------------------------------
# HubSpot
# ---------------------------------------------------------------------------

def hubspot_api(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    doc, dups = load_json(text)
    res = doc['results']
    props = sorted({k for r in res for k in r.get('properties', {})})
    assoc = {k: [r.get(k) for r in res] for k in ('companies', 'contacts', 'line_items')
             if any(k in r for r in res)}
    notes = []
    for k, vals in assoc.items():
        for v in vals:
            if v and len(v) != len(set(v)):
                notes.append(f"'{k}' list repeats an id: {v}")
    notes.append("no 'paging' key (single page)" if 'paging' not in doc else 'has paging')
    if 'deals' in rel:
        notes.append('no dealstage, no amount, no pipeline: only closed_date/createdate properties')
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'top_level_keys': sorted(doc.keys()),
        'duplicate_json_keys': dups,
        'results': len(res),
        'ids': [r['id'] for r in res],
        'created_at': [r['createdAt'] for r in res],
        'updated_at': [r.get('updatedAt') for r in res],
        'archived': [r.get('archived') for r in res],
        'property_names': props,
        'properties': [r.get('properties') for r in res],
        'associations': assoc,
        'has_dealstage': 'dealstage' in props,
        'has_amount': 'amount' in props,
        'notes': '; '.join(notes),
    }


def hubspot_companies(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    created = [mdy_hm(r['Create Date']) for r in recs]
    rev = [num_en(r['Annual Revenue']) for r in recs]
    ids = [r['Record ID'] for r in recs]
    cmin, cmax = minmax(created)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': ',',
        'header': header,
        'columns': len(header),
        **header_duplicates(header),
        'row_lengths': {str(k): v for k, v in sorted(Counter(len(r) for r in data).items())},
        'records': len(recs),
        'distinct_record_id': len(set(ids)),
        'record_ids_all_digits': all(re.fullmatch(r'\d+', i) for i in ids),
        'non_empty_domain': sum(1 for r in recs if r['Company Domain Name'].strip()),
        'distinct_domain_lower': len({r['Company Domain Name'].strip().lower() for r in recs
                                      if r['Company Domain Name'].strip()}),
        'create_date_min': cmin, 'create_date_max': cmax,
        'empty_create_date': sum(1 for c in created if c is None),
        'per_country': counts(r['Country/Region'] for r in recs),
        'per_company_type': counts(r['Company Type'] for r in recs),
        'annual_revenue_non_empty': sum(1 for v in rev if v is not None),
        'annual_revenue_sum': int_out(dsum(rev)),
        'notes': 'dates are m/d/yy h:mm (no zone, no seconds); Annual Revenue is a plain integer; '
                 '"Company Domain Name" and "Website URL" carry the same kind of value; '
                 'Country/Region is empty for many companies',
    }


def hubspot_contacts(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    idx = defaultdict(list)
    for i, h in enumerate(header):
        idx[h].append(i)
    i_id = idx['Record ID - Contact'][0]
    i_email = idx['Email'][0]
    i_cid = idx['Record ID - Company'][0]
    i_cd1, i_cd2 = idx['Create Date'][:2]
    ids = [r[i_id] for r in data]
    mangled = [i for i in ids if 'E+' in i.upper()]
    emails = [r[i_email].strip() for r in data if r[i_email].strip()]
    cids = [r[i_cid].strip() for r in data if r[i_cid].strip()]
    cd1 = [mdy_hm(r[i_cd1]) for r in data]
    cd2 = [mdy_hm(r[i_cd2]) for r in data]
    id_counts = Counter(ids)
    dup_ids = {k: v for k, v in sorted(id_counts.items()) if v > 1}
    email_like_elsewhere = sum(1 for r in data for j, c in enumerate(r)
                               if j != i_email and '@example.com' in c)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': ',',
        'header': header,
        'columns': len(header),
        **header_duplicates(header),
        'row_lengths': {str(k): v for k, v in sorted(Counter(len(r) for r in data).items())},
        'records': len(data),
        'distinct_record_id_contact': len(set(ids)),
        'duplicated_record_ids': dup_ids,
        'mangled_ids_e_plus': len(mangled),
        'distinct_mangled_ids': len(set(mangled)),
        'non_mangled_ids_all_digits': all(re.fullmatch(r'\d+', i) for i in ids if i not in mangled),
        'non_empty_email': len(emails),
        'distinct_email_lower': len({e.lower() for e in emails}),
        'email_addresses_in_other_columns': email_like_elsewhere,
        'non_empty_record_id_company': len(cids),
        'distinct_record_id_company': len(set(cids)),
        'mangled_company_ids_e_plus': sum(1 for c in cids if 'E+' in c.upper()),
        'contacts_with_company': len(cids),
        'distinct_contact_ids_with_company': len({r[i_id] for r in data if r[i_cid].strip()}),
        'create_date_contact_min': minmax(cd1)[0], 'create_date_contact_max': minmax(cd1)[1],
        'create_date_contact_empty': sum(1 for c in cd1 if c is None),
        'create_date_company_min': minmax(cd2)[0], 'create_date_company_max': minmax(cd2)[1],
        'create_date_company_non_empty': sum(1 for c in cd2 if c is not None),
        'notes': 'labels Create Date, Phone Number, Last Activity Date, Country/Region appear twice '
                 '(contact columns first, associated-company columns after "Record ID - Company"); '
                 '"Company Name" (contact property) and "Company name" (company) differ only by case; '
                 f'{len(mangled)} contact ids were mangled by Excel to 6 significant digits '
                 f'(e.g. 1.10416E+11) and {sum(1 for v in dup_ids.values())} such values now repeat, '
                 'so Record ID - Contact is not a unique key',
    }


# ---------------------------------------------------------------------------
# Mailchimp
# ---------------------------------------------------------------------------

def mailchimp_domino(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    bad = non_utf8_offsets(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    keys = ['Total_Recipients', 'Successful_Deliveries', 'Unique_Opens', 'Unique_Clicks',
            'Unsubscribes', 'Total_Bounces', 'Soft_Bounces', 'Hard_Bounces', 'Total_Opens',
            'Total_Clicks', 'Abuse_Complaints', 'Times_Forwarded', 'Forwarded_Opens']
    sums = {k.lower(): int_out(dsum(num_en(r[k]) for r in recs)) for k in keys}
    sends = [mdy_hm(r['Send_Date']) for r in recs]
    titles = Counter(r['Title'] for r in recs)
    bounce_mismatch = [r['Title'] for r in recs
                       if int(r['Soft_Bounces']) + int(r['Hard_Bounces']) != int(r['Total_Bounces'])]
    deliv_mismatch = [r['Title'] for r in recs
                      if int(r['Successful_Deliveries']) + int(r['Total_Bounces']) != int(r['Total_Recipients'])]
    weekday_mismatch = [r['Title'] for r, s in zip(recs, sends)
                        if dt.datetime.fromisoformat(s).strftime('%A') != r['Send_Weekday']]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': ',',
        'header': header,
        'records': len(recs),
        'non_utf8_bytes': [{'offset': o, 'byte': f'0x{b[o]:02X}',
                            'as_macroman': bytes([b[o]]).decode('mac_roman'),
                            'as_cp1252': bytes([b[o]]).decode('cp1252')} for o in bad],
        **sums,
        'send_date_min': minmax(sends)[0], 'send_date_max': minmax(sends)[1],
        'distinct_titles': len(titles),
        'titles_unique': len(titles) == len(recs),
        'duplicated_titles': {k: v for k, v in sorted(titles.items()) if v > 1},
        'rows_soft_plus_hard_ne_total_bounces': bounce_mismatch,
        'rows_delivered_plus_bounced_ne_recipients': deliv_mismatch,
        'rows_weekday_mismatch': weekday_mismatch,
        'notes': 'Send_Date is m/d/yy h:mm, no zone; header spaces replaced by "_" by the owner; '
                 'two bytes 0xC9 are MacRoman "…" (cp1252 would give "É") inside Subject cells; '
                 'no campaign id column: Title is the only name',
    }


def mailchimp_hdx(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, sniff_delimiter(text.splitlines()[0]))
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    sends = [mdy_hm(r['send_time']) for r in recs]
    titles = Counter(r['title'] for r in recs)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': ',',
        'header': header,
        'records': len(recs),
        **{k: int_out(dsum(num_en(r[k]) for r in recs))
           for k in ('opens', 'unique_opens', 'clicks', 'unique_clicks', 'unsubscribes')},
        'send_time_min': minmax(sends)[0], 'send_time_max': minmax(sends)[1],
        'distinct_titles': len(titles),
        'titles_unique': len(titles) == len(recs),
        'notes': 'send_time is m/d/yyyy h:mm:ss (4-digit year, seconds), no zone; no recipients/'
                 'deliveries/bounces columns; no campaign id; titles contain UTF-8 en dash and '
                 'right single quote; no final newline',
    }


# ---------------------------------------------------------------------------
# GA4
# ---------------------------------------------------------------------------

def ga4_param(ev, key):
    for p in ev.get('event_params') or []:
        if p.get('key') == key:
            v = p.get('value') or {}
            for k in ('string_value', 'int_value', 'double_value', 'float_value'):
                if v.get(k) is not None:
                    return v[k]
            return None
    return None


def ga4_ndjson(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    lines = [l for l in text.splitlines() if l.strip()]
    evs, dups = [], []
    for l in lines:
        ev, d = load_json(l)
        evs.append(ev)
        dups += d
    names = counts(e['event_name'] for e in evs)
    dates = sorted({yyyymmdd(e['event_date']) for e in evs})

    def groups(keyf):
        c = Counter(keyf(e) for e in evs)
        return {'distinct_keys': len(c), 'keys_shared_by_several_events': sum(1 for v in c.values() if v > 1),
                'events_collapsed_if_keyed_on_this': len(evs) - len(c)}

    rev = [Decimal(e['ecommerce']['purchase_revenue']) for e in evs
           if e.get('ecommerce') and e['ecommerce'].get('purchase_revenue') is not None]
    rev_usd = [Decimal(e['ecommerce']['purchase_revenue_in_usd']) for e in evs
               if e.get('ecommerce') and e['ecommerce'].get('purchase_revenue_in_usd') is not None]
    val_usd = [Decimal(e['event_value_in_usd']) for e in evs if e.get('event_value_in_usd') is not None]
    tx = [e['ecommerce'].get('transaction_id') for e in evs if e.get('ecommerce')]
    cur_params = sorted({str(ga4_param(e, 'currency')) for e in evs if ga4_param(e, 'currency') is not None})
    ts = [int(e['event_timestamp']) for e in evs]
    utc = lambda us: dt.datetime.fromtimestamp(us / 1_000_000, tz=dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    exact_dup_lines = len(lines) - len(set(lines))

    def flat(ev):
        out = {}
        for k, v in ev.items():
            if k == 'event_params':
                for p in v or []:
                    out[f"event_params.{p['key']}"] = json.dumps(p.get('value'), sort_keys=True)
            else:
                out[k] = json.dumps(v, sort_keys=True)
        return out

    shared = defaultdict(list)
    for i, e in enumerate(evs):
        shared[(e.get('user_pseudo_id'), e['event_timestamp'], e['event_name'])].append(i)
    collapsing = []
    for (u, t, n), ix in sorted(shared.items()):
        if len(ix) > 1:
            fl = [flat(evs[i]) for i in ix]
            keys = set().union(*fl)
            differ = sorted(k for k in keys if len({f.get(k) for f in fl}) > 1)
            collapsing.append({'user_pseudo_id': u, 'event_timestamp': t, 'event_name': n,
                               'lines': [i + 1 for i in ix], 'fields_that_differ': differ})
    canon = Counter(json.dumps(e, sort_keys=True) for e in evs)
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'duplicate_json_keys': sorted(set(dups)),
        'lines': len(lines),
        'events_with_user_pseudo_id': sum(1 for e in evs if e.get('user_pseudo_id')),
        'distinct_user_pseudo_id': len({e['user_pseudo_id'] for e in evs if e.get('user_pseudo_id')}),
        'events_with_ga_session_id': sum(1 for e in evs if ga4_param(e, 'ga_session_id') is not None),
        'distinct_user_session': len({(e.get('user_pseudo_id'), str(ga4_param(e, 'ga_session_id')))
                                      for e in evs if ga4_param(e, 'ga_session_id') is not None}),
        'per_event_name': names,
        'session_start': names.get('session_start', 0),
        'event_date_min': dates[0], 'event_date_max': dates[-1],
        'distinct_event_dates': dates,
        'event_timestamp_min_utc': utc(min(ts)), 'event_timestamp_max_utc': utc(max(ts)),
        'events_with_user_id': sum(1 for e in evs if e.get('user_id')),
        'group_user_timestamp': groups(lambda e: (e.get('user_pseudo_id'), e['event_timestamp'])),
        'group_user_timestamp_name': groups(lambda e: (e.get('user_pseudo_id'), e['event_timestamp'], e['event_name'])),
        'group_user_timestamp_name_bundle': groups(lambda e: (e.get('user_pseudo_id'), e['event_timestamp'],
                                                              e['event_name'], e.get('event_bundle_sequence_id'))),
        'exact_duplicate_lines': exact_dup_lines,
        'collapsing_groups': collapsing,
        'exact_duplicate_events_key_order_ignored': sum(v - 1 for v in canon.values()),
        'has_batch_event_index': any('batch_event_index' in e for e in evs),
        'has_event_bundle_sequence_id': any('event_bundle_sequence_id' in e for e in evs),
        'top_level_keys': sorted({k for e in evs for k in e}),
        'purchase_revenue_sum': dec_out(dsum(rev)) if rev else None,
        'purchase_revenue_in_usd_sum': dec_out(dsum(rev_usd)) if rev_usd else None,
        'event_value_in_usd_sum': dec_out(dsum(val_usd)) if val_usd else None,
        'events_with_event_value_in_usd': len(val_usd),
        'transaction_ids': tx,
        'currency_params': cur_params,
        'notes': 'INT64 values are JSON strings (event_timestamp, int_value); the events come from 8 '
                 'separate test inputs, so near-identical events share (user_pseudo_id, event_timestamp, '
                 'event_name, even event_bundle_sequence_id) while differing in params or item_params; '
                 'the purchase event appears twice (same transaction_id 257059, differing only in '
                 'item_params) and doubles revenue unless de-duplicated by transaction; the two '
                 'form_visibility events differ in engagement_time_msec/event_tag_timestamp, i.e. two '
                 'real events that a (user, timestamp, name) key would merge; no batch_event_index',
    }


def ga4_flat(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    evs, dups = load_json(text)
    utc = lambda us: dt.datetime.fromtimestamp(int(us) / 1_000_000, tz=dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    value_keys = sorted({k for e in evs for k in e
                         if any(w in k.lower() for w in ('value', 'revenue', 'currency', 'price'))})
    items = []
    for e in evs:
        if 'items' in e:
            parsed = json.loads(e['items']) if isinstance(e['items'], str) else e['items']
            items.append({'event_id': e['event_id'], 'items_is_json_string': isinstance(e['items'], str),
                          'items': parsed})
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'duplicate_json_keys': dups,
        'events': len(evs),
        'event_names': [e['event_name'] for e in evs],
        'event_ids': [e.get('event_id') for e in evs],
        'event_dates': [yyyymmdd(e['event_date']) for e in evs],
        'timestamps_utc': [utc(e['event_timestamp']) for e in evs],
        'keys_present': sorted({k for e in evs for k in e}),
        'keys_per_event': [sorted(e) for e in evs],
        'value_fields': value_keys,
        'purchase_revenue_in_usd_sum': dec_out(dsum(Decimal(str(e['purchase_revenue_in_usd']))
                                                    for e in evs if 'purchase_revenue_in_usd' in e)),
        'has_currency_field': any('currency' in k.lower() for e in evs for k in e),
        'user_pseudo_ids': sorted({e.get('user_pseudo_id') for e in evs}),
        'session_ids': sorted({e.get('session_id') for e in evs}),
        'transaction_ids': [e['transaction_id'] for e in evs if 'transaction_id' in e],
        'items': items,
        'notes': 'flattened, not the BigQuery schema: session_id/traffic_* are top-level strings, '
                 'event_timestamp is a string of microseconds, items is a JSON string inside JSON, '
                 'revenue is a JSON number in USD with no currency field; traffic_campaign is null',
    }


def ga4_data_api(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows, dups = load_json(text)
    keys = sorted({k for r in rows for k in r})
    dates = [yyyymmdd(r['date']) for r in rows]
    metrics = [k for k in keys if k != 'date']
    sums = {k: int_out(dsum(Decimal(r[k]) for r in rows if k in r)) for k in metrics}
    dmin, dmax = min(dates), max(dates)
    span = (dt.date.fromisoformat(dmax) - dt.date.fromisoformat(dmin)).days + 1
    ds = set(dates)
    missing = []
    d = dt.date.fromisoformat(dmin)
    while d.isoformat() <= dmax:
        if d.isoformat() not in ds:
            missing.append(d.isoformat())
        d += dt.timedelta(days=1)
    rep = {k: v for k, v in sorted(Counter(dates).items()) if v > 1}
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'duplicate_json_keys': dups,
        'rows': len(rows),
        'keys': keys,
        'value_types': sorted({json_shape(r[k]) for r in rows for k in metrics}),
        'date_min': dmin, 'date_max': dmax,
        'distinct_dates': len(ds),
        'date_span_days': span,
        'missing_dates_in_span': len(missing),
        'dates_repeat': bool(rep),
        'repeated_dates': rep,
        'sorted_by_date': dates == sorted(dates),
        'sums': sums,
        'rows_active_users_zero_but_sessions': sum(1 for r in rows if r['active_users'] == '0' and r['sessions'] != '0'),
        'notes': 'keys are snake_case (active_users, new_users, sessions, page_views), not the '
                 'API names PROVENANCE mentions; all metric values are strings; rows are not in '
                 'date order; CRLF; some days have sessions but 0 active users',
    }


def ga4_ui_csv(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    lines = text.splitlines()
    pre = [l for l in lines if l.startswith('#')]
    meta = {}
    for l in pre:
        m = re.match(r'#\s*([^:]+):\s*(.*)$', l)
        if m:
            meta[m.group(1).strip()] = m.group(2).strip()
    body = '\n'.join(l for l in lines if not l.startswith('#'))
    rows = read_csv(body, ',')
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'preamble_lines': len(pre),
        'preamble': meta,
        'start_date': yyyymmdd(meta['Start date']),
        'end_date': yyyymmdd(meta['End date']),
        'days': (dt.date.fromisoformat(yyyymmdd(meta['End date'])) -
                 dt.date.fromisoformat(yyyymmdd(meta['Start date']))).days + 1,
        'header': header,
        'rows': len(recs),
        'event_names': [r['Event name'] for r in recs],
        'event_count_sum': int_out(dsum(num_en(r['Event count']) for r in recs)),
        'total_users_sum': int_out(dsum(num_en(r['Total users']) for r in recs)),
        'total_revenue_sum': dec_out(dsum(num_en(r['Total revenue']) for r in recs)),
        'per_event': {r['Event name']: {'event_count': int(r['Event count']),
                                        'total_users': int(r['Total users'])} for r in recs},
        'notes': 'no Date column: the period is only in the # preamble (yyyymmdd); "Total users" is '
                 'per event and not additive (the sum double-counts users); revenue is 0 everywhere '
                 'and has no currency; no final newline',
    }


# ---------------------------------------------------------------------------
# Pipedrive
# ---------------------------------------------------------------------------

def pipedrive(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    doc, dups = load_json(text)
    cur = doc['current']
    fields = ['id', 'title', 'value', 'currency', 'status', 'stage_id', 'add_time', 'update_time',
              'won_time', 'close_time', 'lost_time', 'org_id', 'person_id', 'pipeline_id', 'user_id',
              'creator_user_id', 'org_name', 'person_name', 'owner_name', 'expected_close_date',
              'weighted_value', 'weighted_value_currency', 'formatted_value', 'probability',
              'lost_reason', 'active', 'deleted']
    custom = sorted(k for k in cur if re.fullmatch(r'[0-9a-f]{40}(_\w+)?', k))
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'duplicate_json_keys': dups,
        'top_level_keys': sorted(doc.keys()),
        'meta': {k: doc['meta'].get(k) for k in ('v', 'action', 'object', 'id', 'user_id', 'timestamp',
                                                 'company_id', 'host', 'webhook_id')},
        'event': doc.get('event'),
        'retry': doc.get('retry'),
        'previous': doc.get('previous'),
        'current': {k: cur.get(k) for k in fields},
        'current_shapes': {k: json_shape(cur.get(k)) for k in fields},
        'current_key_count': len(cur),
        'custom_field_keys': len(custom),
        'add_time_iso': cur['add_time'].replace(' ', 'T'),
        'notes': 'webhook v1: org_id, person_id and user_id are plain numbers here (API v1 GET '
                 'responses give objects for them); add_time "YYYY-MM-DD HH:MM:SS" is UTC by Pipedrive '
                 'convention but carries no zone; value is a number; previous is null on create; '
                 'custom fields are 40-hex-digit keys; UTF-8 with BOM; matches_filters is top-level, '
                 'not inside meta',
    }


# ---------------------------------------------------------------------------
# Qualtrics
# ---------------------------------------------------------------------------

def qualtrics_current(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, ',')
    ids, labels, imports = rows[0], rows[1], rows[2]
    data = [r for r in rows[3:] if r]
    import_ids = []
    tz = []
    for c in imports:
        j = json.loads(c)
        import_ids.append(j.get('ImportId'))
        if 'timeZone' in j:
            tz.append(j['timeZone'])
    recs = [dict(zip(ids, r)) for r in data]
    q_cols = [h for h in ids if re.match(r'Q\d', h)]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'layout': 'current (3 header rows: ids, labels, ImportId JSON)',
        'header_rows': 3,
        'columns': len(ids),
        'column_ids': ids,
        'column_labels': labels,
        'import_ids': import_ids,
        'time_zone_in_import_row': tz[0] if tz else None,
        'responses': len(recs),
        'response_ids': [r['ResponseId'] for r in recs],
        'start_date': [r['StartDate'].replace(' ', 'T') for r in recs],
        'end_date': [r['EndDate'].replace(' ', 'T') for r in recs],
        'recorded_date': [r['RecordedDate'].replace(' ', 'T') for r in recs],
        'finished': [r['Finished'] for r in recs],
        'question_ids': q_cols,
        'answers': [{q: r[q] for q in q_cols} for r in recs],
        'distribution_channel': [r['DistributionChannel'] for r in recs],
        'user_language': [r['UserLanguage'] for r in recs],
        'notes': 'label row in German (Anfangsdatum...); ImportId row has no timeZone, so '
                 'StartDate etc. are zone-less "YYYY-MM-DD HH:MM:SS"; Q1 is a choice code ("2"), '
                 'Q2 free text; "Q2 - Topics" is empty; LF; no BOM',
    }


def qualtrics_legacy(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, ',')
    ids, labels = rows[0], rows[1]
    data = [r for r in rows[2:] if r]
    recs = [dict(zip(labels, r)) for r in data]
    by_id = [dict(zip(ids, r)) for r in data]
    q_cols = [h for h in ids if re.match(r'Q\d', h)]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'layout': 'legacy (V1.. id row, then label row)',
        'header_rows': 2,
        'columns': len(ids),
        'column_ids': ids,
        'column_labels': labels,
        'trailing_empty_column': ids[-1] == '' and labels[-1] == '',
        'responses': len(recs),
        'response_ids': [r['ResponseID'] for r in recs],
        'start_date': [r['StartDate'].replace(' ', 'T') for r in recs],
        'end_date': [r['EndDate'].replace(' ', 'T') for r in recs],
        'recorded_date': None,
        'finished': [r['Finished'] for r in recs],
        'question_ids': q_cols,
        'answers': [{q: r[q] for q in q_cols} for r in by_id],
        'notes': 'UTF-8 BOM; every line ends with a trailing comma, giving an unnamed 16th column; '
                 'no RecordedDate and no ImportId row (no time zone); the ResponseID column is V1 '
                 '(label ResponseID, capital D); same response as qualtRics_sample.csv',
    }


# ---------------------------------------------------------------------------
# Salesforce (Dutch settings)
# ---------------------------------------------------------------------------

def sf_leads(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    delim = sniff_delimiter(text.splitlines()[0])
    rows = read_csv(text, delim)
    header, data = rows[0], [r for r in rows[1:] if r]
    recs = [dict(zip(header, r)) for r in data]
    created = [dmy(r['Create Date']) for r in recs]
    emails = [r['Email'].strip() for r in recs if r['Email'].strip()]
    tuples = Counter((r['First Name'], r['Last Name'], r['Company / Account'], r['Create Date']) for r in recs)
    multiline = sum(1 for r in data if any('\n' in c or '\r' in c for c in r))
    id_cols = [h for h in header if re.search(r'\bID\b', h, re.I)]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': delim,
        'header': header,
        'columns': len(header),
        **header_duplicates(header),
        'row_lengths': {str(k): v for k, v in sorted(Counter(len(r) for r in data).items())},
        'records': len(recs),
        'physical_lines': len(text.splitlines()),
        'records_with_line_breaks': multiline,
        'has_id_column': bool(id_cols),
        'id_columns': id_cols,
        'non_empty_email': len(emails),
        'distinct_email_lower': len({e.lower() for e in emails}),
        'create_date_min': minmax(created)[0], 'create_date_max': minmax(created)[1],
        'empty_create_date': sum(1 for c in created if c is None),
        'lead_source_top10': top((r['Lead Source'] for r in recs), 10),
        'lead_source_empty': sum(1 for r in recs if not r['Lead Source'].strip()),
        'per_converted': counts(r['Converted'] for r in recs),
        'per_lead_status': counts(r['Lead Status'] for r in recs),
        'per_country': counts(r['Country'] for r in recs),
        'distinct_name_company_date': len(tuples),
        'name_company_date_groups_with_duplicates': sum(1 for v in tuples.values() if v > 1),
        'name_company_date_is_unique': len(tuples) == len(recs),
        'notes': 'semicolon-delimited, every field quoted, d-m-yyyy dates without leading zeros; no '
                 'Lead ID column, so there is no natural key; "Lead Owner" and "Lead owner" are two '
                 'different columns; multi-line notes in "Description / Additional Info" (LF inside '
                 'quotes, LF record ends); Country mixes "Nederland"/"NL"/"Netherlands"; many rows '
                 'have placeholder names like First "Street", Last "Team"',
    }


def sf_opps(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    delim = sniff_delimiter(text.splitlines()[0])
    rows = read_csv(text, delim)
    header = rows[0]
    body = [r for r in rows[1:] if r]
    data = [r for r in body if len(r) == len(header)]
    footer = [r for r in body if len(r) != len(header)]
    recs = [dict(zip(header, r)) for r in data]
    per_cur = defaultdict(lambda: {'records': 0, 'amount_sum': Decimal(0), 'amount_non_empty': 0,
                                   'amount_empty': 0, 'amount_converted_sum': Decimal(0)})
    for r in recs:
        p = per_cur[r['Amount Currency']]
        p['records'] += 1
        a = num_nl(r['Amount'])
        if a is None:
            p['amount_empty'] += 1
        else:
            p['amount_non_empty'] += 1
            p['amount_sum'] += a
        p['amount_converted_sum'] += num_nl(r['Amount (converted)']) or 0
    created = [dmy(r['Created Date']) for r in recs]
    closed = [dmy(r['Close Date']) for r in recs]
    stages = sorted({r['Stage'] for r in recs})
    ids = [r['Opportunity ID'] for r in recs]
    ages = [num_nl(r['Age']) for r in recs]
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'delimiter': delim,
        'header': header,
        'columns': len(header),
        **header_duplicates(header),
        'records': len(recs),
        'distinct_opportunity_id': len(set(ids)),
        'distinct_opportunity_id_case_insensitive': len({i.lower() for i in ids}),
        'opportunity_id_lengths': counts(len(i) for i in ids),
        'per_amount_currency': counts(r['Amount Currency'] for r in recs),
        'amount_by_currency': {k: {'records': v['records'], 'amount_sum': dec_out(v['amount_sum']),
                                   'amount_non_empty': v['amount_non_empty'],
                                   'amount_empty': v['amount_empty'],
                                   'amount_converted_sum_eur': dec_out(v['amount_converted_sum'])}
                               for k, v in sorted(per_cur.items())},
        'amount_empty_total': sum(v['amount_empty'] for v in per_cur.values()),
        'amount_converted_currency': counts(r['Amount (converted) Currency'] for r in recs),
        'amount_converted_sum': dec_out(dsum(num_nl(r['Amount (converted)']) for r in recs)),
        'age_sum': dec_out(dsum(ages)),
        'created_date_min': minmax(created)[0], 'created_date_max': minmax(created)[1],
        'close_date_min': minmax(closed)[0], 'close_date_max': minmax(closed)[1],
        'close_before_created': sum(1 for c, z in zip(created, closed) if c and z and z < c),
        'per_stage': counts(r['Stage'] for r in recs),
        'stage_names': stages,
        'stages_with_won': [s for s in stages if 'won' in s.lower()],
        'stages_with_lost': [s for s in stages if 'lost' in s.lower()],
        'stages_with_closed': [s for s in stages if 'closed' in s.lower()],
        'records_won': sum(1 for r in recs if 'won' in r['Stage'].lower()),
        'records_lost': sum(1 for r in recs if 'lost' in r['Stage'].lower()),
        'per_probability': counts(r['Probability (%)'] for r in recs),
        'footer_lines': [delim.join(r) for r in footer],
        'notes': 'semicolon-delimited, all fields quoted, decimal comma ("61000,00", '
                 '"7,0000000000" in Age/Stage Duration), d-m-yyyy; Amount is in the row\'s own '
                 'currency (EUR or GBP) while "Amount (converted)" is always EUR; '
                 f"{sum(v['amount_empty'] for v in per_cur.values())} opportunities have no Amount; "
                 'Opportunity IDs are 15-character case-sensitive Salesforce ids; no footer lines',
    }


# ---------------------------------------------------------------------------
# SurveyMonkey (re-saved by pandas)
# ---------------------------------------------------------------------------

def surveymonkey(rel: str) -> dict:
    b = raw(rel)
    text, enc = decode(b)
    rows = read_csv(text, ',')
    header, options = rows[0], rows[1]
    data = [r for r in rows[2:] if r]
    unnamed = [h for h in header if re.fullmatch(r'Unnamed: \d+', h)]
    id_re = re.compile(r'respondent|collector|start ?date|end ?date|ip ?address|email|'
                       r'first ?name|last ?name|custom ?data', re.I)
    id_cols = [h for h in header if id_re.search(h) and not re.search(r'\?', h)]
    questions = [h for i, h in enumerate(header)
                 if i > 0 and h and h not in unnamed and h not in id_cols]
    first_q = questions[0]
    qi = header.index(first_q)
    idx_vals = [r[0] for r in data]
    unnamed_nums = [int(h.split(': ')[1]) for h in unnamed]
    # how many columns each question spans (question column plus the Unnamed ones after it)
    spans = {}
    cur = None
    for h in header[1:]:
        if h in unnamed and cur is not None:
            spans[cur] += 1
        elif h:
            cur = h
            spans[cur] = 1
    return {
        **file_facts(rel, b), **enc, **line_ends(text),
        'first_3_rows_first_20_cells': [r[:20] for r in rows[:3]],
        'rows_total': len(rows),
        'records': len(data),
        'columns': len(header),
        'row_lengths': {str(k): v for k, v in sorted(Counter(len(r) for r in rows).items())},
        'unnamed_headers': len(unnamed),
        'unnamed_numbers_min_max': [min(unnamed_nums), max(unnamed_nums)] if unnamed_nums else None,
        'index_column_name': header[0],
        'index_values_first_last': [idx_vals[0], idx_vals[-1]],
        'index_contiguous_from_1': idx_vals == [str(i) for i in range(1, len(idx_vals) + 1)],
        'option_row_index_value': options[0],
        'respondent_id_like_columns': id_cols,
        'distinct_questions': len(set(questions)),
        'question_column_spans': [[q, spans[q]] for q in questions],
        'first_question': first_q,
        'first_question_answers': counts(r[qi] for r in data),
        'notes': 'pandas re-save: column 0 is an unnamed index (header ""), the option row is index 0, '
                 'multi-choice questions continue in "Unnamed: N" columns whose N no longer matches the '
                 'position (columns were dropped after reading: Unnamed: 13 sits at position 5); no '
                 'RespondentID/Collector/date/IP columns (scrubbed); answers use curly apostrophes',
    }


# ---------------------------------------------------------------------------
# XLSX content calendar
# ---------------------------------------------------------------------------

NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
NS_PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'


def col_num(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r'([A-Z]+)(\d+)', ref)
    letters, row = m.groups()
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n, int(row)


def col_letters(n: int) -> str:
    s = ''
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx_calendar(rel: str) -> dict:
    b = raw(rel)
    z = zipfile.ZipFile(io.BytesIO(b))
    wb = ET.fromstring(z.read('xl/workbook.xml'))
    rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
    targets = {r.get('Id'): r.get('Target') for r in rels.findall(f'{{{NS_PKG}}}Relationship')}
    shared = [''.join(t.text or '' for t in si.iter(f'{{{NS_MAIN}}}t'))
              for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall(f'{{{NS_MAIN}}}si')] \
        if 'xl/sharedStrings.xml' in z.namelist() else []
    labels = {'id', 'name', 'kind', 'type', 'channel', 'start', 'end', 'date', 'start date',
              'end date', 'cost', 'budget', 'campaign'}
    sheets = []
    for s in wb.find(f'{{{NS_MAIN}}}sheets'):
        name = s.get('name')
        target = targets[s.get(f'{{{NS_REL}}}id')].lstrip('/')
        if not target.startswith('xl/'):
            target = 'xl/' + target
        root = ET.fromstring(z.read(target))
        dim = root.find(f'{{{NS_MAIN}}}dimension')
        cells = {}
        all_refs = []
        rows_seen = []
        for row in root.iter(f'{{{NS_MAIN}}}row'):
            rows_seen.append(int(row.get('r')))
            for c in row.findall(f'{{{NS_MAIN}}}c'):
                ref = c.get('r')
                all_refs.append(ref)
                t = c.get('t')
                if t == 'inlineStr':
                    val = ''.join(x.text or '' for x in c.iter(f'{{{NS_MAIN}}}t'))
                elif t == 's':
                    val = shared[int(c.find(f'{{{NS_MAIN}}}v').text)]
                else:
                    v = c.find(f'{{{NS_MAIN}}}v')
                    val = v.text if v is not None else None
                if val not in (None, ''):
                    cells[ref] = val

        def rng(refs):
            if not refs:
                return None
            cs = [col_num(r) for r in refs]
            return (f'{col_letters(min(c for c, _ in cs))}{min(r for _, r in cs)}:'
                    f'{col_letters(max(c for c, _ in cs))}{max(r for _, r in cs)}')

        by_row = defaultdict(dict)
        for ref, v in cells.items():
            by_row[col_num(ref)[1]][ref] = v
        first_rows = sorted(by_row)[:3]
        header_like = []
        keyword_cells = []
        for rnum, rc in sorted(by_row.items()):
            exact = {v.strip().lower() for v in rc.values() if v.strip().lower() in labels}
            if len(exact) >= 2:  # two different column labels, not one placeholder repeated
                header_like.append(rnum)
            for ref, v in sorted(rc.items(), key=lambda kv: col_num(kv[0])):
                low = v.lower()
                if any(re.search(r'\b' + w + r'\b', low) for w in ('id', 'name', 'kind', 'channels?', 'start')):
                    keyword_cells.append([ref, v])
        sheets.append({
            'name': name,
            'part': target,
            'dimension_element': dim.get('ref') if dim is not None else None,
            'used_range_all_cells': rng(all_refs),
            'cell_elements': len(all_refs),
            'used_range_non_empty': rng(list(cells)),
            'rows_in_xml': len(rows_seen),
            'non_empty_cells': len(cells),
            'first_3_non_empty_rows': {str(r): dict(sorted(by_row[r].items(), key=lambda kv: col_num(kv[0])))
                                       for r in first_rows},
            'column_a': {str(col_num(ref)[1]): v for ref, v in
                         sorted(cells.items(), key=lambda kv: col_num(kv[0])[1]) if ref.startswith('A')
                         and not ref[1].isalpha()},
            'rows_with_activity_header_labels': header_like,
            'cells_mentioning_id_name_kind_channel_start': keyword_cells,
        })
    return {
        **file_facts(rel, b),
        'zip_members': sorted(z.namelist()),
        'sheet_names': [s['name'] for s in sheets],
        'shared_strings': len(shared),
        'sheets': sheets,
        'has_activity_table': any(s['rows_with_activity_header_labels'] for s in sheets),
        'notes': 'a planning grid, not a table: months across row 1 (MAY, MARCH, APRIL, MAY, JUNE: '
                 'the first block is labelled MAY), Week 1..4 in row 2, slot labels down column A; '
                 'no <dimension> element; all text is inline strings (sharedStrings is empty); the '
                 'Calendar sheet has ~17k <c> elements, empty styled cells reaching column XFD '
                 '(16384), while text ends at column U; "Social copy and assets" repeats the '
                 'placeholder "Date" in rows 12-13 and "Commencing [date]"; no row has distinct '
                 'id/name/kind/channel/start column labels, so nothing maps to activities',
    }


# ---------------------------------------------------------------------------

FILES = {
    'google-ads/danieltheC_campaign_report_utf16.csv': google_ads,
    'google-ads/danieltheC_campaign_report_utf8.csv': google_ads,
    'google-ads/intragoinc_campaign_report_alltime.csv': google_ads,
    'google-ads/vishalmotling_campaign_report_inr.csv': google_ads,
    'meta-ads/acala_meta_insights_api_flattened.csv': meta_acala,
    'meta-ads/airbyte_fb_ads_insights_action_product_id.json': meta_airbyte,
    'meta-ads/danieltheC_meta_campaigns_empty.csv': meta_empty,
    'generic/kag_fb_conversion_data_with_date.csv': kaggle_fb,
    'linkedin-ads/airbyte_linkedin_ad_campaign_analytics_response_1.json': linkedin,
    'linkedin-ads/airbyte_linkedin_ad_member_country_analytics_response_1.json': linkedin,
    'hubspot/airbyte_hubspot_crm_v3_contacts_page.json': hubspot_api,
    'hubspot/airbyte_hubspot_crm_v3_deals_page.json': hubspot_api,
    'hubspot/salesmod_hubspot_companies_export.csv': hubspot_companies,
    'hubspot/salesmod_hubspot_contacts_export.csv': hubspot_contacts,
    'mailchimp/domino_mailchimp_campaigns.csv': mailchimp_domino,
    'mailchimp/hdx_mailchimp_api_campaigns.csv': mailchimp_hdx,
    'ga4-bigquery/dataform_ga4_sessions_test_events.ndjson': ga4_ndjson,
    'ga4-bigquery/harishprabakaran_ga4_sample_events_flat.json': ga4_flat,
    'ga4-data-api/ajst1974_ga4_report_flattened.json': ga4_data_api,
    'ga4-data-api/danieltheC_ga4_ui_events_export.csv': ga4_ui_csv,
    'pipedrive/pipedrive_dotnet_webhook_deal_create.json': pipedrive,
    'qualtrics/qualtRics_sample.csv': qualtrics_current,
    'qualtrics/qualtRics_sample_legacy.csv': qualtrics_legacy,
    'salesforce/parkbee_sf_leads_report_nl_first2000.csv': sf_leads,
    'salesforce/parkbee_sf_opportunities_report_nl.csv': sf_opps,
    'surveymonkey/ohbm_2022_surveymonkey_export_via_pandas.csv': surveymonkey,
    'activities/danieltheC_f4l_q2_2026_content_calendar.xlsx': xlsx_calendar,
}


def main() -> int:
    present = sorted(str(p.relative_to(DATA)) for p in DATA.rglob('*')
                     if p.is_file() and p.name != 'PROVENANCE.md')
    missing = sorted(set(FILES) - set(present))
    extra = sorted(set(present) - set(FILES))
    if missing:
        print(f'missing files: {missing}', file=sys.stderr)
        return 1
    if extra:
        print(f'files without expectations (ignored): {extra}', file=sys.stderr)
    out = {rel: fn(rel) for rel, fn in sorted(FILES.items())}
    # round-trip through json to turn tuples into lists before writing
    text = json.dumps(json.loads(json.dumps(out)), indent=2, sort_keys=True, ensure_ascii=False) + '\n'
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding='utf-8')
    print(f'wrote {OUT.relative_to(REPO)} ({len(out)} files)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

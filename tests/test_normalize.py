"""Tests for kg.text.normalize on invented sentences written in the style of broken news pages."""

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.text import pinyin, t2s
from kg.text.normalize import Normalized, clean, normalize, strip_pinyin, to_simplified


# --------------------------------------------------------------------------- pinyin


def test_pinyin_annotations_removed():
    src = "東江市市場監(jiān)管局查處一起商標(biāo)侵權(quán)案"
    assert normalize(src).text == "东江市市场监管局查处一起商标侵权案"
    assert clean(src)[0] == "東江市市場監管局查處一起商標侵權案"


@pytest.mark.parametrize(
    "src, expected",
    [
        ("國(guo)家版權局", "国家版权局"),  # tone-less
        ("綠(lǜ)色產(chǎn)品", "绿色产品"),  # ü with tone
        ("綠(lv)色", "绿色"),  # v for ü
        ("國（guó）家", "国家"),  # full-width parentheses
        ("國(gu\u00f3)際", "国际"),
        ("國(guo\u0301)際", "国际"),  # decomposed tone mark
    ],
)
def test_pinyin_variants(src, expected):
    assert normalize(src).text == expected


@pytest.mark.parametrize(
    "src",
    [
        "北湖反假冒聯盟(GACG)",  # acronym
        "盜版影視網站(App)",  # English word
        "測量長度(m)",  # unit, not a reading of 度
        "第三條(a)項",  # enumerator, not a reading of 條
        "海豐貿易(中國)有限公司",  # Chinese in parentheses
        "(guó)開頭",  # no Han character before it
    ],
)
def test_non_pinyin_parentheses_kept(src):
    assert clean(src)[0] == unicodedata.normalize("NFKC", src)


def test_strip_pinyin_for_names():
    assert strip_pinyin("西嶺市知識(shí)產(chǎn)權(quán)局") == "西嶺市知識產權局"
    assert strip_pinyin("西嶺(GACG)") == "西嶺(GACG)"
    assert strip_pinyin("通報表?yè)P(yáng)") == "通報表揚"


# --------------------------------------------------------------------------- garbles


@pytest.mark.parametrize(
    "src, expected",
    [
        ("受到省局通報表?yè)P(yáng),再獲殊榮", "受到省局通报表扬,再获殊荣"),  # listed in garbled.tsv
        ("北川日?qǐng)?bào)記者 王一", "北川日报记者 王一"),  # listed, stray byte >= 0x80
        ("中?líng)?guó)外商協會", "中国外商协会"),  # rebuilt from GBK bytes
        ("山?tīng)|(dōng)省南湖市", "山东省南湖市"),  # rebuilt, ASCII stray byte
        ("依法查?chēng)?chù)", "依法查处"),
        ("商?jù)?biào)侵權", "商标侵权"),
    ],
)
def test_garbles_repaired(src, expected):
    n = normalize(src)
    assert n.text == expected
    assert "?" not in n.text


def test_garble_repair_matches_gbk_model():
    """Garbles built from the GBK byte model are repaired to the character they lost."""
    py = pinyin.pinyin()
    readings: dict[str, list[str]] = {}
    for syl, chars in py.by_reading.items():
        for ch in chars:
            readings.setdefault(ch, []).append(syl)
    pairs = [("中", "國"), ("查", "處"), ("商", "標"), ("山", "東"), ("表", "揚"), ("日", "報")]
    for prev, lost in pairs:
        lead, trail = lost.encode("gbk")
        misread = bytes([prev.encode("gbk")[1], lead]).decode("gbk")
        stray = chr(trail) if trail < 0x80 else ""
        form = f"?{readings[misread][0]})" + (stray + "(" if stray else "?") + f"{readings[lost][0]})"
        assert clean(prev + form + "省")[0] == prev + lost + "省", form


def test_unrepairable_garble_dropped():
    # no character reads "qqq": the junk goes, the neighbours stay intact
    assert clean("南湖?yè)P(qqq)公司")[0] == "南湖公司"


def test_garble_after_lost_run():
    assert normalize("????日?qǐng)?bào)").text == "日报"


# --------------------------------------------------------------------------- lost runs


def test_lost_runs():
    src = "????□北川日報記者 張小明\n????通訊員 李文\n正文??繼續□□結束????\n"
    assert normalize(src).text == "北川日报记者 张小明\n通讯员 李文\n正文 继续 结束\n"


def test_single_question_mark_kept():
    assert normalize("您收到郵件了嗎?請確認").text == "您收到邮件了吗?请确认"
    assert normalize("真的嗎？").text == "真的吗?"


def test_replacement_characters():
    assert clean("西\ufffd\ufffd嶺")[0] == "西 嶺"


# --------------------------------------------------------------------------- unicode


@pytest.mark.parametrize(
    "src, expected",
    [
        ("ＡＢＣ１２３公司", "ABC123公司"),
        ("案例（上）：商標", "案例(上):商标"),
        ("甲\u3000\u3000乙", "甲 乙"),
        ("甲\u00a0乙\t丙", "甲 乙 丙"),
        ("知\u200b識\ufeff產\u200d權\u00ad", "知识产权"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("  行首空格  \n  次行  ", "行首空格\n次行"),
        ("句號。頓號、“引號”《書名》", "句号。顿号、“引号”《书名》"),  # kept
    ],
)
def test_unicode_cleanup(src, expected):
    assert normalize(src).text == expected


def test_compatibility_ideographs():
    # U+F900 (compatibility ideograph) and U+2F00 (Kangxi radical one)
    assert clean("\uf900\u2f00")[0] == "\u8c48\u4e00"


def test_nfkc_expansion_offsets():
    src = "甲…乙"  # NFKC: … -> ...
    n = normalize(src)
    assert n.text == "甲...乙"
    assert n.offsets == (0, 1, 1, 1, 2, 3)
    assert n.to_original(1, 4) == (1, 2)
    assert n.to_original(1, 2) == (1, 2)


# --------------------------------------------------------------------------- t2s


def test_t2s():
    assert normalize("廣州市場監督管理局與香港海關簽署備忘錄").text == "广州市场监督管理局与香港海关签署备忘录"
    assert to_simplified("鄭州專利審查協作中心") == "郑州专利审查协作中心"


def test_t2s_length_change_falls_back(monkeypatch):
    def fake():
        return lambda s: s.replace("甲乙", "丙").replace("甲", "丁")

    monkeypatch.setattr(t2s, "converter", fake)
    n = normalize("甲乙\n乙甲")
    assert n.text == "丁乙\n乙丁"
    assert len(n.offsets) == len(n.text) + 1


# --------------------------------------------------------------------------- offsets


def test_clean_simplified_text_identity():
    src = "南湖市市场监管局查处一起商标侵权案,涉案金额3.5万元。\n“清风2024”专项行动取得成效。"
    n = normalize(src)
    assert n.text == src
    assert n.offsets == tuple(range(len(src) + 1))
    assert clean(src) == (src, list(range(len(src) + 1)))


def test_empty():
    n = normalize("")
    assert n == Normalized("", "", (0,))
    assert n.to_original(0, 0) == (0, 0)


def test_to_original_covers_annotation():
    src = "中國(guó)專利"
    n = normalize(src)
    assert n.text == "中国专利"
    assert n.to_original(0, 2) == (0, 7)  # 中國(guó)
    assert n.to_original(2, 4) == (7, 9)
    assert src[slice(*n.to_original(1, 2))] == "國(guó)"


def test_to_original_trims_dropped_space():
    src = "公司  \n結束"
    n = normalize(src)
    assert n.text == "公司\n结束"
    assert n.to_original(0, 2) == (0, 2)
    with pytest.raises(IndexError):
        n.to_original(3, 9)


# pieces whose t2s is the identity: (original, cleaned)
_PIECES = [
    ("南湖", "南湖"), ("市场监管局", "市场监管局"), ("国(guó)", "国"), ("产(chǎn)", "产"),
    ("????", " "), ("□", " "), ("\u3000", " "), ("  ", " "), ("ＡＢ１", "AB1"),
    ("（", "("), ("）", ")"), ("，", ","), ("\u200b", ""), ("\n", "\n"), ("。", "。"),
    ("(App)", "(App)"), ("商标", "商标"), ("有限公司", "有限公司"), ("2024年", "2024年"),
]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES)[0] for _ in range(rng.randint(0, 40)))


@pytest.mark.parametrize("seed", range(40))
def test_offset_invariant(seed):
    rng = random.Random(seed)
    src = _random_text(rng)
    n = normalize(src)
    assert len(n.offsets) == len(n.text) + 1
    assert n.offsets[-1] == len(src)
    assert list(n.offsets) == sorted(n.offsets)
    for i, ch in enumerate(n.text):
        o = src[n.offsets[i]]
        if ch == " ":
            assert o.isspace() or o in "?□"
        else:
            assert ch in unicodedata.normalize("NFKC", o)
    for _ in range(20):
        a = rng.randint(0, len(n.text))
        b = rng.randint(a, len(n.text))
        s, e = n.to_original(a, b)
        assert 0 <= s <= e <= len(src)
        # the original span, cleaned on its own, gives back the text span
        assert clean(src[s:e])[0].strip() == n.text[a:b].strip()


def test_speed_smoke():
    import time

    src = ("東江市市場監(jiān)管局查處一起商標(biāo)侵權(quán)案,罰沒金額ＡＢ１２萬元。\n????□" * 3000)
    t0 = time.perf_counter()
    n = normalize(src)
    dt = time.perf_counter() - t0
    assert "(" not in n.text
    assert len(src.encode()) / dt > 2e5  # generous floor; measured well above 1 MB/s


# --------------------------------------------------------------------------- properties (hypothesis)

# what web copies carry, mixed with any text at all (no lone surrogates: ingest replaces them)
_HOSTILE = ["東江", "国", "(guó)", "（", "）", "?", "????", "□", "\ufffd", "\u3000", " ", "\t", "\n", "\r\n", "\r",
            "ＡＢ１", "\u200b", "\x00", "\x85", "\u2028", "。", "a\u0301", "\ufb01", "\u2f00", "\uf900", "¯", "表?yè)P(yáng)"]


def _texts(exclude: str = "") -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8", exclude_characters=exclude)
    pieces = st.one_of(st.sampled_from([p for p in _HOSTILE if not set(p) & set(exclude)]), st.text(chars, max_size=4))
    return st.lists(pieces, max_size=40).map("".join)


_PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_texts())
def test_offset_map_is_monotone_and_in_range(src: str) -> None:
    n = normalize(src)
    assert n.original == src
    assert len(n.offsets) == len(n.text) + 1 and n.offsets[-1] == len(src)
    assert all(a <= b for a, b in zip(n.offsets, n.offsets[1:]))
    assert all(0 <= o < len(src) for o in n.offsets[:-1])


@_PROPERTY
@given(_texts(), st.data())
def test_to_original_covers_the_source_of_every_character(src: str, data: st.DataObject) -> None:
    n = normalize(src)
    a = data.draw(st.integers(0, len(n.text)))
    b = data.draw(st.integers(a, len(n.text)))
    s, e = n.to_original(a, b)
    assert 0 <= s <= e <= len(src)
    assert all(s <= n.offsets[i] < e for i in range(a, b))
    if a == b:
        assert s == e == n.offsets[a]
    # spans further right start no further left
    if b < len(n.text):
        assert n.to_original(b, b + 1)[0] >= s


# '?' and parentheses are read by context (a lone ? is kept, ?? is a lost run; 國(guó)(guó)
# loses one annotation per pass), so normalising twice is stable only without them.
@_PROPERTY
@given(_texts(exclude="?()（）"))
def test_normalising_twice_changes_nothing_more(src: str) -> None:
    once = normalize(src).text
    assert normalize(once).text == once

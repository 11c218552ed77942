"""Search keys: a household's name, reading, phone and address folded so that what a clerk types finds it
however it was written, by a prefix of the key (an index range scan, services/search.py).

Folding (the same for the stored key and for what is typed):
- NFKC: half-width katakana become full-width (ﾀﾞ → ダ), full-width letters and digits half-width;
- variant kanji of the family register (戸籍の異体字) to their common form (髙 → 高, 﨑 → 崎): a person
  registered as 髙橋 is asked for as 高橋; the table is the few dozen frequent in surnames;
- hiragana to katakana, and small kana to large ones: bank and 全銀 files carry no small kana (ｷﾖｳｺ for キョウコ);
- no spaces or middle dots (タカハシ　タロウ and タカハシタロウ are one name); Latin letters upper case.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

NAME_KEY_LENGTH, ADDRESS_KEY_LENGTH, PHONE_KEY_LENGTH = 200, 200, 20

# 異体字 → 通用字体: the forms of surnames and given names most often met in registers.
VARIANTS = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "碕": "崎", "邊": "辺", "邉": "辺", "齋": "斎", "齊": "斎", "斉": "斎",
    "濱": "浜", "澤": "沢", "櫻": "桜", "廣": "広", "國": "国", "嶋": "島", "嶌": "島", "峯": "峰", "冨": "富",
    "德": "徳", "栁": "柳", "槇": "槙", "眞": "真", "壽": "寿", "藏": "蔵", "實": "実", "惠": "恵", "榮": "栄",
    "條": "条", "當": "当", "瀨": "瀬", "禮": "礼", "來": "来", "萬": "万", "與": "与", "淺": "浅", "鐵": "鉄",
    "團": "団", "圓": "円", "龜": "亀", "靜": "静", "彌": "弥", "驒": "騨", "﨔": "欅", "桒": "桑",
    "瀧": "滝", "莊": "荘", "戶": "戸", "黑": "黒", "增": "増", "寬": "寛", "曾": "曽", "緖": "緒",
}
SMALL_KANA = dict(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ"))
_NAME = str.maketrans({**VARIANTS, **SMALL_KANA, "・": "", "･": ""})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー"})
_SPACE = re.compile(r"\s+")
# The municipality at the head of an address (大阪市大正区, 堺市, 新宿区, ○○郡○○町): every address of a
# ward shares it, so the key starts with the town (泉尾1-1-1) and a clerk types 泉尾 rather than the city.
_MUNICIPALITY = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|[^都道府県\d]{2,3}県)?"
                           r"(?:[^市区町村\d]{1,6}市[^市区町村\d]{1,4}区|[^市区町村\d]{1,6}[市区]"
                           r"|[^市区町村\d]{1,6}郡[^市区町村\d]{1,6}[町村])")
_BLOCK = re.compile(r"(\d+)(?:丁目|番地|番|号)")


def fold_name(text: str | None) -> str:
    """A name or its reading as searched: 髙橋　太郎 → 高橋太郎, ﾀｶﾊｼ ﾀﾛｳ → タカハシタロウ, きょうこ → キヨウコ."""
    if not text:
        return ""
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text)).translate(_NAME)
    return _SPACE.sub("", folded).upper()[:NAME_KEY_LENGTH]


def fold_phone(text: str | None) -> str:
    """Digits only: 06-6551-1234, （０６）６５５１‐１２３４ and 0665511234 are one number."""
    return "".join(c for c in unicodedata.normalize("NFKC", text or "") if c.isdigit())[:PHONE_KEY_LENGTH]


def fold_address(text: str | None) -> str:
    """The address from its town on, blocks with hyphens: 大阪市大正区泉尾1丁目1-1 → 泉尾1-1-1."""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", text or "").translate(_NAME).translate(_DASHES))
    folded = _BLOCK.sub(r"\1-", _MUNICIPALITY.sub("", folded, count=1))
    return folded.rstrip("-").upper()[:ADDRESS_KEY_LENGTH]


def keys_of(head_name: str, head_name_kana: str, phone: str | None, address: str) -> dict[str, str | None]:
    """The search-key columns of a household (services/search.py writes them, the import keeps them)."""
    return {"name_key": fold_name(head_name), "kana_key": fold_name(head_name_kana),
            "phone_key": fold_phone(phone) or None, "address_key": fold_address(address)}

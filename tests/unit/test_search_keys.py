"""Search keys fold what a clerk types and what the register holds to one form (domain/search_keys.py)."""

from nhi_collect.domain.search_keys import fold_address, fold_name, fold_phone


def test_kana_of_any_width_and_script_fold_alike():
    assert fold_name("ﾀｶﾊｼ ﾀﾛｳ") == fold_name("たかはし　たろう") == fold_name("タカハシタロウ") == "タカハシタロウ"
    assert fold_name("ｷﾖｳｺ") == fold_name("きょうこ")  # 全銀 files carry no small kana
    assert fold_name("ﾀﾞｲｽｹ") == "ダイスケ"  # a half-width voiced mark joins its kana


def test_variant_kanji_fold_to_their_common_form():
    assert fold_name("髙橋　太郎") == fold_name("高橋太郎")
    for variant, common in (("山﨑", "山崎"), ("渡邊", "渡辺"), ("渡邉", "渡辺"), ("齋藤", "斎藤"), ("濱田", "浜田")):
        assert fold_name(variant) == fold_name(common), variant
    assert fold_name("santos maria") == "SANTOSMARIA"


def test_phone_is_its_digits_and_the_address_starts_at_the_town():
    assert fold_phone("（０６）６５５１‐１２３４") == fold_phone("06-6551-1234") == "0665511234"
    assert fold_address("大阪市大正区泉尾1丁目1-1") == fold_address("泉尾１－１－１") == "泉尾1-1-1"
    assert fold_address("東京都新宿区市谷1-2") == "市谷1-2"  # a town whose name holds 市 keeps it
    assert fold_address("鶴町3丁目") == "鶴町3"  # no municipality: nothing is cut

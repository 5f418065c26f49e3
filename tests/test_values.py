from juesuan.values import cn_ordinal, fold, parse_quantity, to_number


def test_quantities():
    assert parse_quantity("≥96%") == ("≥", 96.0, "%")
    assert parse_quantity("25.29 万人") == (None, 25.29, "万人")
    assert parse_quantity("≤60 日") == ("≤", 60.0, "日")
    assert parse_quantity("１２.５％") == (None, 12.5, "%")
    assert parse_quantity(">=90%") == ("≥", 90.0, "%")


def test_qualitative_cells_have_no_value():
    for text in ["明显提高", "长期", "及时", "12月底前", "满意", ""]:
        assert parse_quantity(text) == (None, None, None)


def test_amount_cells():
    assert to_number("2,940.05") == 2940.05
    assert to_number("—") is None
    assert to_number("-") is None
    assert to_number("") is None
    assert to_number("abc") is None


def test_chinese_ordinals_and_fold():
    assert [cn_ordinal(s) for s in ["一", "十", "十四", "二十六"]] == [1, 10, 14, 26]
    assert cn_ordinal("是") is None
    assert fold("２０２３年（境）") == "2023年（境）"

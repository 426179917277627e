"""request.* findings in free text: each rule on the scam it catches and the genuine text
it lets through, in NFC and NFD, with spans pointing at the text as written."""

from __future__ import annotations

import random
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.engine.findings import Finding, Severity
from app.engine.reference import cached_reference
from app.engine.reference.lexicon import Lexicon
from app.engine.reference.models import Reference
from app.engine.validators.text import check_text, compiled


@pytest.fixture(scope="module")
def ref(reference: Reference) -> Reference:
    return reference


def codes(text: str, ref: Reference) -> list[str]:
    return [f.code for f in check_text(text, ref)]


def only(text: str, code: str, ref: Reference) -> Finding:
    found = [f for f in check_text(text, ref) if f.code == code]
    assert len(found) == 1, check_text(text, ref)
    return found[0]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- remote access -----------------------------------------------------------------------

REMOTE = (
    "Anh ơi em là cán bộ hỗ trợ của Kho bạc, anh tải UltraViewer về máy rồi gửi em ID "
    "với mật khẩu để em cài lại chữ ký số nhé."
)


def test_downloading_ultraviewer_for_the_caller_is_remote_access(ref: Reference) -> None:
    finding = only(REMOTE, "request.remote_access", ref)
    assert finding.evidence == "tải UltraViewer"
    assert finding.param("tool") == "UltraViewer"


def test_notice_warning_about_ultraview_is_no_request(ref: Reference) -> None:
    text = (
        "Không cung cấp thông tin truy cập từ xa như phần mềm ultraview..., mã pin chứng "
        "thư số, mật khẩu cho bất kỳ ai"
    )
    assert codes(text, ref) == []


def test_teencode_id_and_pass_of_ultra_is_remote_access(ref: Reference) -> None:
    finding = only("a gui e id vs pass ultra nhe", "request.remote_access", ref)
    assert finding.param("tool") == "UltraViewer"


def test_spelt_out_tool_name_is_remote_access(ref: Reference) -> None:
    text = "anh mở u l t r a v i e w giúp em"
    assert only(text, "request.remote_access", ref).evidence == "mở u l t r a v i e w"


def test_english_install_anydesk_is_remote_access(ref: Reference) -> None:
    assert "request.remote_access" in codes("install AnyDesk and give me the ID", ref)


def test_screen_sharing_asked_is_remote_access(ref: Reference) -> None:
    assert codes("Chị chia sẻ màn hình qua Zalo cho em nhé", ref) == ["request.remote_access"]


def test_never_asking_to_share_the_screen_is_no_request(ref: Reference) -> None:
    assert codes("We will never ask you to share your screen or install tools.", ref) == []


def test_genuine_reply_naming_the_tools_in_a_warning_is_no_request(ref: Reference) -> None:
    text = "KBNN không gửi đường dẫn, không yêu cầu cài UltraViewer, TeamViewer hay AnyDesk."
    assert codes(text, ref) == []


# --- PIN, password, OTP ------------------------------------------------------------------


def test_pin_read_out_without_diacritics_is_a_pin_request(ref: Reference) -> None:
    text = "em ben kho bac, chi doc giup em ma PIN cua usb token de em kiem tra nha"
    assert only(text, "request.pin", ref).evidence == "doc giup em ma PIN"


def test_absolute_refusal_to_give_the_pin_is_no_request(ref: Reference) -> None:
    assert codes("Tuyệt đối không cung cấp mã PIN cho người lạ.", ref) == []


def test_warning_then_ask_is_still_a_request(ref: Reference) -> None:
    text = "đừng chia sẻ cho ai khác nhé, chỉ gửi em mã PIN thôi"
    assert only(text, "request.pin", ref).evidence == "gửi em mã PIN"


def test_english_question_for_the_token_pin_is_a_pin_request(ref: Reference) -> None:
    assert codes("what is your token PIN", ref) == ["request.pin"]


def test_never_share_your_pin_is_no_request(ref: Reference) -> None:
    assert codes("never share your PIN", ref) == []


def test_object_before_the_verb_is_a_request(ref: Reference) -> None:
    assert codes("Mã PIN của USB token chị đọc cho em với", ref) == ["request.pin"]


def test_question_form_after_the_object_is_a_request(ref: Reference) -> None:
    assert codes("Anh ơi, pass DVC của anh là gì để em đăng nhập giúp?", ref) == [
        "request.password"
    ]


def test_teencode_mk_is_a_password_request(ref: Reference) -> None:
    assert codes("a cho e xin mk dvc de e reset lai tk nhe", ref) == ["request.password"]


def test_changing_the_password_every_42_days_is_no_request(ref: Reference) -> None:
    assert codes("Anh/chị vui lòng đổi mật khẩu định kỳ 42 ngày.", ref) == []


def test_describing_a_wrong_password_error_is_no_request(ref: Reference) -> None:
    text = "Lỗi sai mật khẩu khi đăng nhập DVCTT là do anh/chị nhập sai mật khẩu quá 5 lần."
    assert codes(text, ref) == []


def test_installing_a_remote_tool_is_an_install_and_remote_access(ref: Reference) -> None:
    text = "chị cài giúp em cái ứng dụng ultra viewer nha"
    assert codes(text, ref) == ["request.install", "request.remote_access"]


def test_a_remote_tool_someone_else_installed_is_no_request(ref: Reference) -> None:
    text = "Bên công ty phần mềm đã cài UltraViewer cho máy kế toán hôm qua"
    assert codes(text, ref) == []


def test_never_installing_a_remote_tool_for_strangers_is_no_request(ref: Reference) -> None:
    assert codes("Tuyệt đối không cài UltraViewer theo yêu cầu của người lạ", ref) == []


def test_the_user_name_with_the_password_asked_in_chat_is_a_password_request(
    ref: Reference,
) -> None:
    # "tên đăng nhập" is a name, not the verb "đăng nhập": "nhắn" governs the list.
    assert codes("c nhắn e tên đăng nhập vs pass nha", ref) == ["request.password"]


def test_support_asking_for_the_user_name_alone_is_no_request(ref: Reference) -> None:
    # The user name is no secret: support asks for it to find the account.
    text = "Anh gửi email về hotrocntt@vst.gov.vn, nêu tên đơn vị, tên đăng nhập và lỗi gặp phải"
    assert codes(text, ref) == []


def test_logging_in_at_a_link_the_sender_gives_is_a_password_request(ref: Reference) -> None:
    text = "Đề nghị đồng chí bấm vào liên kết sau và đăng nhập tài khoản DVCTT để xác nhận"
    assert only(text, "request.password", ref).evidence == "đăng nhập tài khoản DVCTT"


def test_logging_in_to_an_app_from_the_senders_link_is_a_password_request(
    ref: Reference,
) -> None:
    text = "Chi cai app theo link em gui roi dang nhap bang tk dvctt nha"
    assert codes(text, ref) == ["request.install", "request.password"]


def test_logging_in_to_the_official_site_yourself_is_no_request(ref: Reference) -> None:
    text = "Anh vào trang dvc.vst.gov.vn đăng nhập tài khoản của mình rồi tự đổi mật khẩu nhé"
    assert codes(text, ref) == []


def test_never_logging_in_at_strange_links_is_no_request(ref: Reference) -> None:
    text = "Tuyệt đối không đăng nhập tài khoản DVCTT vào các đường link lạ gửi qua Zalo"
    assert codes(text, ref) == []


def test_logging_in_to_dvctt_by_name_is_no_request(ref: Reference) -> None:
    # The system named, not an account at a place the sender supplies: self-service.
    assert codes("Sau đó chị đăng nhập DVCTT qua link trên trang chủ KBNN nhé", ref) == []


def test_otp_asked_in_english_is_an_otp_request(ref: Reference) -> None:
    text = "KBNN: please send the OTP code you just received so we can unlock your account."
    assert only(text, "request.otp", ref).evidence == "send the OTP code"


def test_sms_composed_with_the_otp_is_an_otp_request(ref: Reference) -> None:
    assert codes("Soạn tin nhắn mã OTP gửi 0909 123 456 để mở khóa.", ref) == ["request.otp"]


def test_the_word_message_is_no_verb(ref: Reference) -> None:
    text = "Để tránh bị khóa, anh vui lòng trả lời tin nhắn này kèm mã OTP vừa nhận."
    assert only(text, "request.otp", ref).evidence == "trả lời tin nhắn này kèm mã OTP"


def test_the_references_own_rules_raise_no_request(ref: Reference) -> None:
    for statement in [*ref.never, *ref.leaks]:
        assert codes(statement.vi, ref) == [] and codes(statement.en, ref) == []


def test_a_list_after_a_comma_stays_governed_by_the_verb(ref: Reference) -> None:
    assert "request.password" in codes("anh gửi em ID, mật khẩu ultraview nhé", ref)


def test_heading_before_a_colon_governs_nothing(ref: Reference) -> None:
    text = "Yêu cầu SD251119-000412: mật khẩu DVCTT phải có tối thiểu 8 ký tự."
    assert codes(text, ref) == []


# --- scope: negation, hypothesis, reported speech, subjects --------------------------------


def test_negation_reaches_a_coordinated_verb(ref: Reference) -> None:
    text = "KBNN không bao giờ yêu cầu cung cấp mật khẩu, mã PIN hay cài phần mềm truy cập từ xa."
    assert codes(text, ref) == []


def test_negator_that_negates_nothing_is_ignored(ref: Reference) -> None:
    assert codes("Chị đừng lo, không ai biết đâu, chị cứ đọc mã PIN cho em", ref) == ["request.pin"]


def test_hypothetical_request_in_a_warning_is_no_request(ref: Reference) -> None:
    text = "Nếu có người tự xưng cán bộ KBNN yêu cầu anh/chị cung cấp mã OTP, hãy từ chối."
    assert codes(text, ref) == []


def test_consequent_of_a_condition_is_a_request(ref: Reference) -> None:
    assert codes("Nếu anh cần hỗ trợ thì gửi em mã OTP nhé", ref) == ["request.otp"]


def test_what_crooks_ask_for_is_no_request(ref: Reference) -> None:
    assert codes("Kẻ gian thường yêu cầu anh chị cung cấp mã OTP.", ref) == []


def test_a_verb_coordinated_with_what_crooks_ask_is_reported_too(ref: Reference) -> None:
    text = "Kẻ gian thường gọi điện yêu cầu cài phần mềm điều khiển từ xa hoặc đọc mã OTP."
    assert codes(text, ref) == []


def test_system_sending_a_code_is_no_request(ref: Reference) -> None:
    assert codes("Hệ thống sẽ gửi mã xác thực về email của anh/chị.", ref) == []


def test_support_offering_a_new_password_is_no_request(ref: Reference) -> None:
    assert codes("Chúng tôi sẽ gửi mật khẩu mới cho anh/chị.", ref) == []


def test_passive_sentence_is_no_request(ref: Reference) -> None:
    assert codes("Mật khẩu mới đã được gửi cho anh/chị qua email.", ref) == []


def test_giving_to_a_third_party_is_no_request(ref: Reference) -> None:
    assert codes("Anh chị chia sẻ mật khẩu cho người khác là vi phạm.", ref) == []


def test_undiacritised_dung_before_a_verb_negates(ref: Reference) -> None:
    assert codes("dung gui ma pin nhe", ref) == []


def test_undiacritised_dung_before_a_tool_means_use(ref: Reference) -> None:
    assert codes("a dung ultraview ket noi cho e nhe", ref) == ["request.remote_access"]


# --- entering, installing, e-mail, money, remote signing ------------------------------------


def test_typing_the_pin_at_ones_own_desk_is_no_request(ref: Reference) -> None:
    assert codes("Anh/chị cắm USB token và nhập mã PIN khi phần mềm yêu cầu.", ref) == []


def test_entering_the_otp_into_a_link_is_a_request(ref: Reference) -> None:
    text = "Quý đơn vị vui lòng nhập mã OTP vào link sau để xác thực."
    assert codes(text, ref) == ["request.otp"]


def test_installing_an_app_from_the_senders_link_is_an_install_request(ref: Reference) -> None:
    assert codes("Anh tải app KBNN mới qua link em gửi zalo nhé", ref) == ["request.install"]


def test_download_then_install_of_the_senders_file_is_an_install_request(
    ref: Reference,
) -> None:
    text = "Em gửi chị file hướng dẫn.exe, chị tải về rồi cài vào máy giúp em."
    assert codes(text, ref) == ["request.install"]


def test_installing_antivirus_is_no_request(ref: Reference) -> None:
    text = "Đề nghị anh/chị cài đặt phần mềm diệt virus trên máy tính dùng DVCTT."
    assert codes(text, ref) == []


def test_putting_another_address_on_the_account_is_change_email(ref: Reference) -> None:
    text = "Anh cập nhật email đăng ký DVCTT sang hotro.kbnn@gmail.com giúp em nhé"
    assert codes(text, ref) == ["request.change_email"]


def test_updating_ones_own_email_is_no_request(ref: Reference) -> None:
    text = "Nếu sai, anh/chị cập nhật lại email của mình trong mục thông tin thành viên."
    assert codes(text, ref) == []


def test_email_password_asked_is_change_email(ref: Reference) -> None:
    assert codes("Chị gửi em mật khẩu hòm thư đăng ký DVCTT nhé", ref) == ["request.change_email"]


def test_fee_transfer_is_a_money_request(ref: Reference) -> None:
    text = "Anh chuyển khoản phí gia hạn 500k vào stk 0123456789 giúp em"
    assert only(text, "request.money", ref).evidence == "chuyển khoản phí gia hạn"


def test_a_fee_to_remit_is_a_money_request(ref: Reference) -> None:
    text = "Please remit the processing fee of VND 3,900,000 to account no. 2233 4455 6677."
    assert codes(text, ref) == ["request.money"]


def test_saying_no_fee_is_ever_remitted_is_no_request(ref: Reference) -> None:
    text = "The Treasury never asks units to remit any fee for DVCTT."
    assert codes(text, ref) == []


def test_amount_alone_is_money(ref: Reference) -> None:
    assert codes("Chị ck cho em 500k nha", ref) == ["request.money"]


def test_payment_voucher_vocabulary_is_no_money_request(ref: Reference) -> None:
    text = "Ủy nhiệm chi chuyển khoản bị trả về do sai số tài khoản, anh/chị ký gửi lại."
    assert codes(text, ref) == []


def test_claiming_remote_signing_is_compulsory_is_flagged(ref: Reference) -> None:
    text = "Từ 01/12 KBNN bắt buộc tất cả đơn vị chuyển sang ký số từ xa."
    assert codes(text, ref) == ["request.mandatory_remote_signing"]


def test_notice_saying_remote_signing_is_optional_is_no_request(ref: Reference) -> None:
    text = (
        "Việc lựa chọn sử dụng chữ ký số từ xa không phải là yêu cầu bắt buộc, chỉ là một "
        "lựa chọn của đơn vị."
    )
    assert codes(text, ref) == []


def test_pushing_a_provider_outside_the_four_is_flagged(ref: Reference) -> None:
    text = "Anh đăng ký ký số từ xa của FPT CA qua link em gửi nhé"
    finding = only(text, "request.mandatory_remote_signing", ref)
    assert finding.param("provider") == "FPT CA"


def test_an_integrated_provider_is_no_push(ref: Reference) -> None:
    text = "Anh đăng ký ký số từ xa của VNPT CA tại KBNN nơi giao dịch nếu muốn nhé"
    assert codes(text, ref) == []


def test_genuine_support_reply_is_clean(ref: Reference) -> None:
    text = (
        "Đội hỗ trợ CNTT KBNN đã tiếp nhận yêu cầu SD251120-000456. Đề nghị đơn vị gửi ảnh "
        "chụp màn hình lỗi và file log, sau đó khởi động lại máy tính và ký lại chứng từ."
    )
    assert codes(text, ref) == []


def test_photo_of_the_otp_sent_on_is_an_otp_request(ref: Reference) -> None:
    assert codes("Chị chụp ảnh màn hình mã OTP gửi qua zalo cho em nhé.", ref) == ["request.otp"]


def test_screenshot_of_a_pin_error_for_support_is_no_request(ref: Reference) -> None:
    text = "Anh/chị chụp màn hình thông báo lỗi mã PIN và gửi lại cho chúng tôi qua email này."
    assert codes(text, ref) == []


def test_confirming_the_pin_for_the_caller_is_a_pin_request(ref: Reference) -> None:
    assert codes("Em cần chị xác nhận giúp mã PIN để em đồng bộ chứng thư số.", ref) == [
        "request.pin"
    ]


def test_confirm_password_field_is_no_request(ref: Reference) -> None:
    text = "Anh/chị nhập mật khẩu cũ, mật khẩu mới và xác nhận mật khẩu mới rồi bấm Lưu."
    assert codes(text, ref) == []


def test_link_earlier_in_the_sentence_is_the_origin_of_an_install(ref: Reference) -> None:
    text = "Bên em đã gửi link cập nhật plugin, anh tải file về cài đặt rồi báo em nhé."
    assert codes(text, ref) == ["request.install"]


def test_obligation_said_in_the_passive_is_still_a_claim(ref: Reference) -> None:
    text = "Switching to remote signing is compulsory from next month."
    assert codes(text, ref) == ["request.mandatory_remote_signing"]


# --- obfuscation and Unicode -----------------------------------------------------------------


def test_nfd_input_gives_the_same_codes(ref: Reference) -> None:
    assert codes(nfd(REMOTE), ref) == codes(REMOTE, ref)


def test_nfd_span_points_at_the_decomposed_text(ref: Reference) -> None:
    text = nfd("Chị đọc giúp em mã PIN nhé")
    finding = only(text, "request.pin", ref)
    assert finding.evidence == nfd("đọc giúp em mã PIN")
    assert finding.span is not None
    assert text[finding.span.start : finding.span.end] == finding.evidence


def test_emoji_and_combining_marks_do_not_shift_the_span(ref: Reference) -> None:
    text = "👍🏽😀 chị\u0301 ơi, gửi em mã PIN 🙏"
    finding = only(text, "request.pin", ref)
    assert finding.span is not None
    assert (finding.span.start, finding.evidence) == (text.index("gửi"), "gửi em mã PIN")


def test_dotted_letters_are_read_through(ref: Reference) -> None:
    finding = only("chị gửi em m.ậ.t k.h.ẩ.u nhé", "request.password", ref)
    assert finding.evidence == "gửi em m.ậ.t k.h.ẩ.u"


def test_dashed_letters_are_read_through(ref: Reference) -> None:
    assert only("anh đọc p-i-n cho em", "request.pin", ref).evidence == "đọc p-i-n"


def test_zero_width_characters_are_read_through(ref: Reference) -> None:
    text = "Chị gửi em ID và mật khẩu Ul\u200btra\u200bViewer nhé"
    assert only(text, "request.remote_access", ref).param("tool") == "UltraViewer"


def test_full_width_letters_are_read_through(ref: Reference) -> None:
    assert codes("Anh cài ＡｎｙＤｅｓｋ rồi gửi em ID nhé", ref) == [
        "request.install",
        "request.remote_access",
    ]


def test_cyrillic_look_alike_letters_are_read_through(ref: Reference) -> None:
    assert codes("Anh gửi em mã РIN nhé", ref) == ["request.pin"]  # Cyrillic Р


def test_repeated_letters_are_read_through(ref: Reference) -> None:
    assert codes("Anh gửiii em mật khẩuuu gấp nhé", ref) == ["request.password"]


# --- the shape of the result -------------------------------------------------------------------


def test_one_finding_per_code_at_its_first_occurrence(ref: Reference) -> None:
    text = "Anh gửi em mã PIN nhé. Anh đọc lại mã PIN cho em nhé."
    finding = only(text, "request.pin", ref)
    assert finding.span is not None and finding.span.start == text.index("gửi")


def test_findings_are_ordered_by_position(ref: Reference) -> None:
    found = check_text(REMOTE, ref)
    assert [f.code for f in found] == [
        "request.install",
        "request.remote_access",
        "request.password",
    ]
    starts = [f.span.start for f in found if f.span]
    assert starts == sorted(starts)


def test_findings_are_dangers_on_the_message_citing_known_notices(ref: Reference) -> None:
    for finding in check_text(REMOTE, ref):
        assert finding.severity is Severity.DANGER and finding.field == "message"
        assert finding.sources and set(finding.sources) <= set(ref.sources)


def test_same_input_gives_identical_findings(ref: Reference) -> None:
    assert check_text(REMOTE, ref) == check_text(REMOTE, ref)


def test_links_are_left_to_the_link_validator(ref: Reference) -> None:
    text = "Tài khoản sắp bị khóa, anh truy cập http://kbnn-dvc.online để xác thực nhé."
    assert "request.link" not in codes(text, ref)


def test_empty_text_gives_nothing(ref: Reference) -> None:
    assert check_text("", ref) == [] and check_text(" \n😀 ", ref) == []


# --- the lexicon is data ---------------------------------------------------------------------


def test_a_tool_added_to_the_reference_is_caught(ref: Reference) -> None:
    tools = ref.lexicon.tools.model_copy(update={"names": [*ref.lexicon.tools.names, "Xyzdesk"]})
    lexicon = ref.lexicon.model_copy(update={"tools": tools})
    changed = ref.model_copy(update={"lexicon": lexicon})
    assert codes("anh cài Xyzdesk giúp em", ref) == []
    assert codes("anh cài Xyzdesk giúp em", changed) == ["request.install", "request.remote_access"]


def test_the_compiled_lexicon_is_built_once_per_reference(ref: Reference) -> None:
    assert compiled(ref) is compiled(ref)


def test_lexicon_rejects_an_unknown_verb_class(ref: Reference) -> None:
    raw = ref.lexicon.model_dump()
    raw["requests"][0]["verbs"] = ["whisper"]
    with pytest.raises(ValidationError):
        Lexicon.model_validate(raw)


def test_lexicon_rejects_an_unknown_special_object(ref: Reference) -> None:
    raw = ref.lexicon.model_dump()
    raw["requests"][0]["objects"] = ["<secret>"]
    with pytest.raises(ValidationError):
        Lexicon.model_validate(raw)


# --- robustness and cost -----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=20_000))
def test_any_text_gives_findings_whose_spans_are_the_evidence(text: str) -> None:
    for finding in check_text(text, cached_reference()):
        assert finding.span is not None
        assert 0 <= finding.span.start < finding.span.end <= len(text)
        assert text[finding.span.start : finding.span.end] == finding.evidence


@pytest.mark.parametrize("seed", range(8))
def test_long_random_text_gives_findings_whose_spans_are_the_evidence(seed: int) -> None:
    # Hypothesis cannot draw 20,000 characters; a seeded mix of scripts, marks, emoji and
    # trigger words does, and stays reproducible.
    rng = random.Random(seed)
    pieces = ["gửi em mã PIN", "không", "u l t r a", "\u0301", "\u200b", "😀", ". ", ", ", "nếu"]
    alphabet = [chr(rng.randrange(0x20, 0x3000)) for _ in range(200)] + pieces
    text = "".join(rng.choice(alphabet) for _ in range(18_000))[:20_000]
    for finding in check_text(text, cached_reference()):
        assert finding.span is not None
        assert text[finding.span.start : finding.span.end] == finding.evidence


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "anh",
                "gửi",
                "em",
                "mã",
                "PIN",
                "không",
                ",",
                ".",
                "m.ậ.t",
                "u l t r a",
                "\u0301",
                "😀",
                "nhé",
                "ＯＴＰ",
                "\u200b",
                "cài",
                "ultraview",
                "nếu",
                "chỉ",
                "500k",
                "FPT CA",
            ]
        ),
        max_size=200,
    ).map(" ".join)
)
def test_dense_trigger_words_give_exact_spans(text: str) -> None:
    for finding in check_text(text, cached_reference()):
        assert finding.span is not None
        assert text[finding.span.start : finding.span.end] == finding.evidence


def test_cost_grows_linearly_with_the_text(ref: Reference) -> None:
    chunk = REMOTE + " Lưu ý: không cung cấp mã PIN cho người lạ. " * 3
    small, large = chunk * 10, chunk * 100

    def cost(text: str) -> float:
        start = time.process_time()
        check_text(text, ref)
        return time.process_time() - start

    check_text(small, ref)
    ratio = min(cost(large) for _ in range(3)) / min(cost(small) for _ in range(3))
    assert ratio < 20, f"10x the text took {ratio:.1f}x the time"

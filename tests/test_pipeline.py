"""The rules' entities and relations on sentences written for these tests (invented bodies)."""
from __future__ import annotations

import pytest

from kg.model import Article
from kg.nlp.pipeline import load_pipeline
from kg.text.normalize import normalize
from kg.model import ArticleGraph
from kg.resolve.resolver import Resolver


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    # the rules alone (a models folder without models): what they propose to the models
    nlp, resolver = load_pipeline(tmp_path_factory.mktemp("no-models")), Resolver()

    def run(text: str) -> ArticleGraph:
        norm = normalize(text)
        return resolver(Article("t", text), norm, nlp(norm.text))

    return run


def names(ag: ArticleGraph, type_: str) -> set[str]:
    return {name for t, name in ag.entities if t == type_}


def facts(ag: ArticleGraph) -> set[tuple[str, str, str]]:
    return {(f.head[1], f.relation, f.tail[1]) for f in ag.facts}


CASE_TEXT = ("东江市市场监督管理局联合东江海关、北湖区公安分局开展“蓝盾2024”专项行动,"
             "查处东江宏达贸易有限公司侵犯“蓝鲸”注册商标专用权案。")


def test_agency_company_case_brand_campaign(extract):
    ag = extract(CASE_TEXT)
    assert {"东江市市场监督管理局", "东江海关", "北湖区公安分局"} <= names(ag, "Agency")
    assert names(ag, "Company") == {"东江宏达贸易有限公司"}
    assert names(ag, "Case") == {"东江宏达贸易有限公司侵犯“蓝鲸”注册商标专用权案"}
    assert names(ag, "Brand") == {"蓝鲸"}
    assert names(ag, "Campaign") == {"蓝盾2024"}
    assert "北湖区" in names(ag, "Place")


def test_case_relations_and_coordination(extract):
    got = facts(extract(CASE_TEXT))
    case = "东江宏达贸易有限公司侵犯“蓝鲸”注册商标专用权案"
    assert (case, "handledBy", "东江市市场监督管理局") in got
    assert (case, "involves", "东江宏达贸易有限公司") in got
    assert (case, "concernsBrand", "蓝鲸") in got
    assert ("东江市市场监督管理局", "conducted", "蓝盾2024") in got
    # every pair of the coordinated bodies cooperates; the company they acted against does not
    pairs = {frozenset((h, t)) for h, r, t in got if r == "cooperatesWith"}
    assert pairs == {frozenset(p) for p in [("东江市市场监督管理局", "东江海关"),
                                            ("东江市市场监督管理局", "北湖区公安分局"),
                                            ("东江海关", "北湖区公安分局")]}


def test_target_of_joint_enforcement_is_not_a_partner(extract):
    got = facts(extract("东江市市场监督管理局联合东江海关查处东江宏达贸易有限公司,没收侵权商品。"))
    partners = {frozenset((h, t)) for h, r, t in got if r == "cooperatesWith"}
    assert partners == {frozenset(("东江市市场监督管理局", "东江海关"))}


def test_dropped_subject_links_to_last_agency(extract):
    ag = extract("东江市市场监督管理局召开知识产权保护工作会议。\n"
                 "会议要求,组织开展“清风2025”专项行动,严厉打击商标侵权行为。")
    assert ("东江市市场监督管理局", "conducted", "清风2025") in facts(ag)


def test_abbreviation_resolved_with_article_place(extract):
    ag = extract("广州市召开知识产权大会。\n会上,市市场监管局与广州市知识产权保护协会签署《知识产权保护合作备忘录》。")
    agencies = names(ag, "Agency")
    assert "广州市市场监督管理局" in agencies
    entity = ag.entities[("Agency", "广州市市场监督管理局")]
    assert "市市场监管局" in entity.aliases
    got = facts(ag)
    assert ("广州市市场监督管理局", "partyTo", "《知识产权保护合作备忘录》") in got
    assert ("广州市知识产权保护协会", "partyTo", "《知识产权保护合作备忘录》") in got
    assert ("广州市市场监督管理局", "locatedIn", "广州市") in got


def test_award_received_and_awarded(extract):
    ag = extract("东江市知识产权保护协会向东江宏达贸易有限公司颁发“2024年度打假先锋奖”。")
    assert names(ag, "Award") == {"2024年度打假先锋奖"}
    got = facts(ag)
    assert ("东江宏达贸易有限公司", "receivedAward", "2024年度打假先锋奖") in got
    assert ("2024年度打假先锋奖", "awardedBy", "东江市知识产权保护协会") in got


def test_award_list_of_recipients(extract):
    ag = extract("东江宏达贸易有限公司、东江蓝海科技股份有限公司被评为2024年度广东省知识产权示范企业。")
    award = "2024年度广东省知识产权示范企业"
    got = facts(ag)
    assert ("东江宏达贸易有限公司", "receivedAward", award) in got
    assert ("东江蓝海科技股份有限公司", "receivedAward", award) in got


def test_commendation_from_agency(extract):
    ag = extract("广州市受到国家知识产权局的通报表扬。")
    got = facts(ag)
    assert ("广州市", "receivedAward", "通报表扬") in got
    assert ("通报表扬", "awardedBy", "国家知识产权局") in got


def test_nested_name_is_sub_organisation(extract):
    ag = extract("东江市知识产权保护协会专利工作委员会由王立新担任主任,陈某参与调查。")
    assert {"东江市知识产权保护协会", "东江市知识产权保护协会专利工作委员会"} <= names(ag, "Association")
    assert ("东江市知识产权保护协会专利工作委员会", "subOrganizationOf", "东江市知识产权保护协会") in facts(ag)
    assert {"王立新", "陈某"} <= names(ag, "Person")


def test_legal_document_and_place_located_in(extract):
    ag = extract("当事人的行为违反了《中华人民共和国商标法》第五十七条。广东省深圳市南山区市场监督管理局依法作出处罚。")
    assert "《中华人民共和国商标法》" in names(ag, "LegalDocument")
    assert ("广东省深圳市南山区市场监督管理局", "locatedIn", "南山区") in facts(ag)
    # a place inside a law's title is not a place of the article
    assert "中国" not in names(ag, "Place")


def test_generic_references_are_not_entities(extract):
    ag = extract("全市两级市场监管部门和各级海关加强协作,公安机关依法处理,物流公司配合调查。")
    assert not any(t in ("Agency", "Company") for t, _ in ag.entities)


def test_traditional_text_with_pinyin_gives_simplified_names(extract):
    ag = extract("東江市市場監(jiān)督管理局查處東江宏達貿(mào)易有限公司侵犯“藍鯨”註冊商標專用權(quán)案。")
    assert "东江市市场监督管理局" in names(ag, "Agency")
    company = ag.entities[("Company", "东江宏达贸易有限公司")]
    assert "東江宏達貿易有限公司" in company.aliases  # the form as written, pinyin removed


def test_short_name_folds_into_the_full_name(extract):
    ag = extract("浙江省湖州市南浔区市场监督管理局与东江市版权协会签订《关于建立商标保护协作机制的框架协议》"
                 "(以下简称《框架协议》)。南浔区市场监督管理局表示,《框架协议》将于明年实施。")
    assert names(ag, "Agency") == {"浙江省湖州市南浔区市场监督管理局"}
    assert "南浔区市场监督管理局" in ag.entities[("Agency", "浙江省湖州市南浔区市场监督管理局")].aliases
    assert names(ag, "LegalDocument") == {"《关于建立商标保护协作机制的框架协议》"}


def test_police_short_form_and_branch_seat(extract):
    ag = extract("乐山市公安局五通桥分局破获一起假冒注册商标案。乐山警方表示将持续打击。")
    assert ("乐山市公安局五通桥分局", "subOrganizationOf", "乐山市公安局") in facts(ag)
    assert ("乐山市公安局五通桥分局", "locatedIn", "五通桥区") in facts(ag)
    assert "乐山警方" in ag.entities[("Agency", "乐山市公安局")].aliases


def test_enumerations_of_brands_laws_and_campaigns(extract):
    ag = extract("东江市市场监督管理局开展“春雷”商标保护、“秋风-2024”打假等专项行动,"
                 "查获侵权商品涉及ACME、BETA、飞鹰等知名品牌,当事人违反药品管理法、种子条例。")
    assert names(ag, "Campaign") == {"春雷", "秋风-2024"}
    assert {"ACME", "BETA", "飞鹰"} <= names(ag, "Brand")
    assert names(ag, "LegalDocument") == {"《药品管理法》", "《种子条例》"}
    assert {("东江市市场监督管理局", "conducted", c) for c in ("春雷", "秋风-2024")} <= facts(ag)


def test_typical_case_award_goes_to_the_case(extract):
    ag = extract("东江市市场监督管理局查办的“东江宏达贸易有限公司侵犯商标权案”被东江省知识产权局评为"
                 "2024年度十佳知识产权案例。")
    award = "2024年度十佳知识产权案例"
    assert ("东江宏达贸易有限公司侵犯商标权案", "receivedAward", award) in facts(ag)
    assert (award, "awardedBy", "东江省知识产权局") in facts(ag)
    assert not any(r == "receivedAward" and h != "东江宏达贸易有限公司侵犯商标权案" for h, r, _ in facts(ag))


def test_collective_and_descriptive_names_are_not_bodies(extract):
    ag = extract("江苏法院加强知识产权审判,建设科技创新中心。责任编辑:林晓")
    assert names(ag, "Agency") == set()
    assert names(ag, "Person") == {"林晓"}


def test_counterfeit_brand_and_anonymised_person(extract):
    ag = extract("经查,李某华销售假冒飞鹰品牌运动鞋。")
    assert names(ag, "Brand") == {"飞鹰"}
    assert names(ag, "Person") == {"李某华"}


def test_case_list_entries(extract):
    ag = extract("西河市中级人民法院发布“2024年度西河法院知识产权司法保护十大案例”。\n"
                 "一、北辰电子有限公司诉南港贸易有限公司侵害商标权纠纷案\n"
                 "原告:北辰电子有限公司\n被告:南港贸易有限公司\n"
                 "被告销售假冒“北辰”注册商标的耳机。西河市中级人民法院一审判令被告赔偿50万元。\n"
                 "二、被告人周某假冒注册商标罪案\n"
                 "西河市人民检察院提起公诉。\n")
    first, second = "北辰电子有限公司诉南港贸易有限公司侵害商标权纠纷案", "被告人周某假冒注册商标罪案"
    award = "2024年度西河法院知识产权司法保护十大案例"
    got = facts(ag)
    assert {(first, "receivedAward", award), (second, "receivedAward", award)} <= got
    assert (first, "handledBy", "西河市中级人民法院") in got
    assert (first, "concernsBrand", "北辰") in got
    assert {(first, "involves", "北辰电子有限公司"), (first, "involves", "南港贸易有限公司")} <= got
    assert (second, "handledBy", "西河市人民检察院") in got
    assert (first, "handledBy", "西河市人民检察院") not in got


def test_listed_body_gets_full_name_english_name_and_wikidata(extract):
    from rdflib import OWL, URIRef
    from rdflib.namespace import SKOS

    from kg.rdf.graph import nquads
    from kg.store.store import Store

    ag = extract("市场监管总局与最高检联合部署打击侵权假冒工作。")
    assert {"国家市场监督管理总局", "最高人民检察院"} <= names(ag, "Agency")
    store = Store.in_memory()
    store.put_nquads([nquads(ag)])
    quads = {q[:3] for q in store.dataset().quads((None, None, None, None))}
    spp = next(s for s, p, o in quads if p == SKOS.prefLabel and str(o) == "Supreme People's Procuratorate")
    assert (spp, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q2682024")) in quads


def test_recipients_listed_after_the_award(extract):
    ag = extract("记者林晓报道,此次获评的3家国家知识产权示范企业为东江宏达贸易有限公司、西河电子股份有限公司和北辰精密机械有限公司。")
    award = "国家知识产权示范企业"
    winners = {h for h, r, t in facts(ag) if r == "receivedAward" and t == award}
    assert winners == {"东江宏达贸易有限公司", "西河电子股份有限公司", "北辰精密机械有限公司"}


def test_joint_givers_before_the_verb(extract):
    ag = extract("国家知识产权局和东江省知识产权局决定授予“飞鹰”等5项外观设计专利中国外观设计金奖。")
    assert {("中国外观设计金奖", "awardedBy", b) for b in ("国家知识产权局", "东江省知识产权局")} <= facts(ag)
    assert not any(r == "receivedAward" for _, r, _ in facts(ag))


def test_websites_and_apps_in_case_titles_are_companies(extract):
    ag = extract("上海查处“飞鱼影视网”侵权案、“云朵视频”App侵权案。")
    assert {"飞鱼影视网", "云朵视频"} <= names(ag, "Company")
    cases = names(ag, "Case")
    assert {c.replace("“", "").replace("”", "") for c in cases} >= {"飞鱼影视网侵权案", "云朵视频App侵权案"}
    assert any(r == "involves" and t == "飞鱼影视网" for _, r, t in facts(ag))


def test_title_award_marked_brands_and_a_town_the_gazetteer_lacks(extract):
    ag = extract("东江市市场监督管理局获西河市品牌保护协会授予“年度卓越执法单位”称号。"
                 "执法人员在青石镇查获标有“飞鹰FEIYING”和“赤鸟REDBIRD”字样的运动鞋。")
    assert "年度卓越执法单位" in names(ag, "Award")
    assert {"飞鹰FEIYING", "赤鸟REDBIRD"} <= names(ag, "Brand")
    assert "青石镇" in names(ag, "Place")


def test_firm_named_with_a_word_left_out_is_one_company(extract):
    ag = extract("东江宏达机电安装有限公司销售侵权产品。经查,东江宏达机电有限公司已被立案调查。")
    assert names(ag, "Company") == {"东江宏达机电安装有限公司"}


def test_award_received_from_a_giver_named_before_the_award(extract):
    ag = extract("东江市知识产权局荣获国家知识产权局授予的“知识产权强市建设示范城市”称号。")
    award = "知识产权强市建设示范城市"
    assert ("东江市知识产权局", "receivedAward", award) in facts(ag)
    assert (award, "awardedBy", "国家知识产权局") in facts(ag)
    assert (award, "awardedBy", "东江市知识产权局") not in facts(ag)


def test_a_saved_pipeline_carries_its_word_lists(tmp_path) -> None:
    """nlp.to_disk writes each rule component's data files, and spacy.load reads those copies."""
    import spacy

    sentence = "东江市公安局携手南屿市公安局开展打假行动。"
    nlp = load_pipeline()
    cooperation = lambda pipeline: [r for r in pipeline(sentence)._.relations if r.label == "cooperatesWith"]  # noqa: E731
    assert cooperation(nlp)
    nlp.to_disk(tmp_path / "saved")
    triggers = tmp_path / "saved" / "kg_relations" / "triggers.tsv"
    assert (tmp_path / "saved" / "kg_entities" / "data" / "patterns.tsv").is_file()
    assert (tmp_path / "saved" / "kg_entities" / "reference" / "places.tsv").is_file()
    assert cooperation(spacy.load(tmp_path / "saved"))
    lines = triggers.read_text(encoding="utf-8").splitlines(keepends=True)
    triggers.write_text("".join(x for x in lines if not x.startswith("携手\t")), encoding="utf-8")
    assert not cooperation(spacy.load(tmp_path / "saved"))


def test_components_say_what_they_read_and_write() -> None:
    nlp = load_pipeline()
    meta = {name: nlp.get_pipe_meta(name) for name in ("kg_lac", "kg_entities", "kg_relations")}
    assert "doc.spans" in meta["kg_lac"].assigns and "doc.spans" in meta["kg_entities"].requires
    assert meta["kg_relations"].assigns == ["doc._.relations"]
    assert nlp.get_pipe("kg_entities").spans_key == nlp.get_pipe("kg_relations").spans_key == "kg"


def test_names_a_user_would_write(extract):
    """A coordinated pair glued by LAC is two bodies; a case title loses the clause before it; a
    procuratorate or court of a place written without 人民 is the same body as with it."""
    ag = extract("国家知识产权局联合星海市公安局开展专项行动。")
    assert {"国家知识产权局", "星海市公安局"} <= names(ag, "Agency")
    assert "国家知识产权局联合星海市公安局" not in names(ag, "Agency")
    ag = extract("在“清风-2025”专项行动中查处星海宏达贸易有限公司侵犯注册商标专用权案。")
    assert names(ag, "Case") == {"星海宏达贸易有限公司侵犯注册商标专用权案"}
    ag = extract("云岭省检察院与云岭省人民检察院联合发布典型案例,星海市法院审结一批案件。")
    assert {"云岭省人民检察院", "星海市人民法院"} <= names(ag, "Agency")
    assert not {"云岭省检察院", "星海市法院"} & names(ag, "Agency")
    assert "云岭省检察院" in next(e for e in ag.entities.values() if e.name == "云岭省人民检察院").aliases

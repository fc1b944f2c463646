"""The intake extractor's general rules added after the b1–b10 batch: each on sentences of its own, so a rule
holds for the phrasing it names and not only for the article it was found in."""

from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from ledger.intake import extract
from ledger.intake.context import DONOR_INFERRED
from ledger.intake.goods import find_goods
from ledger.intake.money import find_money
from ledger.intake.quality import seed_ledger
from ledger.intake.types import FROM_HEADLINE, RECIPIENT_INFERRED

LEDGER = seed_ledger()


def propose(text, published="2026-03-12", language="en"):
    return extract(text, published=date.fromisoformat(published), language=language, actors=LEDGER.actors)


def of(entry, text, **kwargs):
    return [p for p in propose(text, **kwargs) if p.entry == entry]


def codes(proposal):
    return (proposal.donor and proposal.donor.code, proposal.recipient and proposal.recipient.code)


class NotNewAidTests(SimpleTestCase):
    def test_a_total_over_a_period_is_not_a_new_pledge(self):
        for text, language in [
            (
                "Canada has sent Haiti more than 3 million litres of fuel since the start of the year, officials say.",
                "en",
            ),
            ("Japan has given Cuba over 90 million dollars in aid over the past decade.", "en"),
            ("La ayuda japonesa a Cuba supera los 500 millones de dólares en la última década.", "es"),
            ("Desde principios de año, Chile ha enviado a Bolivia 4.000 toneladas de trigo.", "es"),
            ("Since January, China has delivered 90,000 tonnes of rice to Cuba.", "en"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(of("pledge", text, language=language), [])

    def test_speculation_is_not_a_pledge(self):
        for text, language in [
            ("Russia may consider a further 100 million dollars in loans to Cuba, a diplomat said.", "en"),
            ("China podría otorgar a Cuba un nuevo crédito de 200 millones de dólares.", "es"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(of("pledge", text, language=language), [])

    def test_a_sum_that_a_donation_adds_to_is_still_that_earlier_donation(self):
        (pledge,) = of(
            "pledge", "El envío se suma a los 8 millones de dólares que Hanói donó a La Habana en mayo.", language="es"
        )
        self.assertEqual(
            (pledge.amount, pledge.status, codes(pledge)), (Decimal(8_000_000), "committed", ("VNM", "CUB"))
        )

    def test_a_figure_a_new_pledge_brings_the_total_to_is_not_a_pledge(self):
        found = of(
            "pledge",
            "Canada pledged 10 million Canadian dollars for Haiti, bringing its total aid this year to 45 million.",
        )
        self.assertEqual([p.amount for p in found], [Decimal(10_000_000)])

    def test_a_part_of_the_figure_before_is_not_a_second_pledge(self):
        for text, language in [
            ("Japan approved $10 million for Cuba, of which 4 million for food.", "en"),
            ("España aprobó 10 millones de euros para Cuba, de los cuales 4 millones para alimentos.", "es"),
        ]:
            with self.subTest(text=text):
                self.assertEqual([p.amount for p in of("pledge", text, language=language)], [Decimal(10_000_000)])

    def test_pesos_are_the_donors_own_pesos_flagged_as_assumed(self):
        (pledge,) = of("pledge", "Argentina donó a Cuba 20 millones de pesos.", language="es")
        self.assertEqual(pledge.currency, "ARS")
        self.assertIn("currency_assumed", pledge.flags)

    def test_a_request_under_study_is_not_a_pledge(self):
        for text, language in [
            ("India is considering a request from Colombo for 50 million dollars in credit, an official said.", "en"),
            ("Mexico is studying a request from Havana for 2 million barrels of oil; no decision has been made.", "en"),
            ("Argentina estudia una solicitud de Bolivia por 30 millones de dólares en créditos.", "es"),
            ("Cuba solicitó a Rusia un crédito de 500 millones de dólares; Moscú aún no ha respondido.", "es"),
            ("Haiti has asked Canada for 20 million dollars in emergency aid.", "en"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(of("pledge", text, language=language), [])

    def test_the_rest_of_an_earlier_pledge_is_not_a_new_one(self):
        for text, language in [
            ("The remaining 15,000 tonnes of wheat will be shipped to Yemen in May, the ministry said.", "en"),
            ("Las 3.000 toneladas restantes llegarán en junio.", "es"),
            ("El resto de las 60.000 toneladas de arroz donadas por China llegará en abril.", "es"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(of("pledge", text, language=language), [])


class StatementTests(SimpleTestCase):
    def test_future_tense_offers_of_help_in_spanish(self):
        for text in [
            "El presidente mexicano aseguró que su país seguirá ayudando a Cuba.",
            "Argelia continuará apoyando a Cuba, dijo el canciller argelino.",
        ]:
            with self.subTest(text=text):
                (statement,) = of("statement", text, language="es")
                self.assertEqual(statement.kind, "offer_of_help")
                self.assertEqual(codes(statement)[1], "CUB")

    def test_thanks_next_to_a_running_total_is_still_a_statement(self):
        found = propose(
            "El Gobierno cubano agradeció a México su solidaridad y recordó que desde enero ha recibido de ese país más "
            "de 1,2 millones de barriles de crudo.",
            language="es",
        )
        self.assertEqual([(p.entry, p.kind, codes(p)) for p in found], [("statement", "support", ("MEX", "CUB"))])

    def test_opposition_to_sanctions_is_a_rejection_of_pressure(self):
        (statement,) = of("statement", "Jaishankar reiterated India's opposition to unilateral sanctions against Cuba.")
        self.assertEqual((statement.kind, codes(statement)), ("rejection_of_pressure", ("IND", "CUB")))

    def test_calling_for_an_end_to_an_embargo_is_a_rejection_of_pressure(self):
        (statement,) = of("statement", "Brazil called for an end to the US embargo on Cuba.")
        self.assertEqual((statement.kind, codes(statement)), ("rejection_of_pressure", ("BRA", "CUB")))

    def test_a_counterpart_spoken_to_is_never_the_speaker(self):
        (statement,) = of(
            "statement",
            "El canciller ruso, Serguéi Lavrov, reiteró en una llamada con su homólogo cubano, Bruno Rodríguez, "
            "el rechazo de Moscú a las sanciones de Washington contra La Habana.",
            language="es",
        )
        self.assertEqual((statement.kind, codes(statement)), ("rejection_of_pressure", ("RUS", "CUB")))

    def test_the_city_an_ambassador_is_posted_to_does_not_thank(self):
        (statement,) = of(
            "statement",
            "El embajador cubano en Madrid agradeció al pueblo y al Gobierno españoles su ayuda.",
            language="es",
        )
        self.assertEqual((statement.kind, codes(statement)), ("support", ("ESP", "CUB")))

    def test_thanks_to_several_parties_each_joined_by_y_a(self):
        found = of("statement", "La cancillería cubana agradeció a México y a Venezuela su solidaridad.", language="es")
        self.assertEqual([codes(s) for s in found], [("MEX", "CUB"), ("VEN", "CUB")])

    def test_a_spokesman_named_by_title_speaks_for_the_articles_one_donor(self):
        found = of(
            "statement",
            "Japan donated 300 million yen to Cuba on Tuesday.\n\n"
            "The spokesman urged once more the United States to lift its sanctions against Cuba.",
        )
        self.assertEqual([(s.kind, codes(s)) for s in found], [("call_on_third_party", ("JPN", "CUB"))])

    def test_instar_de_nuevo_a_names_who_is_urged_not_the_subject(self):
        found = of(
            "statement",
            "China donó 5 millones de yuanes a Cuba.\n\nEl portavoz instó de nuevo a Washington a levantar el bloqueo "
            "contra Cuba.",
            language="es",
        )
        self.assertEqual([codes(s) for s in found], [("CHN", "CUB")])


class DateAndStatusTests(SimpleTestCase):
    def test_a_figure_takes_the_verb_of_its_relative_clause(self):
        found = of(
            "pledge",
            "Aid\n\nThe EU announced 3 million euros in humanitarian aid for Cuba, adding to the 12 million euros it "
            "provided last year.",
            published="2026-04-15",
        )
        self.assertEqual([(p.amount, p.status) for p in found], [(3_000_000, "announced"), (12_000_000, "committed")])
        self.assertEqual((found[0].date, found[1].date.date), (None, date(2025, 1, 1)))

    def test_a_weekday_right_after_a_past_verb_is_the_past_one_even_in_a_future_sentence(self):
        # Monday 16 March 2026: "said on Friday" is Friday 13th, not Friday 20th.
        (statement,) = of(
            "statement", "President Lula said on Friday his government would keep helping Cuba.", published="2026-03-16"
        )
        self.assertEqual((statement.date.date, statement.date.precision), (date(2026, 3, 13), "day"))

    def test_a_weekday_after_a_spanish_preterite_is_past_though_the_sentence_looks_ahead(self):
        # Thursday 13 August 2026: "condonó el martes" is Tuesday 11th.
        pledge = of(
            "pledge",
            "Deuda\n\nRusia condonó el martes una deuda cubana de 100 millones de dólares y anunció el envío de "
            "5.000 toneladas de trigo.",
            published="2026-08-13",
            language="es",
        )[0]
        self.assertEqual((pledge.kind, pledge.date.date), ("debt_relief", date(2026, 8, 11)))

    def test_each_of_two_acts_takes_the_date_after_its_own_verb(self):
        found = of(
            "pledge",
            "Deuda\n\nRusia condonó el martes una deuda cubana de 100 millones de dólares y anunció el envío de "
            "5.000 toneladas de trigo antes de octubre.",
            published="2026-08-13",
            language="es",
        )
        self.assertEqual(
            [(p.date.date, p.date.precision) for p in found], [(date(2026, 8, 11), "day"), (date(2026, 10, 1), "month")]
        )

    def test_an_agreement_signed_under_which_a_donor_will_give_is_committed_on_the_signing_date(self):
        (pledge,) = of(
            "pledge",
            "Cuban officials and the Japanese ambassador signed an agreement on Tuesday under which Japan will "
            "donate 200 million yen for water pumps.",
            published="2026-03-12",
        )
        self.assertEqual((pledge.status, codes(pledge)), ("committed", ("JPN", "CUB")))
        self.assertEqual((pledge.date.date, pledge.date.precision), (date(2026, 3, 10), "day"))

    def test_a_hyphenated_participle_is_an_adjective_not_the_verb(self):
        (pledge,) = of(
            "pledge",
            "Aid\n\nA Japanese-donated shipment of 300 water pumps arrived in Haiti last month.",
            published="2026-04-13",
        )
        self.assertEqual(
            (pledge.status, pledge.date.date, pledge.date.precision), ("delivered", date(2026, 3, 1), "month")
        )

    def test_a_future_passive_announces_and_dates_forward(self):
        # Wednesday 15 April 2026: "will be shipped ... on Monday" is Monday 20th.
        (pledge,) = of(
            "pledge", "Aid\n\nJapan said 300 tonnes of rice will be shipped to Cuba on Monday.", published="2026-04-15"
        )
        self.assertEqual((pledge.status, pledge.date.date), ("announced", date(2026, 4, 20)))

    def test_a_weekday_after_a_past_verb_and_a_place_is_past(self):
        # Friday 4 September 2026: "left Montreal on Monday" is Monday 31 August.
        *_, pledge = of(
            "pledge",
            "Aid\n\nCanada will give Cuba 5 million Canadian dollars in food aid.\n\nA first consignment of 400 tonnes of powdered milk left Montreal "
            "on Monday and is due in Havana next week.",
            published="2026-09-04",
        )
        self.assertEqual(
            (pledge.commodity, pledge.date.date, codes(pledge)), ("powdered milk", date(2026, 8, 31), ("CAN", "CUB"))
        )

    def test_goods_on_a_plane_that_landed_are_delivered(self):
        (pledge,) = of(
            "pledge", "Aid\n\nAn Indian Air Force plane carrying 12 tonnes of medicines landed in Havana this week."
        )
        self.assertEqual((pledge.status, codes(pledge)), ("delivered", ("IND", "CUB")))

    def test_due_to_arrive_looks_ahead(self):
        (pledge,) = of(
            "pledge",
            "Aid\n\n500 tonnes of rice donated by China are due to arrive in Cuba in September.",
            published="2026-08-17",
        )
        self.assertEqual(pledge.date.date, date(2026, 9, 1))

    def test_a_batch_of_goods_is_aid_in_an_aid_article(self):
        found = of(
            "pledge",
            "Ayuda\n\nArgentina donó a Cuba 80 toneladas de arroz.\n\nEl segundo lote, con otras 200 toneladas de "
            "alimentos, llegará a finales de mes.",
            language="es",
        )
        self.assertEqual([(p.quantity, codes(p)) for p in found], [(80, ("ARG", "CUB")), (200, ("ARG", "CUB"))])

    def test_a_shipment_of_a_quantity_alone_is_of_the_goods_named_before(self):
        *_, pledge = of(
            "pledge",
            "Crudo\n\nRusia suministrará a Cuba 80.000 toneladas de petróleo crudo como ayuda humanitaria.\n\n"
            "El primer cargamento, de 27.000 toneladas, zarpará a finales de enero.",
            language="es",
            published="2026-01-21",
        )
        self.assertEqual((pledge.quantity, pledge.commodity, codes(pledge)), (27000, "crude oil", ("RUS", "CUB")))

    def test_goods_flown_in_are_delivered(self):
        (pledge,) = of("pledge", "Canadian air force planes flew 40 tonnes of medicines to Port-au-Prince last week.")
        self.assertEqual((pledge.status, pledge.kind, pledge.commodity), ("delivered", "in_kind", "medicines"))

    def test_this_week_is_the_month_the_publication_week_starts_in(self):
        (pledge,) = of("pledge", "Mexico sent 2,000 tonnes of maize to Cuba this week.", published="2026-05-21")
        self.assertEqual(
            (pledge.date.date, pledge.date.precision, pledge.date.qualifier, pledge.date.year_inferred),
            (date(2026, 5, 1), "month", "mid", True),
        )

    def test_a_possessive_on_trade_is_its_reporter(self):
        (figure,) = of(
            "trade", "Canada's two-way trade with Cuba totalled roughly 1.1 billion Canadian dollars last year."
        )
        self.assertEqual(codes(figure), ("CAN", "CUB"))

    def test_rondo_is_approximately(self):
        (figure,) = of(
            "trade",
            "El intercambio comercial entre Vietnam y Cuba rondó los 200 millones de dólares en 2025.",
            language="es",
        )
        self.assertEqual((figure.amount, figure.amount_qualifier), (Decimal(200_000_000), "approximately"))


class GoodsTests(SimpleTestCase):
    def test_a_channel_preposition_ends_the_commodity(self):
        (goods,) = find_goods("300 tonnes of rice through the World Food Programme", "en")
        self.assertEqual(goods.commodity, "rice")
        (goods,) = find_goods("300 toneladas de arroz mediante el PMA", "es")
        self.assertEqual(goods.commodity, "rice")

    def test_a_participle_ends_the_commodity(self):
        (goods,) = find_goods("llegaron 2.000 toneladas de arroz donado por Hanói", "es")
        self.assertEqual(goods.commodity, "rice")
        (goods,) = find_goods("500 tonnes of flour donated by Canada", "en")
        self.assertEqual(goods.commodity, "flour")

    def test_counted_goods_keep_what_they_are_and_drop_plain_modifiers(self):
        cases = [
            ("2,500 emergency shelter kits", "en", "shelter kits"),
            ("300 new generators", "en", "generators"),
            ("5.000 kits de higiene", "es", "hygiene kits"),
        ]
        for text, language, commodity in cases:
            with self.subTest(text=text):
                (goods,) = find_goods(text, language)
                self.assertEqual((goods.unit, goods.commodity), ("units", commodity))

    def test_relief_items_counted(self):
        found = find_goods("4,000 blankets and 300 mosquito nets; 500 colchones", "en")
        self.assertEqual(
            [(g.quantity, g.commodity) for g in found],
            [(4000, "blankets"), (300, "mosquito nets"), (500, "mattresses")],
        )

    def test_a_hyphenated_unit_before_a_consignment_word(self):
        (goods,) = find_goods("after a 3,000-tonne shipment of rice delivered in January", "en")
        self.assertEqual((goods.quantity, goods.unit, goods.commodity), (Decimal(3000), "t", "rice"))

    def test_small_counts_written_out(self):
        cases = [
            ("three ambulances and two generators", "en", [(3, "ambulances"), (2, "generators")]),
            ("seis generadores y dos ambulancias", "es", [(6, "generators"), (2, "ambulances")]),
        ]
        for text, language, wanted in cases:
            with self.subTest(text=text):
                found = find_goods(text, language)
                self.assertEqual([(g.quantity, g.commodity) for g in found], [(Decimal(n), c) for n, c in wanted])

    def test_goods_valued_further_on_are_one_pledge_with_their_value(self):
        (pledge,) = of(
            "pledge",
            "Energía\n\nChina entregó a Cuba 50 parques solares como parte de un donativo valorado en 300 millones "
            "de yuanes.",
            language="es",
        )
        self.assertEqual(
            (pledge.quantity, pledge.commodity, pledge.amount, pledge.currency),
            (Decimal(50), "solar parks", Decimal(300_000_000), "CNY"),
        )

    def test_a_hyphenated_unit_before_the_goods_and_a_consignment_word(self):
        (goods,) = find_goods("a 10,000-ton rice shipment", "en")
        self.assertEqual((goods.quantity, goods.unit, goods.commodity), (Decimal(10000), "t", "rice"))

    def test_spanish_medical_supplies_translated(self):
        (goods,) = find_goods("12 toneladas de material sanitario", "es")
        self.assertEqual(goods.commodity, "medical supplies")


class PartiesTests(SimpleTestCase):
    def test_where_a_shipment_leaves_from_is_not_its_recipient(self):
        found = of(
            "pledge",
            "Ayuda española\n\nEspaña donó 2 millones de euros a Guatemala.\n\n"
            "Además, enviará 8 toneladas de medicamentos desde su almacén de Panamá.",
            language="es",
        )
        self.assertEqual([codes(p) for p in found], [("ESP", "GTM"), ("ESP", "GTM")])
        self.assertIn(RECIPIENT_INFERRED, found[1].flags)

    def test_an_agency_shown_channelling_its_governments_aid_then_gives_for_it(self):
        found = of(
            "pledge",
            "El Gobierno de España aprobó una donación de 2 millones de euros para Guatemala, que se canalizará a "
            "través de la AECID.\n\nLa AECID enviará también 8 toneladas de medicamentos a Guatemala.",
            language="es",
        )
        self.assertEqual([codes(p) for p in found], [("ESP", "GTM"), ("ESP", "GTM")])

    def test_an_agency_giving_in_its_own_name_keeps_its_code(self):
        (pledge,) = of("pledge", "La AECID destinará 3 millones de euros a Cuba.", language="es")
        self.assertEqual(codes(pledge), ("ESP-AECID", "CUB"))

    def test_through_its_development_agency_is_a_channel_not_a_recipient(self):
        (pledge,) = of("pledge", "Spain will contribute €2 million to Cuba through its development agency AECID.")
        self.assertEqual(codes(pledge), ("ESP", "CUB"))

    def test_demonyms_and_capitals_of_countries_beyond_the_first_list(self):
        cases = [
            (
                "Sri Lankan President thanked the Korean people and government for their generosity.",
                "en",
                ("KOR", "LKA"),
            ),
            (
                "El embajador sirio en Ankara agradeció al pueblo y al Gobierno turcos su solidaridad.",
                "es",
                ("TUR", "SYR"),
            ),
        ]
        for text, language, pair in cases:
            with self.subTest(text=text):
                (statement,) = of("statement", text, language=language)
                self.assertEqual(codes(statement), pair)

    def test_the_foreign_office_stands_for_the_uk(self):
        (pledge,) = of(
            "pledge", "The Foreign Office said it will provide 3 million pounds in humanitarian aid to Haiti."
        )
        self.assertEqual(codes(pledge), ("GBR", "HTI"))

    def test_the_party_a_figure_was_given_by_is_its_donor(self):
        (pledge,) = of("pledge", "The WFP will distribute 1,200 tonnes of rice donated by Japan.")
        self.assertEqual(codes(pledge), ("JPN", "WFP"))
        (pledge,) = of(
            "pledge", "Cuba recibió 800 toneladas de arroz donadas por Vietnam la semana pasada.", language="es"
        )
        self.assertEqual(codes(pledge), ("VNM", "CUB"))

    def test_a_second_verb_joined_by_and_shares_the_first_ones_giver(self):
        found = of(
            "pledge",
            "Deuda\n\nChina condonó una deuda cubana de 50 millones de dólares y anunció el envío de 3.000 toneladas "
            "de arroz.",
            language="es",
        )
        self.assertEqual([codes(p) for p in found], [("CHN", "CUB"), ("CHN", "CUB")])

    def test_the_subject_of_received_is_the_recipient(self):
        (pledge,) = of(
            "pledge",
            "Arroz\n\nCuba recibió este lunes un donativo de 1.500 toneladas de arroz procedente de Vietnam.",
            language="es",
        )
        self.assertEqual((pledge.status, codes(pledge)), ("delivered", ("VNM", "CUB")))

    def test_an_office_after_another_countrys_name_is_that_countrys(self):
        for text in [
            "Germany's Foreign Office said it will provide 5 million euros in humanitarian aid to Syria.",
            "The German Foreign Office said it will provide 5 million euros in humanitarian aid to Syria.",
        ]:
            with self.subTest(text=text):
                (pledge,) = of("pledge", text)
                self.assertEqual(codes(pledge), ("DEU", "SYR"))

    def test_a_pledge_naming_no_donor_is_the_previous_pledges_donors(self):
        found = of(
            "pledge",
            "Rice for Cuba\n\nVietnam approved a donation of 7,000 tonnes of rice for Cuba on Monday.\n\n"
            "The donation follows 3,000 tonnes of rice delivered in early January.",
        )
        self.assertEqual([codes(p) for p in found], [("VNM", "CUB"), ("VNM", "CUB")])
        self.assertIn(DONOR_INFERRED, found[1].flags)

    def test_a_tranche_is_of_the_kind_of_the_money_before_it(self):
        found = of(
            "pledge",
            "UK aid\n\nBritain will provide 6 million pounds in humanitarian assistance to Jamaica.\n\n"
            "A separate tranche of 4 million pounds will follow in June, the Foreign Office added.",
        )
        self.assertEqual([(p.kind, codes(p)) for p in found], [("financial_assistance", ("GBR", "JAM"))] * 2)


class HeadlineTests(SimpleTestCase):
    def test_a_headlines_goods_cut_short_are_not_proposed_again(self):
        found = of(
            "pledge",
            "Perú enviará a Bolivia 800 toneladas de quinua y ratifica su apoyo\n\n"
            "LIMA, 3 mar (EFE).- El Gobierno de Perú anunció el envío de 800 toneladas de quinua a Bolivia.",
            language="es",
        )
        self.assertEqual([(p.evidence.paragraph, p.quantity) for p in found], [(2, Decimal(800))])
        self.assertFalse(any(FROM_HEADLINE in p.flags for p in found))


class PackageTests(SimpleTestCase):
    def test_a_package_given_by_its_amount_is_that_amount_with_its_parts(self):
        for text, language in [
            ("Aid\n\nJapan unveiled a $30 million package for Haiti, including $20 million in grants and a $10 million "
             "loan.", "en"),
            ("Ayuda\n\nEspaña aprobó un paquete de 9 millones de euros para Honduras, con 6 millones en donaciones y "
             "un préstamo de 3 millones de euros.", "es"),
        ]:  # fmt: skip
            with self.subTest(text=text):
                found = of("pledge", text, language=language)
                self.assertEqual([p.kind for p in found], ["package", "grant", "loan"])
                self.assertIsNotNone(found[0].amount)
                self.assertEqual([p.package for p in found], [None, 0, 0])

    def test_an_amount_without_currency_after_one_with_it_is_in_that_currency(self):
        found = find_money("a €20 million package, including 12 million in grants and 2 million doses", "en")
        self.assertEqual(
            [(m.amount, m.currency) for m in found], [(Decimal(20_000_000), "EUR"), (Decimal(12_000_000), "EUR")]
        )
        self.assertEqual(find_money("12 million in grants", "en"), [])
